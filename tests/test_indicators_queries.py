"""The read-only indicator queries other areas call: binding warnings and the status grid."""

from datetime import date

import pytest
from sqlalchemy import event

from tests.indicators_support import add_value, indicator, make_plan
from tracker.extensions import db
from tracker.indicators.queries import binding_warnings

TODAY = date(2026, 11, 27)
pytestmark = pytest.mark.today(TODAY.isoformat())


def test_binding_warnings_reports_the_latest_judged_year_only(factories):
    plan = make_plan()
    department = factories.department("市市场监管局")
    floor = indicator(plan, 1)  # binding floor 不低于 96
    floor.department = department
    add_value(floor, 2022, 95.0)  # not met in 2022 …
    add_value(floor, 2023, 97.0)  # … but met in the latest judged year: no warning
    rd = indicator(plan, 20)  # binding target 2.8 → 3.3
    add_value(rd, 2023, 2.85)  # 10 % of the way at 60 % of the time: far behind
    assert binding_warnings(TODAY) == [
        {
            "indicator_id": rd.id,
            "plan_title": plan.title,
            "number": 20,
            "name": rd.name,
            "year": 2023,
            "status": "far_behind",
            "department": None,
        }
    ]


def test_binding_warnings_ignore_unverified_expected_archived_and_future(factories):
    plan = make_plan()
    floor = indicator(plan, 1)
    add_value(floor, 2024, 90.0, state="submitted")  # not verified: does not count
    add_value(indicator(plan, 6), 2023, 3100.0)  # 预期性 and far behind: no 预警
    archived = make_plan("旧规划", status="archived")
    add_value(indicator(archived, 1), 2023, 90.0)
    assert binding_warnings(TODAY) == []
    # A value for a year after `today` is not judged yet.
    add_value(floor, 2023, 97.0)
    assert binding_warnings(date(2022, 6, 1)) == []
    assert binding_warnings(TODAY) == []


def test_binding_warning_for_a_floor_not_met(factories):
    plan = make_plan()
    floor = indicator(plan, 1)
    floor.department = factories.department("市经信局")
    add_value(floor, 2024, 95.5)
    [warning] = binding_warnings(TODAY)
    assert warning["status"] == "not_met"
    assert warning["department"] == "市经信局"
    assert warning["year"] == 2024


def _count_queries():
    counter = {"n": 0}

    def before(*_args, **_kwargs):
        counter["n"] += 1

    return counter, before


def test_binding_warnings_run_a_bounded_number_of_queries(factories):
    counts = []
    for plans in (1, 6):
        for n in range(plans):
            plan = make_plan(f"规划{plans}-{n}")
            for year in (2021, 2022, 2023):
                add_value(indicator(plan, 1), year, 95.0)
                add_value(indicator(plan, 20), year, 2.81)
        db.session.commit()
        counter, before = _count_queries()
        event.listen(db.engine, "before_cursor_execute", before)
        try:
            result = binding_warnings(TODAY)
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        counts.append(counter["n"])
        assert len(result) >= 2 * plans
    assert counts[0] == counts[1] <= 2
