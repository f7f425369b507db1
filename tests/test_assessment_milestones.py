"""Milestones missed (issue #16 in #19's rules): a milestone of an approved plan, planned in
the period and past, not verified reached by its planned date, counts against the item's lead
department; one reached in time, one still ahead or one of an unapproved plan does not."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from tests.assessment_support import RULES_2025, store_rules
from tests.factories import make_department, make_item, make_plan
from tests.schedule_rollup_support import add_milestones
from tracker.assessment.events import gather_events
from tracker.assessment.parsing import parse_rules
from tracker.assessment.sheets import build_sheets, date_range
from tracker.extensions import db

TZ = "Asia/Shanghai"
RULES = RULES_2025 + "2025,,100,进度,6,milestone_missed,-2\n"


def _scene():
    plan = make_plan(start_year=2021, end_year=2030)
    a = make_department("甲局", name="绍兴市甲局")
    b = make_department("乙局", name="绍兴市乙局")
    due = date(2026, 12, 31)  # ahead of today: no item event gets in the way
    a1 = make_item(plan, a, code="一.1", due=due)
    _plan, rows = add_milestones(
        a1,
        [
            ("立项", date(2026, 3, 31), 20, "verified"),  # reached in time (below)
            ("开工", date(2026, 6, 30), 30, "verified"),  # reached, but late (below)
            ("主体完工", date(2026, 9, 30), 30, "draft"),  # never claimed
            ("竣工", date(2026, 12, 20), 20, "draft"),  # still ahead of today
        ],
    )
    rows[0].reached_on = date(2026, 3, 30)
    rows[1].reached_on = date(2026, 7, 5)
    # 乙局: a plan the office has not approved yet, and an item completed (销号) before its
    # milestone's date.
    b1 = make_item(plan, b, code="二.1", due=due)
    add_milestones(b1, [("开工", date(2026, 4, 30), 100, "draft")], state="submitted")
    b2 = make_item(plan, b, code="二.2", due=due, status="completed")
    b2.completed_at = datetime(2026, 5, 1, 2)
    add_milestones(b2, [("完工", date(2026, 6, 30), 100, "draft")])
    db.session.flush()
    return a, b, a1


@pytest.fixture
def scene_rows(app):
    return _scene()


def _missed(events, department):
    return sorted(
        (event.source, event.source_id, event.label)
        for event in events
        if event.department_id == department.id and event.kind == "milestone_missed"
    )


@pytest.mark.today("2026-11-27")
def test_missed_milestones_of_a_year(scene_rows, today):
    a, b, a1 = scene_rows
    events = gather_events(*date_range(2026, None), today, TZ, yearly=True)
    assert _missed(events, a) == [
        ("item", a1.id, "一.1 · 主体完工 · 2026-09-30"),
        ("item", a1.id, "一.1 · 开工 · 2026-06-30"),
    ]
    assert _missed(events, b) == []


@pytest.mark.today("2026-11-27")
def test_a_quarter_counts_its_own_milestones(scene_rows, today):
    a, _b, a1 = scene_rows
    first_quarter = gather_events(*date_range(2026, 1), today, TZ, yearly=False)
    assert _missed(first_quarter, a) == []
    third = gather_events(*date_range(2026, 3), today, TZ, yearly=False)
    assert _missed(third, a) == [("item", a1.id, "一.1 · 主体完工 · 2026-09-30")]


@pytest.mark.today("2026-11-27")
def test_missed_milestones_are_scored(scene_rows, today):
    a, b, _a1 = scene_rows
    assert parse_rules(RULES)  # an event the rules may name
    store_rules(RULES)
    result = build_sheets(2026, None, today, TZ)
    line = next(
        line for line in result.for_department(a.id).lines if line.rule.event == "milestone_missed"
    )
    assert (line.count, line.points) == (2, Decimal(-4))
    assert not [
        line for line in result.for_department(b.id).lines if line.rule.event == "milestone_missed"
    ]
