"""Indicator value reporting and review, and the office's indicator edits (operations)."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tests.indicators_support import add_value, indicator, make_plan
from tracker.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from tracker.extensions import db
from tracker.indicators import operations
from tracker.indicators.operations import (
    assign_indicator,
    report_value,
    return_value,
    save_value_draft,
    submit_value,
    update_indicator,
    verify_value,
)
from tracker.indicators.queries import status_grid
from tracker.indicators.specs import value_subject
from tracker.models import AuditEvent, IndicatorValue, Notice
from tracker.workflow import DIRECT_REVIEW_STATES, Action, can

TODAY = date(2026, 11, 27)
pytestmark = pytest.mark.today(TODAY.isoformat())
NOW = datetime(2026, 11, 27, 3, 0)


@pytest.fixture(autouse=True)
def _request_context(app):
    """Messages are translated (English here); tracker.i18n reads the locale from a request."""
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture
def world(factories):
    """A plan whose floor indicator 1 belongs to 市市场监管局, with a liaison, office, leader."""
    plan = make_plan()
    department = factories.department("市市场监管局")
    other = factories.department("市发改委")
    ind = indicator(plan, 1)
    ind.department = department
    db.session.flush()

    class World:
        pass

    w = World()
    w.plan, w.ind, w.department = plan, ind, department
    w.liaison = factories.user("liaison", department)
    w.other_liaison = factories.user("liaison", other)
    w.office = factories.user("office")
    w.leader = factories.user("leader")
    w.admin = factories.user("admin")
    return w


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _report(w, year=2023, value="97.2", **kwargs):
    return report_value(w.liaison, w.ind, year=year, value=value, today=TODAY, **kwargs)


# --- reporting ---------------------------------------------------------------------------


def test_liaison_reports_a_draft_with_an_audit_event(world):
    row = _report(world, note="统计局口径")
    assert (row.state, row.year, row.value_number, row.value_text) == ("draft", 2023, 97.2, "97.2")
    assert row.author_id == world.liaison.id and row.note == "统计局口径"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.object_id == row.id))
    assert event.action == "indicator_value.created"
    assert event.after["value_text"] == "97.2"


def test_full_width_input_is_normalised(world):
    row = _report(world, value="９７．５")
    assert row.value_number == 97.5


@pytest.mark.parametrize(
    ("year", "value", "field", "text"),
    [
        (2023, "九十七", "value", "is not a number"),
        (2023, "about 97", "value", "is not a number"),
        (2023, "101", "value", "above 100"),
        (2023, "", "value", "Enter a value"),
        (2020, "97", "year", "outside the plan period 2021–2025"),
        (2026, "97", "year", "outside the plan period"),
        ("x", "97", "year", "Choose a year"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    world, year, value, field, text
):
    with pytest.raises(ValidationFailed) as caught:
        _report(world, year=year, value=value)
    assert text in caught.value.errors[field]
    assert _count(IndicatorValue) == 0
    assert _count(AuditEvent) == 0


def test_a_year_that_has_not_begun_is_refused(world):
    with pytest.raises(ValidationFailed) as caught:
        report_value(world.liaison, world.ind, year=2024, value="97", today=date(2023, 12, 31))
    assert "has not begun" in caught.value.errors["year"]


def test_counts_ranks_and_milestones_are_checked_by_kind(world, factories):
    for number in (11, 18, 9):
        indicator(world.plan, number).department = world.department
    db.session.flush()
    cases = [(11, "-3", "negative"), (18, "0", "not a position"), (9, "maybe", "milestone")]
    for number, value, text in cases:
        with pytest.raises(ValidationFailed) as caught:
            report_value(
                world.liaison, indicator(world.plan, number), year=2023, value=value, today=TODAY
            )
        assert text in caught.value.errors["value"]
    rank = report_value(
        world.liaison, indicator(world.plan, 18), year=2023, value="第三", today=TODAY
    )
    assert (rank.value_number, rank.value_text) == (3.0, "3")
    done = report_value(
        world.liaison, indicator(world.plan, 9), year=2023, value="已完成", today=TODAY
    )
    assert (done.value_number, done.value_text) == (None, "完成")


def test_a_second_value_for_the_same_year_is_refused(world):
    first = _report(world)
    submit_value(world.liaison, first, now=NOW)
    with pytest.raises(ValidationFailed) as caught:
        _report(world, value="98")
    assert "already been reported" in caught.value.errors["year"]
    assert _count(IndicatorValue) == 1


def test_the_unique_constraint_catches_a_race_on_the_same_year(world, monkeypatch):
    """Two liaisons saving 2023 at once: both pass the check; the database refuses one."""
    _report(world)
    db.session.commit()
    monkeypatch.setattr(operations, "year_taken", lambda *_: False)
    with pytest.raises(ValidationFailed) as caught:
        _report(world, value="98")
    assert "already been reported" in caught.value.errors["year"]
    db.session.rollback()  # what every caller does on ValidationFailed
    assert _count(IndicatorValue) == 1
    assert db.session.scalar(select(IndicatorValue.value_text)) == "97.2"


def test_all_bad_fields_are_reported_together(world):
    _report(world)
    with pytest.raises(ValidationFailed) as caught:
        _report(world, value="lots", note="x" * 5000)
    assert set(caught.value.errors) == {"year", "value", "note"}


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("other_liaison", NotFound),
        ("office", PermissionDenied),
        ("leader", PermissionDenied),
        ("admin", PermissionDenied),
    ],
)
def test_only_the_responsible_liaison_reports(world, who, error):
    with pytest.raises(error):
        report_value(getattr(world, who), world.ind, year=2023, value="97", today=TODAY)
    assert _count(IndicatorValue) == 0


def test_an_unassigned_indicator_cannot_be_reported_by_any_liaison(world):
    unassigned = indicator(world.plan, 6)
    with pytest.raises(NotFound):
        report_value(world.liaison, unassigned, year=2023, value="3500", today=TODAY)


def test_archived_plan_takes_no_values(world):
    world.plan.status = "archived"
    with pytest.raises(ValidationFailed):
        _report(world)


# --- the review flow ----------------------------------------------------------------------


def test_draft_submit_verify_notifies_and_only_then_counts(world):
    row = _report(world, value="95")  # below the floor of 96
    grid = status_grid(world.plan, TODAY)
    assert grid.rows[0].latest is None  # a draft does not count
    submit_value(world.liaison, row, now=NOW)
    assert (row.state, row.submitted_at) == ("submitted", NOW)
    office_notice = db.session.scalar(select(Notice).where(Notice.user_id == world.office.id))
    assert office_notice.kind == "value_submitted"
    assert office_notice.link == f"/indicators/values/{row.id}/review"
    assert status_grid(world.plan, TODAY).rows[0].latest is None  # nor does a submission
    verify_value(world.office, row, now=NOW, comment="数据核实无误")
    assert (row.state, row.reviewer_id, row.review_comment) == (
        "verified",
        world.office.id,
        "数据核实无误",
    )
    latest = status_grid(world.plan, TODAY).rows[0].latest
    assert (latest.year, latest.status.value, latest.warning) == (2023, "not_met", True)
    liaison_notice = db.session.scalar(
        select(Notice).where(Notice.user_id == world.liaison.id, Notice.kind == "value_verified")
    )
    assert liaison_notice is not None
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == [
        "indicator_value.created",
        "indicator_value.submitted",
        "indicator_value.verified",
    ]


def test_return_needs_a_reason_then_edit_keeps_returned_until_resubmitted(world):
    row = _report(world, submit=True, now=NOW)
    assert row.state == "submitted"
    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as caught:
            return_value(world.office, row, reason=reason, now=NOW)
        assert "reason" in caught.value.errors
    assert row.state == "submitted"
    return_value(world.office, row, reason="请补充数据来源", now=NOW)
    assert (row.state, row.review_comment) == ("returned", "请补充数据来源")
    notice = db.session.scalar(
        select(Notice).where(Notice.user_id == world.liaison.id, Notice.kind == "value_returned")
    )
    assert notice.params["reason"] == "请补充数据来源"
    save_value_draft(world.liaison, row, value="97.4", note="已补充来源")
    assert (row.state, row.value_number) == ("returned", 97.4)
    submit_value(world.liaison, row, now=NOW)
    assert row.state == "submitted"
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "indicator_value.returned")
    )
    assert event.comment == "请补充数据来源"


REVIEW_CALLS = {
    Action.EDIT: lambda actor, row: save_value_draft(actor, row, value="97"),
    Action.SUBMIT: lambda actor, row: submit_value(actor, row, now=NOW),
    Action.VERIFY: lambda actor, row: verify_value(actor, row, now=NOW),
    Action.RETURN: lambda actor, row: return_value(actor, row, reason="原因", now=NOW),
}


# Indicator values have no department sign-off: pending_approval is not one of their states.
@pytest.mark.parametrize("state", [s.value for s in DIRECT_REVIEW_STATES])
@pytest.mark.parametrize("action", list(REVIEW_CALLS))
@pytest.mark.parametrize("who", ["liaison", "other_liaison", "office", "leader", "admin"])
def test_every_state_action_role_follows_the_workflow_table(world, state, action, who):
    """Allowed exactly when workflow.can says so; otherwise nothing changes, logs or mails."""
    row = add_value(world.ind, 2023, 97.0, state=state)
    actor = getattr(world, who)
    allowed = can(actor, action, value_subject(world.ind, state))
    before = (_count(AuditEvent), _count(Notice), row.version)
    if allowed:
        REVIEW_CALLS[action](actor, row)
        assert row.version == before[2] + 1
        assert _count(AuditEvent) == before[0] + 1
        return
    role_may = (who == "liaison" and action in (Action.EDIT, Action.SUBMIT)) or (
        who in ("office", "admin") and action in (Action.VERIFY, Action.RETURN)
    )
    # Another department's value is invisible (404); a wrong state is a conflict (409).
    expected = (
        NotFound if who == "other_liaison" else InvalidTransition if role_may else PermissionDenied
    )
    with pytest.raises(expected):
        REVIEW_CALLS[action](actor, row)
    db.session.refresh(row)
    assert (row.state, row.version) == (state, before[2])
    assert (_count(AuditEvent), _count(Notice)) == before[:2]


def test_a_stale_edit_is_refused_and_the_newer_value_survives(world):
    row = _report(world)
    loaded_at = row.version
    save_value_draft(world.liaison, row, value="97.6", expected_version=loaded_at)
    with pytest.raises(StaleVersion) as caught:
        save_value_draft(world.liaison, row, value="99", expected_version=loaded_at)
    assert caught.value.current_version == loaded_at + 1
    assert row.value_number == 97.6


def test_second_reviewer_acting_on_an_old_page_loses(world):
    """Two reviewers load the submitted value; one verifies; the other's return is refused."""
    row = _report(world, submit=True, now=NOW)
    seen = row.version
    verify_value(world.office, row, now=NOW, expected_version=seen)
    db.session.commit()
    with pytest.raises(InvalidTransition):
        return_value(world.admin, row, reason="晚了", now=NOW, expected_version=seen)
    assert row.state == "verified"
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.in_(["indicator_value.verified", "indicator_value.returned"]))
        )
        == 1
    )


def test_the_guarded_update_refuses_when_the_row_changed_underneath(world):
    """The in-memory row still says submitted, the database says verified: no second win."""
    row = _report(world, submit=True, now=NOW)
    db.session.execute(
        IndicatorValue.__table__.update()
        .where(IndicatorValue.id == row.id)
        .values(state="verified", version=IndicatorValue.version + 1)
    )
    with pytest.raises(InvalidTransition):
        return_value(world.office, row, reason="原因", now=NOW)
    assert row.state == "verified"


# --- the office's corrections ----------------------------------------------------------------


def test_office_corrects_parsed_fields_from_plan_text(world):
    version = world.ind.version
    update_indicator(
        world.office,
        world.ind,
        expected_version=version,
        name="制造业产品质量合格率（修正）",
        target="不低于96.5",
        baseline="96.56",
        unit="%",
        attribute="约束性",
        kind="floor",
    )
    assert (world.ind.target, world.ind.target_text, world.ind.version) == (
        96.5,
        "96.5",
        version + 1,
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "indicator.updated"))
    assert event.before["target"] == 96.0 and event.after["target"] == 96.5


def test_changing_the_kind_keeps_the_cumulative_flag_in_step(world):
    update_indicator(
        world.office,
        world.ind,
        expected_version=world.ind.version,
        kind="cumulative",
        baseline="[56]",
        target="[100]",
    )
    assert (world.ind.kind, world.ind.cumulative, world.ind.target) == ("cumulative", True, 100.0)


def test_a_stale_indicator_edit_is_refused_and_the_first_survives(world):
    loaded = world.ind.version
    update_indicator(world.office, world.ind, expected_version=loaded, name="第一次修改")
    with pytest.raises(StaleVersion):
        update_indicator(world.office, world.ind, expected_version=loaded, name="第二次修改")
    db.session.refresh(world.ind)
    assert world.ind.name == "第一次修改"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"number": 6}, "number"),
        ({"name": " "}, "name"),
        ({"kind": "target", "baseline": ""}, "baseline"),
        ({"kind": "rank", "target": "2.5"}, "target"),
        ({"target": "差不多"}, "target"),
        ({"attribute": "强制性"}, "attribute"),
        ({"state": "verified"}, "state"),
    ],
)
def test_indicator_edit_validation(world, fields, field):
    with pytest.raises(ValidationFailed) as caught:
        update_indicator(world.office, world.ind, expected_version=world.ind.version, **fields)
    assert field in caught.value.errors


@pytest.mark.parametrize("who", ["liaison", "leader"])
def test_only_the_office_edits_and_assigns(world, who):
    actor = getattr(world, who)
    with pytest.raises(PermissionDenied):
        update_indicator(actor, world.ind, expected_version=world.ind.version, name="x")
    with pytest.raises(PermissionDenied):
        assign_indicator(actor, world.ind, None)


def test_assigning_tells_the_new_department(world, factories):
    target = factories.department("市科技局")
    liaison = factories.user("liaison", target)
    assign_indicator(world.office, world.ind, target, expected_version=world.ind.version)
    assert world.ind.department_id == target.id
    notice = db.session.scalar(select(Notice).where(Notice.user_id == liaison.id))
    assert notice.kind == "indicator_assigned"
    target.active = False
    with pytest.raises(ValidationFailed):
        assign_indicator(world.office, world.ind, target)
    # The previous department's liaison may no longer report it.
    with pytest.raises(NotFound):
        _report(world)
