"""The review state machine of reports, indicator values and milestone plans, and `can()`.

draft → (pending_approval →) submitted → verified, or returned with a reason. `can()` is
what views, services, templates and the API all ask, so a button is hidden exactly when
the server would refuse.
"""

from __future__ import annotations

from enum import StrEnum

from tracker.workflow.roles import (
    LEAD,
    LEAD_OR_CO,
    OFFICE_ROLES,
    SEE_ALL_ROLES,
    Actor,
    ReviewState,
    Role,
    Rule,
    Subject,
    allowed,
)


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

# The same flow without the department's sign-off, for what the office reviews directly
# (indicator values, milestone plans and claims): the kernel refuses the sign-off moves there.
SIGNOFF_ACTIONS = frozenset({Action.SUBMIT_FOR_APPROVAL, Action.APPROVE})
DIRECT_TRANSITIONS: dict[tuple[ReviewState, Action], ReviewState] = {
    (state, action): target
    for (state, action), target in TRANSITIONS.items()
    if action not in SIGNOFF_ACTIONS and state is not ReviewState.PENDING_APPROVAL
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

RULES: dict[Action, Rule] = {
    Action.VIEW: Rule(SEE_ALL_ROLES, LEAD_OR_CO, LEAD_OR_CO),
    Action.EDIT_ITEM: Rule(OFFICE_ROLES),
    Action.ASSIGN_ITEM: Rule(OFFICE_ROLES),
    Action.RETIRE_ITEM: Rule(OFFICE_ROLES),
    Action.REOPEN_ITEM: Rule(OFFICE_ROLES),
    Action.DECIDE_EXTENSION: Rule(OFFICE_ROLES),
    Action.CONTRIBUTE: Rule(frozenset(), LEAD_OR_CO),
    Action.REQUEST_EXTENSION: Rule(frozenset(), LEAD),
    Action.CREATE_REPORT: Rule(frozenset(), LEAD),
    Action.EDIT: Rule(frozenset(), LEAD),
    Action.SUBMIT: Rule(frozenset(), LEAD),
    Action.VERIFY: Rule(OFFICE_ROLES),
    # The office returns a submission, the approver a report waiting for sign-off
    # (STATE_RULES says which in which state).
    Action.RETURN: Rule(OFFICE_ROLES, approver_relations=LEAD),
    Action.REPORT_ON_BEHALF: Rule(OFFICE_ROLES),
    Action.VIEW_COORDINATION: Rule(SEE_ALL_ROLES),
    Action.RESOLVE_COORDINATION: Rule(OFFICE_ROLES),
    Action.SUBMIT_FOR_APPROVAL: Rule(frozenset(), LEAD),
    Action.APPROVE: Rule(frozenset(), approver_relations=LEAD),
    Action.ACKNOWLEDGE: Rule(frozenset(), LEAD),
    Action.REQUEST_REASSIGNMENT: Rule(frozenset(), LEAD),
    Action.DECIDE_REASSIGNMENT: Rule(OFFICE_ROLES),
    Action.WRITE_INSTRUCTION: Rule(frozenset({Role.LEADER})),
    Action.ANSWER_INSTRUCTION: Rule(frozenset(), LEAD),
}

# Who acts in a given state when several may take the action in general: a report waiting
# for sign-off is the approver's to return, a submission the office's (anyone else: 409).
STATE_RULES: dict[tuple[ReviewState, Action], Rule] = {
    (ReviewState.PENDING_APPROVAL, Action.RETURN): Rule(approver_relations=LEAD),
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
    if state_rule is not None and not allowed(state_rule, actor, subject):
        return False
    return permitted(actor, action, subject)


def permitted(actor: Actor, action: Action, subject: Subject) -> bool:
    """Whether role and department allow `action` at all, whatever the state right now.

    Services use it to tell "you may never do this" (403) from "not in this state" (409).
    """
    # 代报: the office acts on a report it entered for the department.
    if action in ON_BEHALF_ACTIONS and subject.on_behalf and Role(actor.role) in OFFICE_ROLES:
        return True
    return allowed(RULES[action], actor, subject)
