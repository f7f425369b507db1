"""The stored 序时进度 facts follow every write of their inputs, through the real operations,
ORM flushes and bulk statements; a write around the session is caught and repaired."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, insert, update

from tracker.extensions import db
from tracker.items.jobs import schedule_facts_job
from tracker.items.milestones import (
    claim_milestone,
    decide_milestone,
    decide_milestones,
    propose_milestones,
    submit_milestones,
)
from tracker.models import Milestone, MilestonePlan, Report, WorkItem
from tracker.review.operations import verify_report
from tracker.schedule_facts import refresh_facts, stale_items
from tracker.schedule_query import light_case
from tracker.workflow import Action

pytestmark = pytest.mark.usefixtures("app")

TODAY = date(2026, 11, 27)  # the suite's default day (tests/conftest.py)


def _facts(item) -> tuple:
    db.session.refresh(item)
    return item.schedule_actual, item.schedule_basis, item.schedule_grey_days


def _light(item, today=TODAY) -> str:
    return db.session.scalar(db.select(light_case(today)).where(WorkItem.id == item.id))


@pytest.fixture
def world(factories):
    lead = factories.department(name="市市场监管局")
    liaison = factories.user("liaison", lead)
    office = factories.user("office")
    plan = factories.plan(start_year=2026, end_year=2030, frequency="quarterly")
    period = factories.period(
        plan, "2026Q3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 12)
    )
    item = factories.item(plan, lead, start_date=date(2026, 1, 1), due=date(2026, 12, 31))
    db.session.commit()
    return {
        "lead": lead,
        "liaison": liaison,
        "office": office,
        "plan": plan,
        "period": period,
        "item": item,
    }


def test_a_new_item_starts_linear_and_grey_for_one_period(world):
    item = world["item"]
    assert _facts(item) == (0, "linear", 92)
    assert _light(item, date(2026, 2, 1)) == "grey"  # less than a quarter since its start
    assert _light(item) == "red"  # 90 points behind, nothing verified after 11 months
    assert stale_items(db.session) == []


def test_verifying_a_report_sets_actual_and_ends_grey(world, factories):
    item = world["item"]
    report = factories.report(item, world["period"], "submitted", progress=85)
    db.session.commit()
    assert _facts(item) == (0, "linear", 92)  # a submitted report is not verified progress
    verify_report(world["office"], report, expected_version=report.version)  # kernel's bulk UPDATE
    db.session.commit()
    assert _facts(item) == (85, "linear", None)
    assert _light(item) == "green"  # expected 89, actual 85
    assert stale_items(db.session) == []
    db.session.delete(db.session.get(Report, report.id))  # a unit-of-work delete
    db.session.commit()
    assert _facts(item) == (0, "linear", 92)


def test_milestones_approved_and_reached_through_the_operations(world):
    item, liaison, office = world["item"], world["liaison"], world["office"]
    steps = [
        {"title": "方案", "planned_date": date(2026, 3, 31), "weight": 30},
        {"title": "实施", "planned_date": date(2026, 9, 30), "weight": 40},
        {"title": "验收", "planned_date": date(2026, 12, 31), "weight": 30},
    ]
    plan = propose_milestones(liaison, item, steps)
    submit_milestones(liaison, plan)
    db.session.commit()
    assert _facts(item)[1] == "linear"  # proposed, not approved
    decide_milestones(office, plan, Action.VERIFY)
    db.session.commit()
    assert _facts(item) == (0, "milestones", 92)
    first = db.session.scalars(
        db.select(Milestone).where(Milestone.plan_id == plan.id).order_by(Milestone.position)
    ).first()
    claim_milestone(liaison, first, reached_on=date(2026, 3, 30))
    decide_milestone(office, first, Action.VERIFY)
    db.session.commit()
    assert _facts(item) == (30, "milestones", None)
    assert _light(item) == "red"  # 70 planned by today, 30 reached: 40 behind
    assert stale_items(db.session) == []


def test_orm_bulk_statements_are_followed(world, factories):
    item = world["item"]
    report = factories.report(item, world["period"], "submitted", progress=40)
    db.session.commit()
    db.session.execute(update(Report).where(Report.id == report.id).values(state="verified"))
    db.session.execute(update(WorkItem).where(WorkItem.id == item.id).values(progress=40))
    assert _facts(item) == (40, "linear", None)  # within the same transaction
    plan = MilestonePlan(item_id=item.id, state="verified")
    db.session.add(plan)
    db.session.flush()
    db.session.execute(
        insert(Milestone),
        [
            {
                "plan_id": plan.id,
                "item_id": item.id,
                "position": n,
                "title": f"步骤{n}",
                "planned_date": planned,
                "weight": 50,
                "state": state,
            }
            for n, (planned, state) in enumerate(
                ((date(2026, 6, 30), "verified"), (date(2026, 12, 31), "draft"))
            )
        ],
    )
    assert _facts(item) == (50, "milestones", None)  # 50 reached > 40 reported
    db.session.execute(delete(Milestone).where(Milestone.plan_id == plan.id))
    assert _facts(item) == (40, "milestones", None)
    db.session.commit()
    assert stale_items(db.session) == []


def test_a_plans_reporting_frequency_moves_the_grey_window(world):
    plan, item = world["plan"], world["item"]
    plan.frequency = "monthly"
    db.session.commit()
    assert _facts(item)[2] == 31
    assert _light(item, date(2026, 2, 15)) != "grey"  # a month and a half: judged now


def test_a_write_around_the_session_is_found_and_repaired(app, world, factories):
    item = world["item"]
    report = factories.report(item, world["period"], "submitted", progress=60)
    db.session.commit()
    # SQL straight on the connection: the session's events never see it.
    with db.engine.begin() as connection:
        connection.execute(
            Report.__table__.update().where(Report.id == report.id).values(state="verified")
        )
        connection.execute(
            WorkItem.__table__.update().where(WorkItem.id == item.id).values(progress=60)
        )
    db.session.expire_all()
    assert stale_items(db.session) == [item.id]
    assert schedule_facts_job() == "1 items' schedule facts repaired"
    assert _facts(item) == (60, "linear", None)
    assert stale_items(db.session) == []
    # The command does the same, and --all recomputes everything.
    result = CliRunner().invoke(app.cli, ["items", "schedule-facts", "--all"], obj=None)
    assert result.exit_code == 0, result.output
    assert "recomputed for" in result.output


def test_refresh_keeps_updated_at_and_version(world):
    item = world["item"]
    before = db.session.get(WorkItem, item.id)
    stamp, version = before.updated_at, before.version
    refresh_facts(db.session.connection())
    db.session.commit()
    db.session.refresh(before)
    assert (before.updated_at, before.version) == (stamp, version)
