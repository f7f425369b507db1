"""The review state machine and the permission rules, as pure data and functions.

Nothing here imports Flask or the database: views, services, templates and the API all
ask the same `can()` so a button is hidden exactly when the server would refuse it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Role(StrEnum):
    """What a user may do, independent of which department they belong to."""

    ADMIN = "admin"
    OFFICE = "office"
    LIAISON = "liaison"
    LEADER = "leader"
    # 部门负责人/分管领导: signs off their department's reports before the office sees them.
    APPROVER = "approver"


class ReviewState(StrEnum):
    """States shared by work-item reports and indicator values."""

    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    VERIFIED = "verified"


class ItemStatus(StrEnum):
    """How far a work item has come, driven only by verified reports."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class QualityGrade(StrEnum):
    """The reviewer's grade of a verified report (优/良/中/差), scored by assessment rules."""

    EXCELLENT = "excellent"
    GOOD = "good"
    FAIR = "fair"
    POOR = "poor"


class ExtensionState(StrEnum):
    """A deadline extension request (延期申请)."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class CoordinationState(StrEnum):
    """A coordination request (协调事项) opened by a verified report's 需协调事项."""

    OPEN = "open"
    RESOLVED = "resolved"


class AckState(StrEnum):
    """签收 of an assignment: the lead department acknowledges it or asks for another lead."""

    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    CHANGE_REQUESTED = "change_requested"  # 申请调整牵头单位, waiting for the office
    REASSIGNED = "reassigned"  # the office agreed and gave the item another lead
    SUPERSEDED = "superseded"  # the office reassigned the item meanwhile


class AckStep(StrEnum):
    """The moves of ACK_TRANSITIONS (who may take them: RULES of the matching Action)."""

    ACKNOWLEDGE = "acknowledge"
    REQUEST_CHANGE = "request_change"
    APPROVE_CHANGE = "approve_change"
    REFUSE_CHANGE = "refuse_change"
    SUPERSEDE = "supersede"


class InstructionState(StrEnum):
    """A leader's instruction (批示): open until the lead department answers (落实情况)."""

    OPEN = "open"
    ANSWERED = "answered"


class InstructionStep(StrEnum):
    ANSWER = "answer"


class Action(StrEnum):
    """Everything a user can try to do to an item, a report or an indicator value."""

    VIEW = "view"
    EDIT_ITEM = "edit_item"
    ASSIGN_ITEM = "assign_item"
    RETIRE_ITEM = "retire_item"
    REOPEN_ITEM = "reopen_item"
    CONTRIBUTE = "contribute"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    CREATE_REPORT = "create_report"
    EDIT = "edit"
    SUBMIT = "submit"
    VERIFY = "verify"
    RETURN = "return"
    # 代报: the office writes (and then edits and submits) a report for the lead department.
    REPORT_ON_BEHALF = "report_on_behalf"
    VIEW_COORDINATION = "view_coordination"
    RESOLVE_COORDINATION = "resolve_coordination"
    # A liaison's submit when the department has an active approver (tracker/signoff):
    # to the approver first, who passes it on to the office (APPROVE) or returns it.
    SUBMIT_FOR_APPROVAL = "submit_for_approval"
    APPROVE = "approve"
    # 签收 (tracker/signoff/acknowledge.py): the lead acknowledges a new assignment or asks
    # the office to change the lead department; the office decides.
    ACKNOWLEDGE = "acknowledge"
    REQUEST_REASSIGNMENT = "request_reassignment"
    DECIDE_REASSIGNMENT = "decide_reassignment"
    # 领导批示 (tracker/signoff/instructions.py) and the lead department's 落实情况.
    WRITE_INSTRUCTION = "write_instruction"
    ANSWER_INSTRUCTION = "answer_instruction"


# (state, action) -> the state after it. Anything not listed is not a transition.
# Editing a returned report keeps it "returned" until it is resubmitted, so the reason
# stays in front of the liaison while they fix it.
TRANSITIONS: dict[tuple[ReviewState, Action], ReviewState] = {
    (ReviewState.DRAFT, Action.EDIT): ReviewState.DRAFT,
    (ReviewState.DRAFT, Action.SUBMIT): ReviewState.SUBMITTED,
    (ReviewState.RETURNED, Action.EDIT): ReviewState.RETURNED,
    (ReviewState.RETURNED, Action.SUBMIT): ReviewState.SUBMITTED,
    (ReviewState.SUBMITTED, Action.VERIFY): ReviewState.VERIFIED,
    (ReviewState.SUBMITTED, Action.RETURN): ReviewState.RETURNED,
    (ReviewState.DRAFT, Action.SUBMIT_FOR_APPROVAL): ReviewState.PENDING_APPROVAL,
    (ReviewState.RETURNED, Action.SUBMIT_FOR_APPROVAL): ReviewState.PENDING_APPROVAL,
    (ReviewState.PENDING_APPROVAL, Action.APPROVE): ReviewState.SUBMITTED,
    (ReviewState.PENDING_APPROVAL, Action.RETURN): ReviewState.RETURNED,
}


class Decision(StrEnum):
    """The two outcomes of DECIDE_EXTENSION, each a transition of its own."""

    APPROVE = "approve"
    REFUSE = "refuse"


# A pending extension request is decided once; who may decide is RULES[DECIDE_EXTENSION].
EXTENSION_TRANSITIONS: dict[tuple[ExtensionState, Decision], ExtensionState] = {
    (ExtensionState.PENDING, Decision.APPROVE): ExtensionState.APPROVED,
    (ExtensionState.PENDING, Decision.REFUSE): ExtensionState.REFUSED,
}


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

# An open coordination request is resolved once, with a note; RULES says who may.
COORDINATION_TRANSITIONS: dict[tuple[CoordinationState, Action], CoordinationState] = {
    (CoordinationState.OPEN, Action.RESOLVE_COORDINATION): CoordinationState.RESOLVED,
}

REVIEW_ACTIONS = frozenset({Action.EDIT, Action.SUBMIT, Action.VERIFY, Action.RETURN})
# An assignment is acknowledged once; a change request is decided once. Assigning the item
# anew (items.operations.assign_item) supersedes whatever is still open.
ACK_TRANSITIONS: dict[tuple[AckState, AckStep], AckState] = {
    (AckState.PENDING, AckStep.ACKNOWLEDGE): AckState.ACKNOWLEDGED,
    (AckState.PENDING, AckStep.REQUEST_CHANGE): AckState.CHANGE_REQUESTED,
    (AckState.CHANGE_REQUESTED, AckStep.APPROVE_CHANGE): AckState.REASSIGNED,
    (AckState.CHANGE_REQUESTED, AckStep.REFUSE_CHANGE): AckState.PENDING,
    (AckState.PENDING, AckStep.SUPERSEDE): AckState.SUPERSEDED,
    (AckState.ACKNOWLEDGED, AckStep.SUPERSEDE): AckState.SUPERSEDED,
    (AckState.CHANGE_REQUESTED, AckStep.SUPERSEDE): AckState.SUPERSEDED,
}

INSTRUCTION_TRANSITIONS: dict[tuple[InstructionState, InstructionStep], InstructionState] = {
    (InstructionState.OPEN, InstructionStep.ANSWER): InstructionState.ANSWERED,
}

REVIEW_ACTIONS = frozenset(
    {
        Action.EDIT,
        Action.SUBMIT,
        Action.VERIFY,
        Action.RETURN,
        Action.SUBMIT_FOR_APPROVAL,
        Action.APPROVE,
    }
)

OFFICE_ROLES = frozenset({Role.ADMIN, Role.OFFICE})
SEE_ALL_ROLES = frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER})


class Relation(StrEnum):
    """How the acting user's department relates to the object."""

    LEAD = "lead"
    CO = "co"
    NONE = "none"


# Who may take each action: a set of roles that may always do it, or liaisons (approvers)
# whose department stands in one of the given relations to the object.
@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role] = frozenset()
    liaison_relations: frozenset[Relation] = frozenset()
    approver_relations: frozenset[Relation] = frozenset()


_LEAD = frozenset({Relation.LEAD})
_LEAD_OR_CO = frozenset({Relation.LEAD, Relation.CO})

RULES: dict[Action, Rule] = {
    Action.VIEW: Rule(SEE_ALL_ROLES, _LEAD_OR_CO, _LEAD_OR_CO),
    Action.EDIT_ITEM: Rule(OFFICE_ROLES),
    Action.ASSIGN_ITEM: Rule(OFFICE_ROLES),
    Action.RETIRE_ITEM: Rule(OFFICE_ROLES),
    Action.REOPEN_ITEM: Rule(OFFICE_ROLES),
    Action.DECIDE_EXTENSION: Rule(OFFICE_ROLES),
    Action.CONTRIBUTE: Rule(frozenset(), _LEAD_OR_CO),
    Action.REQUEST_EXTENSION: Rule(frozenset(), _LEAD),
    Action.CREATE_REPORT: Rule(frozenset(), _LEAD),
    Action.EDIT: Rule(frozenset(), _LEAD),
    Action.SUBMIT: Rule(frozenset(), _LEAD),
    Action.VERIFY: Rule(OFFICE_ROLES),
    Action.RETURN: Rule(OFFICE_ROLES),
    Action.REPORT_ON_BEHALF: Rule(OFFICE_ROLES),
    Action.VIEW_COORDINATION: Rule(SEE_ALL_ROLES),
    Action.RESOLVE_COORDINATION: Rule(OFFICE_ROLES),
    Action.RETURN: Rule(OFFICE_ROLES, approver_relations=_LEAD),
    Action.SUBMIT_FOR_APPROVAL: Rule(frozenset(), _LEAD),
    Action.APPROVE: Rule(frozenset(), approver_relations=_LEAD),
    Action.ACKNOWLEDGE: Rule(frozenset(), _LEAD),
    Action.REQUEST_REASSIGNMENT: Rule(frozenset(), _LEAD),
    Action.DECIDE_REASSIGNMENT: Rule(OFFICE_ROLES),
    Action.WRITE_INSTRUCTION: Rule(frozenset({Role.LEADER})),
    Action.ANSWER_INSTRUCTION: Rule(frozenset(), _LEAD),
}

# Who acts in a given state when several may take the action in general: a report waiting
# for sign-off is the approver's to return, a submission the office's (anyone else: 409).
STATE_RULES: dict[tuple[ReviewState, Action], Rule] = {
    (ReviewState.PENDING_APPROVAL, Action.RETURN): Rule(approver_relations=_LEAD),
    (ReviewState.SUBMITTED, Action.RETURN): Rule(OFFICE_ROLES),
}


# A closed item (completed or retired) takes no new work: reopening it comes first. The
# office may still return a submission that was waiting when the item closed, decide a
# pending extension, edit and (re)assign it.
CLOSED_ITEM_BLOCKS = frozenset(
    {
        Action.CREATE_REPORT,
        Action.EDIT,
        Action.SUBMIT,
        Action.VERIFY,
        Action.SUBMIT_FOR_APPROVAL,
        Action.APPROVE,
        Action.ACKNOWLEDGE,
        Action.REQUEST_REASSIGNMENT,
        Action.WRITE_INSTRUCTION,
        Action.CONTRIBUTE,
        Action.REQUEST_EXTENSION,
        Action.RETIRE_ITEM,
        Action.REPORT_ON_BEHALF,
    }
)


# The office keeps the pen on a report it entered for a department (代报).
ON_BEHALF_ACTIONS = frozenset({Action.EDIT, Action.SUBMIT})


class Actor(Protocol):
    """The parts of a user the rules look at."""

    role: str
    department_id: int | None


@dataclass(frozen=True)
class Subject:
    """The parts of an item, report or indicator value the rules look at.

    For a report, `lead_department_id` is its item's lead; for an indicator value it is the
    indicator's responsible department. `state` is None for objects without review state.
    """

    lead_department_id: int | None
    co_department_ids: frozenset[int] = field(default_factory=frozenset)
    state: ReviewState | None = None
    closed: bool = False
    # For work items: a pending extension request is what the office can decide and what
    # the lead cannot ask for a second time.
    pending_extension: bool = False
    # A report the office entered for the department (代报): the office may edit and submit it.
    on_behalf: bool = False


def relation_of(actor: Actor, subject: Subject) -> Relation:
    """Whether the actor's department leads, co-owns or has nothing to do with the subject."""
    if actor.department_id is None:
        return Relation.NONE
    if actor.department_id == subject.lead_department_id:
        return Relation.LEAD
    if actor.department_id in subject.co_department_ids:
        return Relation.CO
    return Relation.NONE


def next_state(state: ReviewState, action: Action) -> ReviewState | None:
    """The state after `action`, or None when the table has no such transition."""
    return TRANSITIONS.get((ReviewState(state), action))


def can(actor: Actor, action: Action, subject: Subject) -> bool:
    """True when `actor` may take `action` on `subject` right now."""
    if action is not Action.VIEW and not can(actor, Action.VIEW, subject):
        return False
    if action in REVIEW_ACTIONS and (
        subject.state is None or next_state(subject.state, action) is None
    ):
        return False
    if action in CLOSED_ITEM_BLOCKS and subject.closed:
        return False
    if action is Action.REOPEN_ITEM and not subject.closed:
        return False
    if action is Action.REQUEST_EXTENSION and subject.pending_extension:
        return False
    if action is Action.DECIDE_EXTENSION and not subject.pending_extension:
        return False
    state_rule = STATE_RULES.get((subject.state, action)) if subject.state else None
    if state_rule is not None and not _allowed(state_rule, actor, subject):
        return False
    return permitted(actor, action, subject)


def permitted(actor: Actor, action: Action, subject: Subject) -> bool:
    """Whether role and department allow `action` at all, whatever the state right now.

    Services use it to tell "you may never do this" (403) from "not in this state" (409).
    """
    # 代报: the office acts on a report it entered for the department.
    if action in ON_BEHALF_ACTIONS and subject.on_behalf and Role(actor.role) in OFFICE_ROLES:
        return True
    return _allowed(RULES[action], actor, subject)


def _allowed(rule: Rule, actor: Actor, subject: Subject) -> bool:
    role = Role(actor.role)
    if role in rule.roles:
        return True
    if role is Role.LIAISON:
        return relation_of(actor, subject) in rule.liaison_relations
    if role is Role.APPROVER:
        return relation_of(actor, subject) in rule.approver_relations
    return False


def can_see_all(actor: Actor) -> bool:
    """Office, admins and leaders see every department's work; liaisons only their own."""
    return Role(actor.role) in SEE_ALL_ROLES


def is_office(actor: Actor) -> bool:
    """Reviewers: the leading-group office and administrators."""
    return Role(actor.role) in OFFICE_ROLES


# Letters: the office issues, closes, escalates and cancels; the addressed department's
# liaisons read and reply; leaders read all. A letter's Subject has the addressed department
# as `lead_department_id` and the letter's state as `state`.
LETTER_RULES: dict[LetterAction, Rule] = {
    LetterAction.VIEW: Rule(SEE_ALL_ROLES, _LEAD),
    LetterAction.ISSUE: Rule(OFFICE_ROLES),
    LetterAction.REPLY: Rule(frozenset(), _LEAD),
    LetterAction.CLOSE: Rule(OFFICE_ROLES),
    LetterAction.ESCALATE: Rule(OFFICE_ROLES),
    LetterAction.CANCEL: Rule(OFFICE_ROLES),
}


def letter_permitted(actor: Actor, action: LetterAction, subject: Subject) -> bool:
    """Whether role and department allow `action` on a letter at all, whatever its state."""
    rule = LETTER_RULES[action]
    role = Role(actor.role)
    if role in rule.roles:
        return True
    return role is Role.LIAISON and relation_of(actor, subject) in rule.liaison_relations


def can_letter(actor: Actor, action: LetterAction, subject: Subject) -> bool:
    """True when `actor` may take `action` on the letter described by `subject` now."""
    if action is not LetterAction.VIEW and not letter_permitted(actor, LetterAction.VIEW, subject):
        return False
    if action not in (LetterAction.VIEW, LetterAction.ISSUE) and (
        subject.state is None or (LetterState(subject.state), action) not in LETTER_TRANSITIONS
    ):
        return False
    return letter_permitted(actor, action, subject)
