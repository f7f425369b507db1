"""Races on a milestone-plan revision (PostgreSQL): two office users verifying it at once, two
liaisons starting one at once — exactly one wins, one plan stays in force."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.concurrency import race_pair as race
from tests.items_support import NOW, Scene
from tracker.extensions import db
from tracker.models import AuditEvent, MilestonePlan, User

pytestmark = pytest.mark.postgres_only

LATER = NOW + timedelta(days=1)
STEPS = [
    {"title": "完成方案", "planned_date": date(2026, 3, 31), "weight": 20},
    {"title": "主体施工", "planned_date": date(2026, 9, 30), "weight": 50},
    {"title": "竣工验收", "planned_date": date(2026, 12, 31), "weight": 30},
]
REVISED = [
    {"title": "完成方案", "planned_date": date(2026, 3, 31), "weight": 10},
    {"title": "主体施工", "planned_date": date(2026, 12, 15), "weight": 60},
    {"title": "竣工验收", "planned_date": date(2026, 12, 31), "weight": 30},
]


@pytest.fixture(autouse=True)
def _postgres(is_postgres):
    if not is_postgres:
        pytest.skip("races need PostgreSQL (SQLite serialises writers)")


def _scene(app, *, revise: bool):
    """An approved plan (and, with `revise`, a submitted revision of it), committed."""
    from tracker.items.milestones import decide_milestones, propose_milestones, submit_milestones
    from tracker.workflow import Action

    with app.test_request_context():
        scene = Scene()
        scene.item.start_date = date(2026, 1, 1)
        plan = propose_milestones(scene.lead, scene.item, STEPS, now=NOW)
        submit_milestones(scene.lead, plan, now=NOW)
        decide_milestones(scene.office, plan, Action.VERIFY, now=NOW)
        if revise:
            plan = propose_milestones(scene.lead, scene.item, REVISED, now=LATER)
            submit_milestones(scene.lead, plan, now=LATER)
        db.session.commit()
        ids = {
            "item": scene.item.id,
            "plan": plan.id,
            "version": plan.version,
            "office": scene.office.id,
            "office2": scene.office2.id,
            "lead": scene.lead.id,
        }
    db.session.remove()
    return ids


def test_two_office_users_verify_one_revision(app):
    from tracker.items.milestones import decide_milestones
    from tracker.workflow import Action

    ids = _scene(app, revise=True)

    def job(key):
        def load():
            plan = db.session.get(MilestonePlan, ids["plan"])
            plan.item.lead_department  # noqa: B018 (load before the barrier)
            plan.milestones  # noqa: B018
            return db.session.get(User, ids[key]), plan

        def act(user, plan):
            decide_milestones(user, plan, Action.VERIFY, expected_version=ids["version"], now=LATER)

        return load, act

    outcomes = race(app, job("office"), job("office2"))
    assert sorted(outcomes.values()) in (
        ["invalid_transition", "won"],
        ["stale_version", "won"],
    ), outcomes
    with app.app_context():
        in_force = db.session.scalars(
            select(MilestonePlan).where(
                MilestonePlan.item_id == ids["item"], MilestonePlan.in_force()
            )
        ).all()
        assert [p.id for p in in_force] == [ids["plan"]]
        superseded = db.session.scalar(
            select(func.count()).where(MilestonePlan.superseded_at.isnot(None))
        )
        assert superseded == 1
        verified = db.session.query(AuditEvent).filter_by(action="milestones.verified")
        assert verified.count() == 2  # the first plan's approval and the revision's, once


def test_two_liaisons_start_a_revision_at_once(app):
    from tracker.items.milestones import propose_milestones
    from tracker.models import WorkItem

    ids = _scene(app, revise=False)

    def job(steps):
        def load():
            return db.session.get(User, ids["lead"]), db.session.get(WorkItem, ids["item"])

        def act(user, item):
            propose_milestones(user, item, steps, expected_version=ids["version"], now=LATER)

        return load, act

    outcomes = race(app, job(REVISED), job(STEPS))
    assert sorted(outcomes.values()) == ["invalid_transition", "won"], outcomes
    with app.app_context():
        plans = db.session.scalars(
            select(MilestonePlan.revision).where(MilestonePlan.item_id == ids["item"])
        ).all()
        assert sorted(plans) == [1, 2]
