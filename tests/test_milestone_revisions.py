"""Revising an approved 形象进度计划: the revision goes through the kernel while the approved
plan stays in force; verifying it swaps it in (old kept as history, reached claims carried
over by title); a returned one leaves the old in force; bad input and a second revision are
refused with nothing written; the API and the item page show it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import login_as
from tests.items_support import NOW, Scene, in_request  # noqa: F401
from tracker.errors import InvalidTransition, PermissionDenied, StaleVersion, ValidationFailed
from tracker.extensions import db
from tracker.items.milestone_revisions import open_plan, plan_history, plan_in_force
from tracker.items.milestones import (
    claim_milestone,
    decide_milestone,
    decide_milestones,
    propose_milestones,
    submit_milestones,
)
from tracker.models import AuditEvent, Milestone, MilestonePlan
from tracker.review.queue import review_queue_query
from tracker.schedule_query import schedule_for_item, schedule_for_items
from tracker.workflow import Action

TODAY = date(2026, 11, 27)
LATER = NOW + timedelta(days=1)
STEPS = [
    {"title": "完成方案", "planned_date": date(2026, 3, 31), "weight": 20},
    {"title": "主体施工", "planned_date": date(2026, 9, 30), "weight": 50},
    {"title": "竣工验收", "planned_date": date(2026, 12, 31), "weight": 30},
]
# After a delay: the main works slip to December, so less is due by today.
REVISED = [
    {"title": "完成方案", "planned_date": date(2026, 3, 31), "weight": 10},
    {"title": "主体施工", "planned_date": date(2026, 12, 15), "weight": 60},
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
    first = plan.milestones[0]
    claim_milestone(scene.lead, first, reached_on=date(2026, 4, 2), now=NOW)
    decide_milestone(scene.office, first, Action.VERIFY, now=NOW)
    return plan


def _plans() -> int:
    return db.session.scalar(select(func.count()).select_from(MilestonePlan))


def _basis(scene):
    status = schedule_for_item(scene.item, TODAY)
    return status.expected, status.actual


def test_the_approved_plan_stays_in_force_until_the_revision_is_verified(scene, db_session):
    old = _approved(scene)
    assert _basis(scene) == (70, 20)
    revision = propose_milestones(
        scene.lead, scene.item, REVISED, expected_version=old.version, now=LATER
    )
    assert (revision.revision, revision.state) == (2, "draft") and revision.id != old.id
    assert plan_in_force(scene.item.id).id == old.id and open_plan(scene.item.id).id == revision.id
    assert _basis(scene) == (70, 20)  # the draft changes nothing
    submit_milestones(scene.lead, revision, now=LATER)
    assert _basis(scene) == (70, 20)  # nor does the submission
    assert revision in db.session.scalars(review_queue_query(MilestonePlan, scene.office)).all()
    # The office returns it: the old plan is still the one in force.
    decide_milestones(scene.office, revision, Action.RETURN, reason="日期不合理", now=LATER)
    assert plan_in_force(scene.item.id).id == old.id and _basis(scene) == (70, 20)
    # Edited and sent again, then approved: the revision replaces the old plan at once.
    propose_milestones(
        scene.lead, scene.item, REVISED, expected_version=revision.version, now=LATER
    )
    assert _plans() == 2  # the returned revision was edited, not a third plan
    submit_milestones(scene.lead, revision, now=LATER)
    decide_milestones(scene.office, revision, Action.VERIFY, now=LATER)
    db.session.expire_all()
    assert plan_in_force(scene.item.id).id == revision.id and open_plan(scene.item.id) is None
    old = db.session.get(MilestonePlan, old.id)
    assert old.state == "verified" and old.superseded_at == LATER
    # 序时进度 from the revision: 10 due by today; 完成方案 carried over as reached (10).
    assert _basis(scene) == (10, 10)
    assert schedule_for_items([scene.item.id], TODAY)[scene.item.id].expected == 10
    carried = revision.milestones[0]
    assert (carried.state, carried.reached_on) == ("verified", date(2026, 4, 2))
    assert [m.state for m in revision.milestones[1:]] == ["draft", "draft"]
    assert [p.revision for p in plan_history(scene.item.id)] == [2, 1]
    event = db_session.query(AuditEvent).filter_by(action="milestones.verified").all()[-1]
    assert event.after["supersedes"] == 1 and event.after["carried"] == ["完成方案"]


def test_the_old_plan_takes_no_more_claims_and_its_pending_claim_carries_over(scene):
    old = _approved(scene)
    second = old.milestones[1]
    claim_milestone(scene.lead, second, reached_on=date(2026, 10, 8), now=NOW)
    revision = propose_milestones(
        scene.lead, scene.item, REVISED, expected_version=old.version, now=LATER
    )
    submit_milestones(scene.lead, revision, now=LATER)
    decide_milestones(scene.office2, revision, Action.VERIFY, now=LATER)
    db.session.expire_all()
    with pytest.raises(InvalidTransition):
        decide_milestone(scene.office, db.session.get(Milestone, second.id), Action.VERIFY)
    with pytest.raises(InvalidTransition):
        claim_milestone(
            scene.lead, db.session.get(Milestone, old.milestones[2].id), reached_on=TODAY
        )
    waiting = db.session.scalars(review_queue_query(Milestone, scene.office)).all()
    assert [(m.plan_id, m.title) for m in waiting] == [(revision.id, "主体施工")]
    decide_milestone(scene.office, waiting[0], Action.VERIFY, now=LATER)
    assert _basis(scene) == (10, 70)


def test_one_revision_at_a_time(scene):
    old = _approved(scene)
    revision = propose_milestones(
        scene.lead, scene.item, REVISED, expected_version=old.version, now=LATER
    )
    submit_milestones(scene.lead, revision, now=LATER)
    with pytest.raises(InvalidTransition) as failure:
        propose_milestones(
            scene.lead, scene.item, STEPS, expected_version=revision.version, now=LATER
        )
    assert "等待督办室审核" in str(failure.value.message)
    with pytest.raises(PermissionDenied):  # who may not write a plan hears nothing more
        propose_milestones(scene.co, scene.item, STEPS, now=LATER)
    assert _plans() == 2 and [m.weight for m in open_plan(scene.item.id).milestones] == [
        10,
        60,
        30,
    ]


def test_a_revision_starts_from_the_version_in_force(scene):
    old = _approved(scene)
    with pytest.raises(StaleVersion):
        propose_milestones(
            scene.lead, scene.item, REVISED, expected_version=old.version - 1, now=LATER
        )
    assert _plans() == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({1: {"weight": 50}}, "sum"),
        ({2: {"planned_date": date(2027, 1, 5)}}, "after_due"),
        ({0: {"planned_date": date(2025, 12, 1)}}, "before_start"),
    ],
)
def test_bad_revisions_are_refused_and_nothing_is_written(scene, change, field):
    old = _approved(scene)
    steps = [dict(step) for step in REVISED]
    for index, values in change.items():
        steps[index].update(values)
    with pytest.raises(ValidationFailed) as failure:
        propose_milestones(scene.lead, scene.item, steps, expected_version=old.version)
    assert field in failure.value.errors
    assert _plans() == 1 and plan_in_force(scene.item.id).id == old.id


# ---------------------------------------------------------------- API and page


def test_revision_through_the_api(app, client, scene):
    from tracker.api.tokens import create_token

    _approved(scene)
    lead, office = (
        {"Authorization": f"Bearer {create_token(None, user, name='t')[1]}"}
        for user in (scene.lead, scene.office)
    )
    db.session.commit()
    url = f"/api/v1/items/{scene.item.id}/milestones"
    current = client.get(url, headers=lead).get_json()
    steps = [{**s, "planned_date": s["planned_date"].isoformat()} for s in REVISED]
    bad = [{**steps[0], "weight": 50}, *steps[1:]]
    refused = client.post(
        url, json={"version": current["version"], "milestones": bad}, headers=lead
    )
    assert refused.status_code == 422 and "100" in refused.get_data(as_text=True)
    posted = client.post(
        url, json={"version": current["version"], "milestones": steps}, headers=lead
    )
    assert posted.status_code == 200, posted.get_data(as_text=True)
    body = posted.get_json()
    assert body["state"] == "verified" and body["revision"] == 1
    assert [m["weight"] for m in body["milestones"]] == [20, 50, 30]  # still in force
    pending = body["pending_revision"]
    assert (pending["revision"], pending["state"]) == (2, "draft")
    submitted = client.post(f"{url}/submit", json={"version": pending["version"]}, headers=lead)
    pending = submitted.get_json()["pending_revision"]
    assert pending["state"] == "submitted"
    item = client.get(f"/api/v1/items/{scene.item.id}", headers=lead).get_json()
    assert item["schedule"]["expected"] == 70  # the approved plan still drives it
    again = client.post(
        url, json={"version": pending["version"], "milestones": steps}, headers=lead
    )
    assert again.status_code == 409 and "等待督办室审核" in again.get_json()["error"]["message"]
    verified = client.post(f"{url}/verify", json={"version": pending["version"]}, headers=office)
    assert verified.status_code == 200, verified.get_data(as_text=True)
    body = verified.get_json()
    assert (body["revision"], body["pending_revision"]) == (2, None)
    assert [h["revision"] for h in body["history"]] == [1]
    assert body["history"][0]["in_force_until"] is not None
    item = client.get(f"/api/v1/items/{scene.item.id}", headers=lead).get_json()
    assert item["schedule"]["expected"] == 10


def test_the_item_page_shows_the_revision_and_the_history(app, client, scene):
    old = _approved(scene)
    revision = propose_milestones(
        scene.lead, scene.item, REVISED, expected_version=old.version, now=LATER
    )
    db.session.commit()
    login_as(client, scene.lead)
    page = client.get(f"/items/{scene.item.id}").get_data(as_text=True)
    assert 'id="milestone-revision"' in page and 'id="milestone-history"' not in page
    form = client.get(f"/items/{scene.item.id}/milestones")
    assert form.status_code == 200
    submit_milestones(scene.lead, revision, now=LATER)
    decide_milestones(scene.office, revision, Action.VERIFY, now=LATER)
    db.session.commit()
    page = client.get(f"/items/{scene.item.id}").get_data(as_text=True)
    assert 'id="milestone-history"' in page and 'id="milestone-revision"' not in page
    # Revising from the page: the form starts from the plan in force.
    form = client.get(f"/items/{scene.item.id}/milestones").get_data(as_text=True)
    assert "主体施工" in form and "2026-12-15" in form
