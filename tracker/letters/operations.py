"""Letter services: reply (反馈, with evidence), close (办结), escalate, cancel, issue and
re-issue by hand. Each checks permission, moves the state through tracker.transitions,
audits per item, queues notices and flushes; the view or job commits."""

from __future__ import annotations

import logging
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from tracker import clock
from tracker.access import liaison_ids, link, office_ids
from tracker.audit import audit
from tracker.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from tracker.evidence import stage_uploads
from tracker.extensions import db
from tracker.letters.issue import create_letter, supersede
from tracker.letters.rules import rank
from tracker.models import Letter, WorkItem
from tracker.models.letters import letter_item
from tracker.notices import queue_notice
from tracker.security import log_security_event
from tracker.transitions import transition
from tracker.workflow import (
    OPEN_LETTER_STATES,
    LetterAction,
    LetterLevel,
    LetterState,
    Subject,
    can_letter,
    letter_permitted,
)

logger = logging.getLogger(__name__)

MAX_TEXT = 5000
_NEXT_LEVEL = {LetterLevel.YELLOW.value: "orange", LetterLevel.ORANGE.value: "red"}


def require_letter(actor, action: LetterAction, letter: Letter | None) -> Letter:
    """404 unless the actor may see the letter, 403 unless they may take the action at all,
    409 unless the letter's state allows it now."""
    if letter is None:
        raise NotFound()
    subject = letter.subject()
    obj = f"letter:{letter.id}"
    if actor is None:
        return letter
    if not letter_permitted(actor, LetterAction.VIEW, subject):
        log_security_event(action.value, outcome="not_found", obj=obj)
        raise NotFound()
    if not letter_permitted(actor, action, subject):
        log_security_event(action.value, outcome="denied", obj=obj)
        raise PermissionDenied(_("You may not do this."))
    if not can_letter(actor, action, subject):
        raise InvalidTransition(state_message(letter))
    return letter


def state_message(letter: Letter) -> str:
    if letter.state == LetterState.CLOSED:
        return _("This letter has been closed (办结); it takes no further action.")
    if letter.state == LetterState.CANCELLED:
        return _("This letter was cancelled.")
    if letter.state == LetterState.ESCALATED:
        return _("This letter was escalated to a higher letter; act on that one.")
    if letter.state == LetterState.REPLIED:
        return _("This letter has already been answered.")
    return _("The office can close a letter only once it has been answered.")


def visible_letter(actor, letter_id: int) -> Letter:
    return require_letter(actor, LetterAction.VIEW, db.session.get(Letter, letter_id))


def _text(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed({field: message})
    if len(value) > MAX_TEXT:
        raise ValidationFailed({field: _("At most %(n)s characters.", n=MAX_TEXT)})
    return value


def _item_ids(letter: Letter) -> list[int]:
    return list(
        db.session.scalars(
            select(letter_item.c.item_id).where(letter_item.c.letter_id == letter.id)
        )
    )


def _audit_items(actor, action: str, letter: Letter, now: datetime, **kwargs) -> None:
    for item_id in _item_ids(letter) or [None]:
        audit(actor, action, letter, now, item_id=item_id, **kwargs)


def reply_to_letter(
    actor, letter: Letter, text: str | None, uploads=(), *, expected_version=None, now=None
) -> Letter:
    """The department's written reply (反馈) with evidence files; once per letter."""
    now = now or clock.now()
    require_letter(actor, LetterAction.REPLY, letter)
    text = _text(text, "reply", _("Write what your department has done."))
    staged = stage_uploads(db.session, list(uploads or ()))
    transition(
        actor,
        letter,
        LetterAction.REPLY,
        expected_version=expected_version,
        now=now,
        values={
            "reply_text": text,
            "replied_at": now,
            "replied_by_id": getattr(actor, "id", None),
            "updated_at": now,
        },
    )
    rows = [f.attachment(actor, letter_id=letter.id, created_at=now) for f in staged]
    db.session.add_all(rows)
    _audit_items(
        actor,
        "letter.replied",
        letter,
        now,
        before={"state": LetterState.ISSUED.value},
        after={"state": LetterState.REPLIED.value, "files": [r.original_name for r in rows]},
        comment=text,
    )
    queue_notice(
        office_ids(),
        "letter_replied",
        {"number": letter.number, "department": letter.department.short_name},
        link("letters.show", letter_id=letter.id),
    )
    db.session.flush()
    return letter


def _decide(actor, letter, action, note, *, event, notice, expected_version, now) -> Letter:
    before = letter.state
    transition(
        actor,
        letter,
        action,
        expected_version=expected_version,
        now=now,
        values={
            "decision_note": note,
            "decided_at": now,
            "decided_by_id": getattr(actor, "id", None),
            "updated_at": now,
        },
    )
    _audit_items(
        actor,
        event,
        letter,
        now,
        before={"state": before},
        after={"state": letter.state},
        comment=note,
    )
    queue_notice(
        liaison_ids([letter.department_id]),
        notice,
        {"number": letter.number, "note": note},
        link("letters.show", letter_id=letter.id),
    )
    db.session.flush()
    return letter


def close_letter(actor, letter: Letter, note: str | None, *, expected_version=None, now=None):
    """The office accepts the reply: 办结, with a note saying why."""
    now = now or clock.now()
    require_letter(actor, LetterAction.CLOSE, letter)
    note = _text(note, "note", _("Say why the reply is accepted (办结 note)."))
    return _decide(
        actor,
        letter,
        LetterAction.CLOSE,
        note,
        event="letter.closed",
        notice="letter_closed",
        expected_version=expected_version,
        now=now,
    )


def cancel_letter(actor, letter: Letter, reason: str | None, *, expected_version=None, now=None):
    """The office withdraws an open letter, with a reason."""
    now = now or clock.now()
    require_letter(actor, LetterAction.CANCEL, letter)
    reason = _text(reason, "reason", _("Say why the letter is cancelled."))
    return _decide(
        actor,
        letter,
        LetterAction.CANCEL,
        reason,
        event="letter.cancelled",
        notice="letter_cancelled",
        expected_version=expected_version,
        now=now,
    )


def _open_items(item_ids: list[int]) -> list[WorkItem]:
    items = list(db.session.scalars(select(WorkItem).where(WorkItem.id.in_(item_ids))))
    if len(items) != len(set(item_ids)):
        raise NotFound()
    for item in items:
        if item.is_closed:
            raise ValidationFailed(
                {
                    "items": _(
                        "%(code)s is completed or retired; no letter can be issued for it.",
                        code=item.code,
                    )
                }
            )
    return items


def _check_not_covered(items: list[WorkItem], level: str) -> None:
    """One open letter per item and level: a same or higher open letter refuses (409)."""
    rows = db.session.execute(
        select(letter_item.c.item_id, Letter.number, Letter.level)
        .join(Letter, Letter.id == letter_item.c.letter_id)
        .where(
            letter_item.c.item_id.in_([item.id for item in items]),
            Letter.state.in_([str(s) for s in OPEN_LETTER_STATES]),
        )
    ).all()
    for row in rows:
        if rank(row.level) >= rank(level):
            raise InvalidTransition(
                _("Letter %(number)s is already open for this item.", number=row.number)
            )


def issue_letter(
    actor,
    *,
    level: str,
    item_ids: list[int],
    note: str | None,
    today: date | None = None,
    now: datetime | None = None,
) -> Letter:
    """A letter issued by hand to the items' lead department; lower open letters of these
    items are superseded when all their items are covered."""
    now = now or clock.now()
    today = today or clock.today()
    if actor is not None and not letter_permitted(
        actor, LetterAction.ISSUE, Subject(lead_department_id=None)
    ):
        log_security_event(LetterAction.ISSUE.value, outcome="denied")
        raise PermissionDenied(_("You may not do this."))
    if level not in {str(lv) for lv in LetterLevel}:
        raise ValidationFailed({"level": _("Choose yellow, orange or red.")})
    note = _text(note, "note", _("Say why the letter is issued."))
    if not item_ids:
        raise ValidationFailed({"items": _("Choose at least one work item.")})
    items = _open_items(item_ids)
    departments = {item.lead_department_id for item in items}
    if len(departments) != 1 or None in departments:
        raise ValidationFailed({"items": _("The items must all be led by one department.")})
    _check_not_covered(items, level)
    reasons = [
        {
            "item_id": item.id,
            "code": item.code,
            "title": item.title,
            "kind": "manual",
            "basis": f"manual:{now.isoformat()}",
            "text": note,
        }
        for item in sorted(items, key=lambda i: i.code)
    ]
    letter = create_letter(
        actor,
        level=level,
        department_id=departments.pop(),
        reasons=reasons,
        today=today,
        now=now,
        dedupe_key=f"manual:{level}:{now.isoformat()}:{getattr(actor, 'id', 0)}",
        note=note,
    )
    if letter is None:
        raise InvalidTransition(_("This letter has just been issued."))
    _supersede_covered(actor, letter, now)
    return letter


def _supersede_covered(actor, letter: Letter, now: datetime) -> None:
    covered = set(_item_ids(letter))
    lower = db.session.scalars(
        select(Letter)
        .join(letter_item, letter_item.c.letter_id == Letter.id)
        .where(
            letter_item.c.item_id.in_(covered),
            Letter.department_id == letter.department_id,
            Letter.state.in_([str(s) for s in OPEN_LETTER_STATES]),
            Letter.id != letter.id,
        )
        .distinct()
    ).all()
    for other in lower:
        if rank(other.level) < rank(letter.level) and set(_item_ids(other)) <= covered:
            supersede(actor, other, letter, now)


def escalate_letter(actor, letter: Letter, note: str | None, *, now=None, today=None) -> Letter:
    """The office does not accept the reply (or there is none): a letter one level higher
    for the same items; this one is escalated."""
    now = now or clock.now()
    today = today or clock.today()
    require_letter(actor, LetterAction.ESCALATE, letter)
    if letter.level not in _NEXT_LEVEL:
        raise InvalidTransition(_("A red letter is the highest level; close or cancel it."))
    note = _text(note, "note", _("Say why the letter is escalated."))
    return issue_letter(
        actor,
        level=_NEXT_LEVEL[letter.level],
        item_ids=_item_ids(letter),
        note=note,
        today=today,
        now=now,
    )


def reissue_letter(actor, letter: Letter, *, now=None, today=None) -> Letter:
    """A cancelled letter issued again, with a new number and reply deadline."""
    now = now or clock.now()
    today = today or clock.today()
    require_letter(actor, LetterAction.VIEW, letter)
    if actor is not None and not letter_permitted(actor, LetterAction.ISSUE, letter.subject()):
        raise PermissionDenied(_("You may not do this."))
    if letter.state != LetterState.CANCELLED:
        raise InvalidTransition(_("Only a cancelled letter can be issued again."))
    items = _open_items(_item_ids(letter))
    _check_not_covered(items, letter.level)
    new = create_letter(
        actor,
        level=letter.level,
        department_id=letter.department_id,
        reasons=letter.reasons,
        today=today,
        now=now,
        dedupe_key=f"reissue:{letter.id}:{now.isoformat()}",
        note=letter.note,
        reissue_of_id=letter.id,
    )
    if new is None:
        raise InvalidTransition(_("This letter has just been issued again."))
    return new
