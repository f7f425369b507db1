"""形象进度计划 through the services: propose, submit, approve/return, claim reached, verify;
bad input writes nothing; who may do what; the schedule follows only what was verified."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.items_support import NOW, Scene, in_request  # noqa: F401
from tracker.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from tracker.extensions import db
from tracker.items.milestones import (
    claim_milestone,
    decide_milestone,
    decide_milestones,
    milestone_plan_of,
    propose_milestones,
    submit_milestones,
)
from tracker.models import AuditEvent, Milestone, MilestonePlan, Notice
from tracker.notices import notice_text
from tracker.schedule_query import schedule_for_item
from tracker.workflow import Action

TODAY = date(2026, 11, 27)
STEPS = [
    {"title": "完成方案", "planned_date": date(2026, 3, 31), "weight": 20},
    {"title": "主体施工", "planned_date": date(2026, 9, 30), "weight": 50},
    {"title": "竣工验收", "planned_date": date(2026, 12, 31), "weight": 30},
]


@pytest.fixture
def scene(db_session):
    scene = Scene()
    scene.item.start_date = date(2026, 1, 1)
    db.session.flush()
    return scene


def _approved(scene) -> MilestonePlan:
    plan = propose_milestones(scene.lead, scene.item, STEPS, now=NOW)
    submit_milestones(scene.lead, plan, now=NOW)
    decide_milestones(scene.office, plan, Action.VERIFY, now=NOW)
    return plan


def test_proposed_submitted_approved_then_the_milestones_drive_the_schedule(scene, db_session):
    before = schedule_for_item(scene.item, TODAY)
    assert before.basis == "linear"
    plan = propose_milestones(scene.lead, scene.item, STEPS, now=NOW)
    assert plan.state == "draft" and [m.weight for m in plan.milestones] == [20, 50, 30]
    assert schedule_for_item(scene.item, TODAY).basis == "linear"  # not approved yet
    submit_milestones(scene.lead, plan, expected_version=plan.version, now=NOW)
    assert plan.state == "submitted" and plan.submitted_at == NOW
    decide_milestones(scene.office, plan, Action.VERIFY, expected_version=plan.version, now=NOW)
    assert plan.state == "verified" and plan.reviewer_id == scene.office.id
    status = schedule_for_item(scene.item, TODAY)
    assert (status.basis, status.expected, status.actual, status.light) == (
        "milestones",
        70,
        0,
        "red",
    )
    actions = [e.action for e in db_session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions[-3:] == ["milestones.proposed", "milestones.submitted", "milestones.verified"]
    # The office hears of the submission, the lead's liaison of the approval.
    submitted = db_session.query(Notice).filter_by(kind="milestones_submitted").all()
    assert {n.user_id for n in submitted} == {scene.office.id, scene.office2.id}
    assert submitted[0].link == f"/items/{scene.item.id}"
    approved = db_session.query(Notice).filter_by(kind="milestones_verified").all()
    assert {n.user_id for n in approved} == {scene.lead.id}
    assert "三.1.(1)" in notice_text(approved[0])


def test_a_reached_milestone_counts_only_once_the_office_verifies_it(scene):
    plan = _approved(scene)
    first = plan.milestones[0]
    claim_milestone(scene.lead, first, reached_on=date(2026, 3, 28), now=NOW)
    assert first.state == "submitted" and first.reached_on == date(2026, 3, 28)
    assert schedule_for_item(scene.item, TODAY).actual == 0
    claimed = db.session.query(Notice).filter_by(kind="milestone_claimed").all()
    assert {n.user_id for n in claimed} == {scene.office.id, scene.office2.id}
    assert claimed[0].params["title"] == "完成方案"
    decide_milestone(scene.office, first, Action.RETURN, reason="缺少佐证", now=NOW)
    assert first.state == "returned" and first.review_comment == "缺少佐证"
    returned = db.session.query(Notice).filter_by(kind="milestone_returned").one()
    assert returned.user_id == scene.lead.id and "缺少佐证" in notice_text(returned)
    claim_milestone(scene.lead, first, reached_on=date(2026, 3, 30), now=NOW)
    decide_milestone(scene.office, first, Action.VERIFY, now=NOW)
    status = schedule_for_item(scene.item, TODAY)
    assert (status.actual, status.lag, status.light) == (20, 50, "red")
    second = plan.milestones[1]
    claim_milestone(scene.lead, second, reached_on=date(2026, 10, 8), now=NOW)
    decide_milestone(scene.office, second, Action.VERIFY, now=NOW)
    assert schedule_for_item(scene.item, TODAY).light == "green"


def test_a_returned_plan_is_edited_and_resubmitted(scene):
    plan = propose_milestones(scene.lead, scene.item, STEPS, now=NOW)
    submit_milestones(scene.lead, plan, now=NOW)
    with pytest.raises(ValidationFailed):
        decide_milestones(scene.office, plan, Action.RETURN, reason="  ", now=NOW)
    decide_milestones(scene.office, plan, Action.RETURN, reason="节点过粗", now=NOW)
    assert plan.state == "returned" and plan.review_comment == "节点过粗"
    steps = [dict(s) for s in STEPS]
    steps[0]["weight"], steps[1]["weight"] = 30, 40
    propose_milestones(scene.lead, scene.item, steps, expected_version=plan.version, now=NOW)
    db.session.expire_all()
    plan = milestone_plan_of(scene.item.id)
    assert plan.state == "returned" and [m.weight for m in plan.milestones] == [30, 40, 30]
    assert db.session.scalar(select(func.count(Milestone.id))) == 3
    submit_milestones(scene.lead, plan, now=NOW)
    assert plan.state == "submitted"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({0: {"weight": 10}}, "sum", "权重之和须为 100"),
        ({2: {"planned_date": date(2027, 1, 5)}}, "after_due", "晚于完成时限 2026-12-31"),
        ({0: {"planned_date": date(2025, 12, 1)}}, "before_start", "早于事项开始日期"),
        ({1: {"title": " "}}, "title", "第 2 行"),
        ({1: {"weight": 0}}, "weight", "1 至 100"),
        ({1: {"planned_date": date(2026, 1, 2)}}, "order", "先后排列"),
        ({1: {"planned_date": "2026-05-01"}}, "date", "计划日期"),
    ],
)
def test_bad_milestones_are_refused_and_nothing_is_written(scene, change, field, words):
    """The messages are in the user's language (the default, Chinese, here)."""
    steps = [dict(s) for s in STEPS]
    for index, values in change.items():
        steps[index].update(values)
    with pytest.raises(ValidationFailed) as failure:
        propose_milestones(scene.lead, scene.item, steps, now=NOW)
    assert field in failure.value.errors
    assert words in failure.value.errors[field]
    assert db.session.scalar(select(func.count(MilestonePlan.id))) == 0
    assert db.session.scalar(select(func.count(Milestone.id))) == 0


def test_no_milestones_at_all_is_refused(scene):
    with pytest.raises(ValidationFailed) as failure:
        propose_milestones(scene.lead, scene.item, [], now=NOW)
    assert "empty" in failure.value.errors


def test_who_may_do_what(scene):
    with pytest.raises(PermissionDenied):
        propose_milestones(scene.co, scene.item, STEPS, now=NOW)
    with pytest.raises(NotFound):
        propose_milestones(scene.other, scene.item, STEPS, now=NOW)
    with pytest.raises(PermissionDenied):
        propose_milestones(scene.office, scene.item, STEPS, now=NOW)
    plan = propose_milestones(scene.lead, scene.item, STEPS, now=NOW)
    with pytest.raises(InvalidTransition):  # a draft is not waiting for the office
        decide_milestones(scene.office, plan, Action.VERIFY, now=NOW)
    submit_milestones(scene.lead, plan, now=NOW)
    with pytest.raises(PermissionDenied):
        decide_milestones(scene.lead, plan, Action.VERIFY, now=NOW)
    with pytest.raises(InvalidTransition):  # submitted: no longer editable
        propose_milestones(scene.lead, scene.item, STEPS, now=NOW)
    decide_milestones(scene.office, plan, Action.VERIFY, now=NOW)
    milestone = plan.milestones[0]
    with pytest.raises(PermissionDenied):
        claim_milestone(scene.co, milestone, reached_on=date(2026, 3, 1), now=NOW)
    with pytest.raises(ValidationFailed):
        claim_milestone(scene.lead, milestone, reached_on=date(2026, 12, 1), now=NOW)
    with pytest.raises(ValidationFailed):
        claim_milestone(scene.lead, milestone, reached_on=None, now=NOW)


def test_a_claim_needs_an_approved_plan(scene):
    plan = propose_milestones(scene.lead, scene.item, STEPS, now=NOW)
    with pytest.raises(InvalidTransition):
        claim_milestone(scene.lead, plan.milestones[0], reached_on=date(2026, 3, 1), now=NOW)
    assert plan.milestones[0].state == "draft"


def test_a_stale_version_loses(scene):
    plan = propose_milestones(scene.lead, scene.item, STEPS, now=NOW)
    stale = plan.version
    propose_milestones(scene.lead, scene.item, STEPS, expected_version=stale, now=NOW)
    with pytest.raises(StaleVersion):
        submit_milestones(scene.lead, plan, expected_version=stale, now=NOW)
    assert plan.state == "draft"
