"""序时进度, pure: expected/actual/lag, the five lights and the three classes, edge cases."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.schedule import (
    Step,
    default_start,
    klass_of,
    linear_expected,
    milestone_problems,
    period_days,
    schedule_status,
)

START, DUE = date(2026, 1, 1), date(2026, 12, 31)  # 364 days


def status(today, *, start=START, due=DUE, closed=False, progress=None, steps=(), period=92):
    return schedule_status(
        start=start,
        due=due,
        today=today,
        closed=closed,
        verified_progress=progress,
        milestones=steps,
        period=period,
        yellow=10,
        red=30,
    )


def test_linear_expected_is_the_straight_line_rounded_down():
    assert linear_expected(START, DUE, date(2026, 1, 1)) == 0
    assert linear_expected(START, DUE, date(2026, 7, 2)) == 100 * 182 // 364 == 50
    assert linear_expected(START, DUE, date(2026, 1, 4)) == 0  # 300 // 364
    assert linear_expected(START, DUE, date(2026, 1, 5)) == 1
    assert linear_expected(START, DUE, DUE) == 100
    assert linear_expected(START, DUE, date(2027, 3, 1)) == 100


def test_today_before_start_expects_nothing_and_is_grey_without_reports():
    result = status(date(2025, 6, 1))
    assert (result.expected, result.actual, result.lag, result.light) == (0, 0, 0, "grey")
    assert result.klass is None
    # With a verified report it is judged: nothing expected yet, so green and ahead.
    ahead = status(date(2025, 6, 1), progress=5)
    assert (ahead.light, ahead.lag, ahead.klass) == ("green", -5, "ahead")


def test_start_equal_due_jumps_from_0_to_100_on_the_day():
    day = date(2026, 6, 30)
    assert status(date(2026, 6, 29), start=day, due=day, progress=0).expected == 0
    on_day = status(day, start=day, due=day, progress=0)
    assert (on_day.expected, on_day.lag, on_day.light) == (100, 100, "red")
    after = status(date(2026, 7, 1), start=day, due=day, progress=100)
    assert (after.expected, after.lag, after.light, after.klass) == (100, 0, "red", "behind")


def test_open_past_due_is_red_even_when_reported_complete_in_progress():
    result = status(date(2027, 1, 5), progress=100)
    assert (result.expected, result.lag, result.light, result.klass) == (100, 0, "red", "behind")


def test_completed_and_retired_are_done_whatever_the_lag():
    result = status(date(2027, 1, 5), closed=True, progress=40)
    assert (result.light, result.klass, result.lag) == ("done", None, 60)


@pytest.mark.parametrize(
    ("progress", "light", "klass"),
    [
        (100, "green", "ahead"),
        (51, "green", "ahead"),
        (50, "green", "on_track"),  # lag 0
        (41, "green", "on_track"),  # lag 9
        (40, "yellow", "behind"),  # lag 10: the yellow boundary is inclusive
        (20, "yellow", "behind"),  # lag 30: still yellow
        (19, "red", "behind"),  # lag 31
        (0, "red", "behind"),
    ],
)
def test_lag_thresholds_and_classes(progress, light, klass):
    result = status(date(2026, 7, 2), progress=progress)  # expected 50
    assert result.expected == 50
    assert (result.light, result.klass) == (light, klass)
    assert result.lag == 50 - progress


def test_grey_only_within_one_reporting_period_without_verified_progress():
    assert status(date(2026, 4, 2)).light == "grey"  # day 91 < 92
    late = status(date(2026, 4, 3))  # day 92: judged now
    assert (late.light, late.expected) == ("yellow", 25)
    assert status(date(2026, 1, 20), period=31).light == "grey"
    assert status(date(2026, 2, 1), period=31).light == "green"
    # A verified report of 0 % is a verified report: no longer grey.
    assert status(date(2026, 1, 20), progress=0).light == "green"


def test_milestones_replace_the_straight_line():
    steps = (
        Step(date(2026, 3, 31), 20, reached=True),
        Step(date(2026, 6, 30), 30),
        Step(date(2026, 12, 31), 50),
    )
    result = status(date(2026, 7, 2), steps=steps)
    assert (result.basis, result.expected, result.actual, result.lag) == ("milestones", 50, 20, 30)
    assert result.light == "yellow"
    # A milestone planned after today does not count yet.
    early = status(date(2026, 6, 29), steps=steps)
    assert (early.expected, early.lag, early.light) == (20, 0, "green")
    # A verified reached milestone counts even without a report; the larger of the two wins.
    assert status(date(2026, 2, 1), steps=steps).light == "green"  # not grey: reached
    assert status(date(2026, 7, 2), steps=steps, progress=45).actual == 45
    assert status(date(2026, 7, 2), steps=steps, progress=10).actual == 20


def test_no_due_date_expects_nothing_and_no_start_uses_the_due_date():
    assert status(date(2026, 7, 2), due=None, progress=0).expected == 0
    assert status(date(2026, 7, 2), due=None, progress=0).light == "green"
    no_start = status(date(2026, 12, 30), start=None, progress=0)
    assert (no_start.expected, no_start.light) == (0, "green")
    assert status(date(2026, 10, 1), start=None).light == "grey"  # within a period of the due
    assert status(date(2026, 7, 2), start=None, due=None).light == "green"


def test_as_dict_is_the_api_shape():
    assert status(date(2026, 7, 2), progress=50).as_dict() == {
        "expected": 50,
        "actual": 50,
        "lag": 0,
        "light": "green",
        "basis": "linear",
    }


def test_klass_of_the_lights():
    assert klass_of("green", -1) == "ahead"
    assert klass_of("green", 0) == "on_track"
    assert klass_of("yellow", 12) == "behind"
    assert klass_of("red", 0) == "behind"
    assert klass_of("grey", 50) is None
    assert klass_of("done", 50) is None


def test_period_days_by_frequency():
    assert period_days("monthly") == 31
    assert period_days("quarterly") == 92
    assert period_days(None) == 92


def test_default_start_is_the_later_of_plan_start_and_creation_never_after_due():
    assert default_start(2021, date(2020, 5, 1)) == date(2021, 1, 1)
    assert default_start(2021, date(2026, 11, 27)) == date(2026, 11, 27)
    assert default_start(None, date(2026, 11, 27)) == date(2026, 11, 27)
    assert default_start(2021, date(2026, 11, 27), date(2026, 6, 30)) == date(2026, 6, 30)


def test_milestone_problems():
    good = [("立项", date(2026, 3, 1), 40), ("完工", date(2026, 12, 1), 60)]
    assert milestone_problems(good, START, DUE) == {}
    assert milestone_problems([], START, DUE) == {"empty": True}
    assert milestone_problems([("a", date(2026, 3, 1), 40)], START, DUE) == {"sum": True}
    bad = [
        ("", date(2025, 12, 1), 50),
        ("b", date(2027, 2, 1), 50),
        ("c", date(2026, 6, 1), 0),
        ("d", None, 10),
    ]
    problems = milestone_problems(bad, START, DUE)
    assert problems == {
        "title": [0],
        "before_start": [0],
        "after_due": [1],
        "weight": [2],
        "order": [2],
        "date": [3],
    }
