"""The supervision letter's ladder and state machine (催办单 → 督办单 → 约谈/问责通知).

The office issues, closes, escalates and cancels; the addressed department's liaisons and
approver read and reply; leaders read all. A letter's Subject has the addressed department
as `lead_department_id` and the letter's state as `state`.
"""

from __future__ import annotations

from enum import StrEnum

from tracker.workflow.roles import LEAD, OFFICE_ROLES, SEE_ALL_ROLES, Actor, Rule, Subject, allowed


class LetterLevel(StrEnum):
    """The three colours of a supervision letter, mildest first (催办 → 督办 → 约谈问责)."""

    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"


LETTER_LEVEL_RANK = {LetterLevel.YELLOW: 1, LetterLevel.ORANGE: 2, LetterLevel.RED: 3}


class LetterState(StrEnum):
    """A supervision letter: issued, answered by the department, then closed (办结) by the
    office, escalated to a higher letter, or cancelled."""

    ISSUED = "issued"
    REPLIED = "replied"
    CLOSED = "closed"
    ESCALATED = "escalated"
    CANCELLED = "cancelled"


class LetterAction(StrEnum):
    """What can be done to a supervision letter (issuing one is `ISSUE`, on no letter yet)."""

    VIEW = "view_letter"
    ISSUE = "issue_letter"
    REPLY = "reply_letter"
    CLOSE = "close_letter"
    ESCALATE = "escalate_letter"
    CANCEL = "cancel_letter"


# A letter is answered once; the office closes an answered letter, escalates or cancels an
# open one (issued or replied). Closed, escalated and cancelled are final: re-issuing a
# cancelled letter makes a new letter with a new number.
LETTER_TRANSITIONS: dict[tuple[LetterState, LetterAction], LetterState] = {
    (LetterState.ISSUED, LetterAction.REPLY): LetterState.REPLIED,
    (LetterState.REPLIED, LetterAction.CLOSE): LetterState.CLOSED,
    (LetterState.ISSUED, LetterAction.ESCALATE): LetterState.ESCALATED,
    (LetterState.REPLIED, LetterAction.ESCALATE): LetterState.ESCALATED,
    (LetterState.ISSUED, LetterAction.CANCEL): LetterState.CANCELLED,
    (LetterState.REPLIED, LetterAction.CANCEL): LetterState.CANCELLED,
}

OPEN_LETTER_STATES = frozenset({LetterState.ISSUED, LetterState.REPLIED})

# The department's approver (部门负责人) is sent each letter, so may read it; replying stays
# with the liaisons, who write the department's reports.
LETTER_RULES: dict[LetterAction, Rule] = {
    LetterAction.VIEW: Rule(SEE_ALL_ROLES, LEAD, LEAD),
    LetterAction.ISSUE: Rule(OFFICE_ROLES),
    LetterAction.REPLY: Rule(frozenset(), LEAD),
    LetterAction.CLOSE: Rule(OFFICE_ROLES),
    LetterAction.ESCALATE: Rule(OFFICE_ROLES),
    LetterAction.CANCEL: Rule(OFFICE_ROLES),
}


def letter_permitted(actor: Actor, action: LetterAction, subject: Subject) -> bool:
    """Whether role and department allow `action` on a letter at all, whatever its state."""
    return allowed(LETTER_RULES[action], actor, subject)


def can_letter(actor: Actor, action: LetterAction, subject: Subject) -> bool:
    """True when `actor` may take `action` on the letter described by `subject` now."""
    if action is not LetterAction.VIEW and not letter_permitted(actor, LetterAction.VIEW, subject):
        return False
    if action not in (LetterAction.VIEW, LetterAction.ISSUE) and (
        subject.state is None or (LetterState(subject.state), action) not in LETTER_TRANSITIONS
    ):
        return False
    return letter_permitted(actor, action, subject)
