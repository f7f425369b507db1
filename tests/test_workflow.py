"""The pure state machine and `can()`: every (state, action, role, relation) combination.

The expectations are written a second time here, in a different shape from the module
(who may act × in which states), so a slip in one is caught by the other. A few cells are
also spelled out by hand, and hypothesis drives a report through random action sequences.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from tracker.workflow import (
    TRANSITIONS,
    Action,
    Relation,
    ReviewState,
    Role,
    Subject,
    can,
    can_see_all,
    is_office,
    next_state,
    relation_of,
)

LEAD_DEPT, CO_DEPT, OTHER_DEPT = 1, 2, 3


@dataclass(frozen=True)
class FakeUser:
    role: str
    department_id: int | None


DEPT_FOR = {Relation.LEAD: LEAD_DEPT, Relation.CO: CO_DEPT, Relation.NONE: OTHER_DEPT}

# Who may take each action, whatever the state: office-like roles by name, liaisons and
# approvers by how their department relates to the item.
OFFICE = {"admin", "office"}
WHO: dict[Action, set[str]] = {
    Action.VIEW: {
        "admin",
        "office",
        "leader",
        "liaison:lead",
        "liaison:co",
        "approver:lead",
        "approver:co",
    },
    Action.EDIT_ITEM: OFFICE,
    Action.ASSIGN_ITEM: OFFICE,
    Action.RETIRE_ITEM: OFFICE,
    Action.REOPEN_ITEM: OFFICE,
    Action.DECIDE_EXTENSION: OFFICE,
    Action.VERIFY: OFFICE,
    Action.RETURN: OFFICE | {"approver:lead"},
    Action.CONTRIBUTE: {"liaison:lead", "liaison:co"},
    Action.REQUEST_EXTENSION: {"liaison:lead"},
    Action.CREATE_REPORT: {"liaison:lead"},
    Action.EDIT: {"liaison:lead"},
    Action.SUBMIT: {"liaison:lead"},
    Action.REPORT_ON_BEHALF: OFFICE,
    Action.VIEW_COORDINATION: {"admin", "office", "leader"},
    Action.RESOLVE_COORDINATION: OFFICE,
    Action.SUBMIT_FOR_APPROVAL: {"liaison:lead"},
    Action.APPROVE: {"approver:lead"},
    Action.ACKNOWLEDGE: {"liaison:lead"},
    Action.REQUEST_REASSIGNMENT: {"liaison:lead"},
    Action.DECIDE_REASSIGNMENT: OFFICE,
    Action.WRITE_INSTRUCTION: {"leader"},
    Action.ANSWER_INSTRUCTION: {"liaison:lead"},
}
# The review states in which a review action makes sense (None: no review state at all).
WHEN: dict[Action, set[ReviewState]] = {
    Action.EDIT: {ReviewState.DRAFT, ReviewState.RETURNED},
    Action.SUBMIT: {ReviewState.DRAFT, ReviewState.RETURNED},
    Action.SUBMIT_FOR_APPROVAL: {ReviewState.DRAFT, ReviewState.RETURNED},
    Action.APPROVE: {ReviewState.PENDING_APPROVAL},
    Action.VERIFY: {ReviewState.SUBMITTED},
    Action.RETURN: {ReviewState.SUBMITTED, ReviewState.PENDING_APPROVAL},
}
# Who returns in which state: the approver a report waiting for sign-off, the office a
# submission.
RETURNS_IN = {ReviewState.PENDING_APPROVAL: {"approver:lead"}, ReviewState.SUBMITTED: OFFICE}
NOT_WHEN_CLOSED = {
    Action.CREATE_REPORT,
    Action.EDIT,
    Action.SUBMIT,
    Action.VERIFY,
    Action.CONTRIBUTE,
    Action.REQUEST_EXTENSION,
    Action.RETIRE_ITEM,
    Action.REPORT_ON_BEHALF,
    Action.SUBMIT_FOR_APPROVAL,
    Action.APPROVE,
    Action.ACKNOWLEDGE,
    Action.REQUEST_REASSIGNMENT,
    Action.WRITE_INSTRUCTION,
}


def expected(role: Role, relation: Relation, action: Action, state, closed, pending) -> bool:
    by_relation = role in (Role.LIAISON, Role.APPROVER)
    who = f"{role.value}:{relation.value}" if by_relation else role.value
    if who not in WHO[action]:
        return False
    if action is Action.RETURN and state in RETURNS_IN and who not in RETURNS_IN[state]:
        return False
    if action in WHEN and state not in WHEN[action]:
        return False
    if closed and action in NOT_WHEN_CLOSED:
        return False
    if action is Action.REOPEN_ITEM and not closed:
        return False
    if action is Action.REQUEST_EXTENSION and pending:
        return False
    return not (action is Action.DECIDE_EXTENSION and not pending)


STATES = [None, *ReviewState]
ALL_CELLS = list(itertools.product(STATES, Action, Role, Relation, (False, True), (False, True)))


def _subject(state, closed=False, pending=False) -> Subject:
    return Subject(
        lead_department_id=LEAD_DEPT,
        co_department_ids=frozenset({CO_DEPT}),
        state=state,
        closed=closed,
        pending_extension=pending,
    )


@pytest.mark.parametrize(
    "state",
    STATES,
    ids=lambda s: s.value if s else "no-state",
)
def test_every_cell_matches_the_written_expectation(state):
    """All actions × roles × relations × closed × pending-extension, for one state."""
    mismatches = []
    for cell in ALL_CELLS:
        cell_state, action, role, relation, closed, pending = cell
        if cell_state != state:
            continue
        actor = FakeUser(role.value, DEPT_FOR[relation])
        got = can(actor, action, _subject(state, closed, pending))
        if got != expected(role, relation, action, state, closed, pending):
            mismatches.append((action.value, role.value, relation.value, closed, pending, got))
    assert not mismatches


def test_the_grid_is_exhaustive_and_mostly_denials():
    allowed = sum(
        can(FakeUser(role.value, DEPT_FOR[rel]), action, _subject(state, closed, pending))
        for state, action, role, rel, closed, pending in ALL_CELLS
    )
    assert len(ALL_CELLS) == len(STATES) * len(Action) * len(Role) * 3 * 2 * 2
    # Denials dominate: a new "allow" anywhere changes this number and must be deliberate.
    assert allowed == sum(expected(*_reorder(c)) for c in ALL_CELLS)
    assert allowed < len(ALL_CELLS) // 3


def _reorder(cell):
    state, action, role, relation, closed, pending = cell
    return role, relation, action, state, closed, pending


# A few cells by hand, the ones people ask about.
@pytest.mark.parametrize(
    ("role", "relation", "action", "state", "closed", "allowed"),
    [
        (Role.LIAISON, Relation.LEAD, Action.SUBMIT, ReviewState.DRAFT, False, True),
        (Role.LIAISON, Relation.LEAD, Action.SUBMIT, ReviewState.RETURNED, False, True),
        (Role.LIAISON, Relation.LEAD, Action.SUBMIT, ReviewState.SUBMITTED, False, False),
        (Role.LIAISON, Relation.LEAD, Action.EDIT, ReviewState.VERIFIED, False, False),
        (Role.LIAISON, Relation.CO, Action.SUBMIT, ReviewState.DRAFT, False, False),
        (Role.LIAISON, Relation.CO, Action.CONTRIBUTE, None, False, True),
        (Role.LIAISON, Relation.NONE, Action.VIEW, None, False, False),
        (Role.LIAISON, Relation.LEAD, Action.VERIFY, ReviewState.SUBMITTED, False, False),
        (Role.OFFICE, Relation.NONE, Action.VERIFY, ReviewState.SUBMITTED, False, True),
        (Role.OFFICE, Relation.NONE, Action.VERIFY, ReviewState.SUBMITTED, True, False),
        (Role.OFFICE, Relation.NONE, Action.RETURN, ReviewState.SUBMITTED, True, True),
        (Role.OFFICE, Relation.NONE, Action.SUBMIT, ReviewState.DRAFT, False, False),
        (Role.ADMIN, Relation.NONE, Action.RETURN, ReviewState.SUBMITTED, False, True),
        (Role.LEADER, Relation.NONE, Action.VIEW, None, False, True),
        (Role.LEADER, Relation.NONE, Action.VERIFY, ReviewState.SUBMITTED, False, False),
        (Role.OFFICE, Relation.NONE, Action.REOPEN_ITEM, None, False, False),
        (Role.OFFICE, Relation.NONE, Action.REOPEN_ITEM, None, True, True),
        (Role.LIAISON, Relation.LEAD, Action.CREATE_REPORT, None, True, False),
        (Role.APPROVER, Relation.LEAD, Action.APPROVE, ReviewState.PENDING_APPROVAL, False, True),
        (Role.APPROVER, Relation.NONE, Action.APPROVE, ReviewState.PENDING_APPROVAL, False, False),
        (Role.APPROVER, Relation.LEAD, Action.RETURN, ReviewState.PENDING_APPROVAL, False, True),
        (Role.APPROVER, Relation.LEAD, Action.RETURN, ReviewState.SUBMITTED, False, False),
        (Role.OFFICE, Relation.NONE, Action.RETURN, ReviewState.PENDING_APPROVAL, False, False),
        (Role.APPROVER, Relation.LEAD, Action.EDIT, ReviewState.DRAFT, False, False),
        (Role.LEADER, Relation.NONE, Action.WRITE_INSTRUCTION, None, False, True),
        (Role.LEADER, Relation.NONE, Action.WRITE_INSTRUCTION, None, True, False),
        (Role.LIAISON, Relation.CO, Action.ACKNOWLEDGE, None, False, False),
    ],
)
def test_hand_written_cells(role, relation, action, state, closed, allowed):
    actor = FakeUser(role.value, DEPT_FOR[relation])
    assert can(actor, action, _subject(state, closed)) is allowed


def test_extension_rules_follow_the_pending_request():
    lead = FakeUser("liaison", LEAD_DEPT)
    office = FakeUser("office", 9)
    assert can(lead, Action.REQUEST_EXTENSION, _subject(None))
    assert not can(lead, Action.REQUEST_EXTENSION, _subject(None, pending=True))
    assert not can(office, Action.DECIDE_EXTENSION, _subject(None))
    assert can(office, Action.DECIDE_EXTENSION, _subject(None, pending=True))
    assert can(office, Action.DECIDE_EXTENSION, _subject(None, closed=True, pending=True))


def test_transition_table_is_the_documented_flow():
    assert TRANSITIONS == {
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
    for state, action in itertools.product(ReviewState, Action):
        assert next_state(state, action) == TRANSITIONS.get((state, action))
    # Nothing leaves "verified": a verified report is immutable.
    assert all(next_state(ReviewState.VERIFIED, action) is None for action in Action)


def test_relation_and_role_helpers():
    subject = _subject(None)
    assert relation_of(FakeUser("liaison", LEAD_DEPT), subject) is Relation.LEAD
    assert relation_of(FakeUser("liaison", CO_DEPT), subject) is Relation.CO
    assert relation_of(FakeUser("liaison", OTHER_DEPT), subject) is Relation.NONE
    assert relation_of(FakeUser("liaison", None), subject) is Relation.NONE
    assert can_see_all(FakeUser("leader", 1)) and not is_office(FakeUser("leader", 1))
    assert is_office(FakeUser("admin", 1)) and is_office(FakeUser("office", 1))
    assert not can_see_all(FakeUser("liaison", 1))


def test_the_office_keeps_the_pen_on_a_report_it_entered():
    """代报: the office edits and submits its own on-behalf report, nobody else's."""
    office = FakeUser("office", 9)
    mine = Subject(LEAD_DEPT, state=ReviewState.DRAFT, on_behalf=True)
    theirs = Subject(LEAD_DEPT, state=ReviewState.DRAFT)
    assert can(office, Action.EDIT, mine) and can(office, Action.SUBMIT, mine)
    assert not can(office, Action.EDIT, theirs) and not can(office, Action.SUBMIT, theirs)
    assert not can(office, Action.VERIFY, mine)
    assert not can(FakeUser("leader", 9), Action.EDIT, mine)
    closed = Subject(LEAD_DEPT, state=ReviewState.DRAFT, on_behalf=True, closed=True)
    assert not can(office, Action.SUBMIT, closed)


def test_an_item_without_lead_is_visible_to_no_liaison():
    orphan = Subject(lead_department_id=None)
    assert not can(FakeUser("liaison", LEAD_DEPT), Action.VIEW, orphan)
    assert not can(FakeUser("liaison", None), Action.VIEW, orphan)
    assert can(FakeUser("office", 9), Action.ASSIGN_ITEM, orphan)


class ReportLifecycle(RuleBasedStateMachine):
    """Random sequences of attempts: only allowed ones move the state, verified is final."""

    def __init__(self):
        super().__init__()
        self.state = ReviewState.DRAFT
        self.history = [self.state]

    @rule(
        action=st.sampled_from([Action.EDIT, Action.SUBMIT, Action.VERIFY, Action.RETURN]),
        who=st.sampled_from(
            [
                FakeUser("liaison", LEAD_DEPT),
                FakeUser("liaison", CO_DEPT),
                FakeUser("liaison", OTHER_DEPT),
                FakeUser("office", 9),
                FakeUser("admin", 9),
                FakeUser("leader", 9),
            ]
        ),
    )
    def attempt(self, action, who):
        before = self.state
        if can(who, action, _subject(self.state)):
            self.state = next_state(self.state, action)
            assert self.state is not None
        else:
            assert self.state == before
        self.history.append(self.state)

    @invariant()
    def verified_is_final(self):
        if ReviewState.VERIFIED in self.history:
            first = self.history.index(ReviewState.VERIFIED)
            assert set(self.history[first:]) == {ReviewState.VERIFIED}

    @invariant()
    def every_step_is_in_the_table(self):
        for a, b in itertools.pairwise(self.history):
            assert a == b or any(TRANSITIONS.get((a, action)) == b for action in Action)


ReportLifecycle.TestCase.settings = settings(max_examples=60, stateful_step_count=25)
TestReportLifecycle = ReportLifecycle.TestCase


def test_permitted_ignores_state_and_closedness():
    """`permitted` answers "may this role ever", so services can tell 403 from 409."""
    from tracker.workflow import permitted

    lead = FakeUser("liaison", LEAD_DEPT)
    for state, closed in itertools.product(STATES, (False, True)):
        subject = _subject(state, closed)
        assert permitted(lead, Action.SUBMIT, subject)
        assert not permitted(lead, Action.VERIFY, subject)
        assert permitted(FakeUser("office", 9), Action.VERIFY, subject)
        assert not permitted(FakeUser("leader", 9), Action.VERIFY, subject)
        assert not permitted(FakeUser("liaison", CO_DEPT), Action.SUBMIT, subject)
    for cell in ALL_CELLS:
        state, action, role, relation, closed, pending = cell
        actor = FakeUser(role.value, DEPT_FOR[relation])
        subject = _subject(state, closed, pending)
        if can(actor, action, subject):
            assert permitted(actor, action, subject)
