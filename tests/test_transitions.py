"""The review kernel (tracker/transitions.py): every pair of the transition tables is a write,
every other pair is refused, a stale version loses, the winner alone writes its audit event
and its notice."""

from datetime import date

import pytest
from sqlalchemy import update

from tests.indicators_support import add_value, indicator
from tests.indicators_support import make_plan as make_indicator_plan
from tests.items_support import NOW, Scene, in_request, make_report  # noqa: F401
from tracker.errors import InvalidTransition, StaleVersion
from tracker.models import AuditEvent, ExtensionRequest, IndicatorValue, Notice, Report
from tracker.transitions import KINDS, moves, transition
from tracker.transitions import Notice as KernelNotice
from tracker.workflow import (
    DIRECT_REVIEW_STATES,
    DIRECT_TRANSITIONS,
    EXTENSION_TRANSITIONS,
    TRANSITIONS,
    Action,
    Decision,
    ExtensionState,
    ReviewState,
)


@pytest.fixture
def scene(db_session):
    return Scene()


def _report(scene, db_session, state: str) -> Report:
    report = db_session.query(Report).first() or make_report(scene.item, scene.lead, scene.focus)
    return _put(db_session, report, state)


def _value(db_session, state: str) -> IndicatorValue:
    row = db_session.query(IndicatorValue).first()
    if row is None:
        row = add_value(indicator(make_indicator_plan(), 6), 2023, 3500.0, state="draft")
    return _put(db_session, row, state)


def _request(scene, db_session, state: str) -> ExtensionRequest:
    request = db_session.query(ExtensionRequest).first()
    if request is None:
        request = ExtensionRequest(
            item_id=scene.item.id,
            requested_by_id=scene.lead.id,
            reason="施工延误",
            previous_due_date=scene.item.due_date,
            requested_due_date=date(2027, 6, 30),
            state="pending",
            created_at=NOW,
        )
        db_session.add(request)
        db_session.flush()
    return _put(db_session, request, state)


def _put(db_session, row, state: str):
    """Test set-up only: place a row in `state` whatever the table says."""
    model = type(row)
    db_session.execute(update(model).where(model.id == row.id).values(state=state))
    db_session.refresh(row)
    return row


def _make(kind, scene, db_session, state):
    if kind is Report:
        return _report(scene, db_session, state)
    if kind is IndicatorValue:
        return _value(db_session, state)
    return _request(scene, db_session, state)


ENTRIES = [(Report, *pair) for pair in TRANSITIONS.items()]
ENTRIES += [(IndicatorValue, *pair) for pair in DIRECT_TRANSITIONS.items()]
ENTRIES += [(ExtensionRequest, *pair) for pair in EXTENSION_TRANSITIONS.items()]


def test_the_kinds_read_the_workflow_tables():
    assert KINDS[Report].table is TRANSITIONS
    assert KINDS[IndicatorValue].table is DIRECT_TRANSITIONS
    assert KINDS[ExtensionRequest].table is EXTENSION_TRANSITIONS
    assert moves(Report, Action.SUBMIT) == {"draft": "submitted", "returned": "submitted"}
    assert moves(ExtensionRequest, Decision.REFUSE) == {"pending": "refused"}


@pytest.mark.parametrize(("kind", "pair", "target"), ENTRIES, ids=lambda v: str(v))
def test_every_table_entry_drives_a_write(kind, pair, target, scene, db_session):
    state, action = pair
    row = _make(kind, scene, db_session, state.value)
    version = getattr(row, "version", None)
    events, notices = db_session.query(AuditEvent).count(), db_session.query(Notice).count()
    transition(
        scene.office,
        row,
        action,
        now=NOW,
        event="test.moved",
        before={"state": state.value},
        after=lambda row: {"state": row.state},
        notice=KernelNotice([scene.lead.id], "report_submitted", {"code": "x"}, None),
    )
    db_session.expire_all()
    assert row.state == target.value
    if version is not None:
        assert row.version == version + 1
    event = db_session.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
    assert db_session.query(AuditEvent).count() == events + 1
    assert (event.action, event.before, event.after) == (
        "test.moved",
        {"state": state.value},
        {"state": target.value},
    )
    assert (event.actor_id, event.at) == (scene.office.id, NOW)
    assert db_session.query(Notice).count() == notices + 1


def _refused_pairs():
    pairs = []
    for kind, table, states, actions in (
        (Report, TRANSITIONS, ReviewState, [*Action]),
        (IndicatorValue, DIRECT_TRANSITIONS, DIRECT_REVIEW_STATES, [*Action]),
        (ExtensionRequest, EXTENSION_TRANSITIONS, ExtensionState, [*Decision]),
    ):
        pairs += [(kind, s, a) for s in states for a in actions if (s, a) not in table]
    return pairs


@pytest.mark.parametrize(("kind", "state", "action"), _refused_pairs(), ids=lambda v: str(v))
def test_a_pair_not_in_the_table_is_refused_and_writes_nothing(
    kind, state, action, scene, db_session
):
    row = _make(kind, scene, db_session, state.value)
    version = getattr(row, "version", None)
    events, notices = db_session.query(AuditEvent).count(), db_session.query(Notice).count()
    with pytest.raises(InvalidTransition):
        transition(
            scene.office,
            row,
            action,
            now=NOW,
            values={"updated_at": NOW} if kind is not ExtensionRequest else None,
            event="test.moved",
            notice=KernelNotice([scene.lead.id], "report_submitted", {}, None),
        )
    db_session.expire_all()
    assert row.state == state.value
    assert getattr(row, "version", None) == version
    assert db_session.query(AuditEvent).count() == events
    assert db_session.query(Notice).count() == notices


@pytest.mark.parametrize("kind", [Report, IndicatorValue])
def test_a_stale_version_loses_and_writes_nothing(kind, scene, db_session):
    row = _make(kind, scene, db_session, "submitted")
    loaded = row.version
    # Someone else moved the row on (same state, newer version) since this form was loaded.
    db_session.execute(update(kind).where(kind.id == row.id).values(version=kind.version + 1))
    events, notices = db_session.query(AuditEvent).count(), db_session.query(Notice).count()
    with pytest.raises(StaleVersion) as raised:
        transition(
            scene.office,
            row,
            Action.VERIFY,
            expected_version=loaded,
            now=NOW,
            event="test.moved",
            notice=KernelNotice([scene.lead.id], "report_verified", {}, None),
        )
    assert raised.value.current_version == loaded + 1
    db_session.expire_all()
    assert (row.state, row.version) == ("submitted", loaded + 1)
    assert db_session.query(AuditEvent).count() == events
    assert db_session.query(Notice).count() == notices


def test_of_two_decisions_only_the_first_wins(scene, db_session):
    report = _report(scene, db_session, "submitted")
    seen = report.version
    transition(scene.office, report, Action.RETURN, expected_version=seen, now=NOW, event="a")
    with pytest.raises(StaleVersion):
        transition(scene.office2, report, Action.VERIFY, expected_version=seen, now=NOW)
    request = _request(scene, db_session, "pending")
    transition(scene.office, request, Decision.APPROVE, now=NOW)
    with pytest.raises(InvalidTransition):
        transition(scene.office2, request, Decision.REFUSE, now=NOW)
    db_session.expire_all()
    assert (report.state, request.state) == ("returned", "approved")


def test_effects_run_after_the_win_and_join_the_audit(scene, db_session):
    report = _report(scene, db_session, "draft")
    seen = []
    transition(
        scene.lead,
        report,
        Action.SUBMIT,
        now=NOW,
        effects=lambda row: seen.append(row.state) or {"revision": 1},
        event="report.submitted",
        after={"state": "submitted"},
    )
    assert seen == ["submitted"]
    event = db_session.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
    assert event.after == {"state": "submitted", "revision": 1}


def test_an_edit_keeps_the_state_it_came_from_and_records_nothing_when_asked(scene, db_session):
    report = _report(scene, db_session, "returned")
    events = db_session.query(AuditEvent).count()
    transition(scene.lead, report, Action.EDIT, now=NOW, event="x", after=lambda row: None)
    assert report.state == "returned"
    assert db_session.query(AuditEvent).count() == events
