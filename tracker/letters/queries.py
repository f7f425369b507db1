"""Reading letters: the filtered, paginated list (office: all; a department: its own), one
letter with its items and evidence, an item's letters, and counts by level and department."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Attachment, Department, Letter
from tracker.models.letters import letter_item
from tracker.workflow import OPEN_LETTER_STATES, LetterLevel, LetterState, can_see_all

LEVELS = tuple(str(level) for level in LetterLevel)
STATES = tuple(str(state) for state in LetterState)


def letters_query(user, *, department_id=None, level=None, state=None):
    """Newest first; a liaison sees only their department's letters whatever the filter."""
    query = select(Letter).options(selectinload(Letter.department), selectinload(Letter.items))
    if not can_see_all(user):
        query = query.where(Letter.department_id == user.department_id)
    if department_id:
        query = query.where(Letter.department_id == department_id)
    if level in LEVELS:
        query = query.where(Letter.level == level)
    if state == "open":
        query = query.where(Letter.state.in_([str(s) for s in OPEN_LETTER_STATES]))
    elif state in STATES:
        query = query.where(Letter.state == state)
    return query.order_by(Letter.issued_on.desc(), Letter.id.desc())


def letter_with_details(letter_id: int) -> Letter | None:
    return db.session.scalar(
        select(Letter)
        .where(Letter.id == letter_id)
        .options(
            selectinload(Letter.department),
            selectinload(Letter.items),
            selectinload(Letter.attachments),
            selectinload(Letter.replied_by),
            selectinload(Letter.decided_by),
        )
    )


def letter_attachment(letter_id: int, attachment_id: int) -> Attachment | None:
    return db.session.scalar(
        select(Attachment).where(Attachment.id == attachment_id, Attachment.letter_id == letter_id)
    )


def item_letters(item_id: int) -> list[Letter]:
    """The letters that named this item, newest first (for the item page)."""
    return list(
        db.session.scalars(
            select(Letter)
            .join(letter_item, letter_item.c.letter_id == Letter.id)
            .where(letter_item.c.item_id == item_id)
            .order_by(Letter.issued_on.desc(), Letter.id.desc())
        )
    )


def open_counts(user=None) -> dict:
    """Open letters by department and level (one GROUP BY):
    {"levels": {level: n}, "departments": [(id, short name, {level: n}, total)]}."""
    query = (
        select(Letter.department_id, Department.short_name, Letter.level, func.count(Letter.id))
        .join(Department, Department.id == Letter.department_id)
        .where(Letter.state.in_([str(s) for s in OPEN_LETTER_STATES]))
        .group_by(Letter.department_id, Department.short_name, Letter.level)
    )
    if user is not None and not can_see_all(user):
        query = query.where(Letter.department_id == user.department_id)
    levels = dict.fromkeys(LEVELS, 0)
    departments: dict[int, dict] = {}
    for department_id, name, level, count in db.session.execute(query):
        levels[level] += count
        entry = departments.setdefault(
            department_id, {"id": department_id, "name": name, "levels": dict.fromkeys(LEVELS, 0)}
        )
        entry["levels"][level] += count
    rows = sorted(
        departments.values(),
        key=lambda d: (
            -d["levels"]["red"],
            -d["levels"]["orange"],
            -d["levels"]["yellow"],
            d["name"],
        ),
    )
    return {"levels": levels, "departments": rows, "total": sum(levels.values())}
