"""The set query and the SQL light agree with the pure rules, item by item, on both databases."""

from __future__ import annotations

import itertools
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tests.dashboard_support import count_statements
from tracker.extensions import db
from tracker.models import Milestone, MilestonePlan, WorkItem
from tracker.schedule_query import (
    light_case,
    schedule_for_item,
    schedule_for_items,
    statuses_of,
)

DAYS = [
    date(2025, 12, 1),
    date(2026, 1, 1),
    date(2026, 2, 15),
    date(2026, 4, 2),
    date(2026, 4, 3),
    date(2026, 7, 2),
    date(2026, 11, 27),
    date(2026, 12, 31),
    date(2027, 1, 1),
    date(2027, 6, 1),
]

DATES = [
    (date(2026, 1, 1), date(2026, 12, 31)),
    (date(2026, 6, 30), date(2026, 6, 30)),  # start == due
    (None, date(2026, 12, 31)),
    (date(2026, 1, 1), None),
    (date(2026, 3, 1), date(2027, 3, 1)),
]
PROGRESS = [None, 0, 20, 49, 60, 100]  # None: no verified report
MILESTONES = ["none", "verified", "verified-reached", "draft"]
STATUS = ["in_progress", "completed", "retired"]


def _milestones(item, kind: str) -> None:
    if kind == "none":
        return
    plan = MilestonePlan(item_id=item.id, state="draft" if kind == "draft" else "verified")
    db.session.add(plan)
    db.session.flush()
    steps = [(date(2026, 3, 31), 20), (date(2026, 6, 30), 30), (date(2026, 12, 31), 50)]
    for position, (planned, weight) in enumerate(steps):
        reached = kind == "verified-reached" and position == 0
        db.session.add(
            Milestone(
                plan_id=plan.id,
                item_id=item.id,
                position=position,
                title=f"步骤{position}",
                planned_date=planned,
                weight=weight,
                state="verified" if reached else ("submitted" if position == 1 else "draft"),
                reached_on=planned if reached else None,
            )
        )


def _world(factories) -> list[int]:
    lead = factories.department()
    quarterly = factories.plan(start_year=2026, end_year=2030, frequency="quarterly")
    monthly = factories.plan(title="月报规划", start_year=2026, end_year=2030, frequency="monthly")
    periods = {
        plan.id: factories.period(
            plan, "2026Q1", date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 8)
        )
        for plan in (quarterly, monthly)
    }
    other = {
        plan.id: factories.period(
            plan, "2026Q2", date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 8)
        )
        for plan in (quarterly, monthly)
    }
    ids = []
    combos = itertools.product(DATES, PROGRESS, MILESTONES, STATUS, (quarterly, monthly))
    for n, ((start, due), progress, milestones, status, plan) in enumerate(combos):
        # Thin the grid (deterministically) to keep the test quick but varied.
        if n % 3 and status != "in_progress":
            continue
        item = factories.item(
            plan,
            lead,
            start_date=start,
            due=due,
            status="completed" if status == "completed" else "in_progress",
            progress=progress or 0,
            retired_at=datetime(2026, 5, 1) if status == "retired" else None,
        )
        if progress is not None:
            factories.report(item, periods[plan.id], "verified", progress=progress)
        elif n % 2:  # a submitted report is not verified progress
            factories.report(item, other[plan.id], "submitted", progress=70)
        _milestones(item, milestones)
        ids.append(item.id)
    db.session.flush()
    return ids


def test_sql_light_equals_python_light_on_every_item_and_day(app, factories):
    with app.app_context():
        ids = _world(factories)
        assert len(ids) > 300
        seen = set()
        for today in DAYS:
            python = schedule_for_items(ids, today)
            sql = statuses_of(ids, today)  # the lists' path: one statement
            for item_id in ids:
                status = python[item_id]
                # The whole status: expected, actual, lag, light, basis and class.
                assert sql[item_id] == status, (today, item_id, sql[item_id], status)
                seen.add(status.light)
        assert seen == {"green", "yellow", "red", "grey", "done"}


def test_light_case_filters_and_counts_in_sql(app, factories):
    with app.app_context():
        ids = _world(factories)
        today = date(2026, 7, 2)
        python = schedule_for_items(ids, today)
        light = light_case(today)
        counts = dict(
            db.session.execute(
                select(light, func.count()).where(WorkItem.id.in_(ids)).group_by(light)
            ).all()
        )
        expected: dict[str, int] = {}
        for status in python.values():
            expected[status.light] = expected.get(status.light, 0) + 1
        assert counts == expected
        red = set(db.session.scalars(select(WorkItem.id).where(light == "red")))
        assert red == {i for i, s in python.items() if s.light == "red"}


@pytest.mark.parametrize("size", [5, 60])
def test_schedule_for_items_runs_a_fixed_number_of_queries(app, factories, size):
    with app.app_context():
        lead = factories.department()
        plan = factories.plan(start_year=2026, end_year=2030)
        items = [
            factories.item(plan, lead, start_date=date(2026, 1, 1), due=date(2026, 12, 31))
            for _ in range(size)
        ]
        for item in items:
            _milestones(item, "verified-reached")
        db.session.flush()
        with count_statements(db.engine) as counter:
            result = schedule_for_items(items, date(2026, 7, 2))
        assert counter["n"] == 3
        assert {s.basis for s in result.values()} == {"milestones"}
        with count_statements(db.engine) as counter:
            schedule_for_items([i.id for i in items], date(2026, 7, 2))
        assert counter["n"] == 4
        assert schedule_for_items([], date(2026, 7, 2)) == {}
        assert schedule_for_item(items[0], date(2026, 7, 2)).expected == 50


def test_thresholds_come_from_the_settings(app, factories):
    with app.app_context():
        lead = factories.department()
        plan = factories.plan(start_year=2026, end_year=2030)
        item = factories.item(
            plan, lead, start_date=date(2026, 1, 1), due=date(2026, 12, 31), progress=35
        )
        period = factories.period(
            plan, "2026Q1", date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 8)
        )
        factories.report(item, period, "verified", progress=35)  # lag 15 on 2026-07-02
        today = date(2026, 7, 2)
        assert schedule_for_item(item, today).light == "yellow"
        old = app.config["SCHEDULE_YELLOW_LAG"], app.config["SCHEDULE_RED_LAG"]
        app.config["SCHEDULE_YELLOW_LAG"], app.config["SCHEDULE_RED_LAG"] = 20, 40
        try:
            assert schedule_for_item(item, today).light == "green"
            light = db.session.scalar(select(light_case(today)).where(WorkItem.id == item.id))
            assert light == "green"
        finally:
            app.config["SCHEDULE_YELLOW_LAG"], app.config["SCHEDULE_RED_LAG"] = old
