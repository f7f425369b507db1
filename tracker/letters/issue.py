"""Issuing letters: a number from the year's counter, the letter row and its items, the
superseded lower letters escalated, the audit trail, the mail and the in-app notice."""

from __future__ import annotations

import logging
from datetime import date, datetime

from flask import current_app
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from tracker import clock
from tracker.access import liaison_ids, link
from tracker.audit import audit
from tracker.extensions import db, upsert_insert
from tracker.letters.facts import item_facts, letter_facts
from tracker.letters.mail import queue_letter_mail
from tracker.letters.rules import LetterToIssue, Thresholds, letter_number, letters_due
from tracker.models import Letter, LetterCounter
from tracker.models.letters import letter_item
from tracker.notices import queue_notice
from tracker.transitions import transition
from tracker.workdays import add_working_days
from tracker.workflow import LetterAction, LetterLevel, LetterState

logger = logging.getLogger(__name__)


def thresholds() -> Thresholds:
    config = current_app.config
    return Thresholds(
        yellow_days=int(config["LETTER_YELLOW_DAYS"]),
        orange_days=int(config["LETTER_ORANGE_DAYS"]),
    )


def reply_due(today: date) -> date:
    """The reply is due LETTER_REPLY_WORKING_DAYS working days after the letter."""
    return add_working_days(today, int(current_app.config["LETTER_REPLY_WORKING_DAYS"]))


def next_serial(year: int, level: str) -> int:
    """The next number of the year for this level. The counter row is created if missing
    (INSERT … ON CONFLICT DO NOTHING) and bumped by one UPDATE … RETURNING: a second issuer
    waits on the row lock until the first commits, so no two letters share a number."""
    db.session.execute(
        upsert_insert(LetterCounter, "letter numbers")
        .values(year=year, level=level, last=0)
        .on_conflict_do_nothing(index_elements=["year", "level"])
    )
    return db.session.execute(
        update(LetterCounter)
        .where(LetterCounter.year == year, LetterCounter.level == level)
        .values(last=LetterCounter.last + 1)
        .returning(LetterCounter.last)
    ).scalar_one()


def as_json(letter: Letter) -> dict:
    """The run command's contract (and the API's summary of a letter)."""
    return {
        "level": letter.level,
        "number": letter.number,
        "department": letter.department.short_name if letter.department else None,
        "items": [reason["code"] for reason in _unique_items(letter.reasons)],
        "reply_due": letter.reply_due.isoformat(),
        "dedupe_key": letter.dedupe_key,
    }


def _unique_items(reasons: list[dict]) -> list[dict]:
    seen, result = set(), []
    for reason in reasons:
        if reason["item_id"] not in seen:
            seen.add(reason["item_id"])
            result.append(reason)
    return result


def create_letter(
    actor,
    *,
    level: str,
    department_id: int,
    reasons: list[dict],
    today: date,
    now: datetime,
    dedupe_key: str,
    note: str | None = None,
    reissue_of_id: int | None = None,
) -> Letter | None:
    """A numbered letter to the department about the reasons' items; None when a letter with
    this dedupe key exists already (another run won). Audits and notifies; never commits."""
    if db.session.scalar(select(Letter.id).where(Letter.dedupe_key == dedupe_key)):
        return None
    level = LetterLevel(level).value
    item_ids = list(dict.fromkeys(reason["item_id"] for reason in reasons))
    try:
        with db.session.begin_nested():
            serial = next_serial(today.year, level)
            letter = Letter(
                year=today.year,
                level=level,
                serial=serial,
                number=letter_number(today.year, level, serial),
                department_id=department_id,
                state=LetterState.ISSUED.value,
                reasons=reasons,
                issued_on=today,
                reply_due=reply_due(today),
                issued_by_id=getattr(actor, "id", None),
                dedupe_key=dedupe_key,
                note=note,
                reissue_of_id=reissue_of_id,
                created_at=now,
                updated_at=now,
            )
            db.session.add(letter)
            db.session.flush()
            db.session.execute(
                insert(letter_item), [{"letter_id": letter.id, "item_id": i} for i in item_ids]
            )
    except IntegrityError:  # the same dedupe key committed meanwhile: that run issued it
        logger.info("letter %s already issued", dedupe_key)
        return None
    for item_id in item_ids:
        audit(
            actor,
            "letter.issued",
            letter,
            now,
            after={
                "number": letter.number,
                "level": level,
                "reply_due": letter.reply_due.isoformat(),
            },
            comment=note,
            item_id=item_id,
        )
    queue_notice(
        liaison_ids([department_id]),
        "letter_issued",
        {"number": letter.number, "date": letter.reply_due.isoformat()},
        link("letters.show", letter_id=letter.id),
    )
    queue_letter_mail(letter)
    return letter


def supersede(actor, lower: Letter, higher: Letter, now: datetime) -> None:
    """The lower letter is escalated: the higher one now speaks for its items."""
    item_ids = list(
        db.session.scalars(select(letter_item.c.item_id).where(letter_item.c.letter_id == lower.id))
    )
    transition(
        actor,
        lower,
        LetterAction.ESCALATE,
        now=now,
        values={"superseded_by_id": higher.id, "decided_at": now, "updated_at": now},
    )
    for item_id in item_ids:
        audit(
            actor,
            "letter.escalated",
            lower,
            now,
            before={"state": "open"},
            after={"state": LetterState.ESCALATED.value, "superseded_by": higher.number},
            item_id=item_id,
        )


def plan_run(today: date) -> list[LetterToIssue]:
    """What the rules say is due today (nothing written)."""
    return letters_due(item_facts(today), letter_facts(today), today, thresholds())


def run_letters(today: date, *, dry_run: bool = False, now: datetime | None = None) -> list[dict]:
    """Issue every letter due on `today` that is not issued yet; the caller commits.

    A dry run lists them with no number. A second run for the same day issues nothing: the
    items are covered by the open letters of the first, and the dedupe key is unique.
    """
    now = now or clock.now()
    due = plan_run(today)
    if dry_run:
        return [_dry_json(new, today) for new in due]
    issued = []
    for new in due:
        letter = create_letter(
            None,
            level=new.level.value,
            department_id=new.department_id,
            reasons=[reason.as_json() for reason in new.reasons],
            today=today,
            now=now,
            dedupe_key=new.dedupe_key(today),
        )
        if letter is None:
            continue
        for lower in db.session.scalars(select(Letter).where(Letter.id.in_(new.supersedes))):
            if lower.state in (LetterState.ISSUED, LetterState.REPLIED):
                supersede(None, lower, letter, now)
        issued.append(as_json(letter))
    db.session.flush()
    return issued


def _dry_json(new: LetterToIssue, today: date) -> dict:
    from tracker.models import Department

    department = db.session.get(Department, new.department_id)
    return {
        "level": new.level.value,
        "number": None,
        "department": department.short_name if department else None,
        "items": new.codes,
        "reply_due": reply_due(today).isoformat(),
        "dedupe_key": new.dedupe_key(today),
    }
