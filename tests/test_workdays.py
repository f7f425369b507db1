"""Tests for the official Chinese working-day calendar and its fallback."""

import logging
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from tracker import workdays
from tracker.workdays import (
    CalendarCoverage,
    add_working_days,
    calendar_coverage,
    is_working_day,
    working_day_on_or_after,
    working_day_on_or_before,
    working_days_before,
)

# The package itself is the source of truth; tests for "the last known year" follow it.
LAST_KNOWN_YEAR = max(day.year for day in chinese_calendar.holidays)
UNKNOWN_YEAR = 2099


@pytest.fixture
def fresh_warnings(monkeypatch):
    """Forget which unknown years were already logged so each test sees its own warning."""
    monkeypatch.setattr(workdays, "_warned_years", set())


@pytest.fixture
def workday_logs(monkeypatch, caplog):
    """Capture this module's warnings.

    alembic's `fileConfig` in migrations/env.py disables loggers that already exist when the
    session fixture runs the migrations, so re-enable ours for the test.
    """
    monkeypatch.setattr(workdays.logger, "disabled", False)
    caplog.set_level(logging.WARNING, logger=workdays.__name__)
    return caplog


def test_package_knows_2026():
    assert LAST_KNOWN_YEAR >= 2026


# National Day + Mid-autumn 2026 per chinese_calendar 1.11.0: 10-01 (Thu) … 10-07 (Wed) off,
# 10-08 (Thu) back at work, Sunday 09-20 and Saturday 10-10 are 调休 working days.
@pytest.mark.parametrize("day", [date(2026, 10, d) for d in range(1, 8)])
def test_national_day_week_2026_is_off(day):
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 2, 14),  # Saturday before Spring Festival
        date(2026, 2, 28),  # Saturday after Spring Festival
        date(2026, 5, 9),  # Saturday after Labour Day
        date(2026, 9, 20),  # Sunday before National Day
        date(2026, 10, 10),  # Saturday after National Day
    ],
)
def test_make_up_weekend_days_2026_are_working(day):
    assert day.weekday() >= 5
    assert is_working_day(day)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 9, 30), True),  # Wednesday before the holiday
        (date(2026, 10, 8), True),  # Thursday, first day back
        (date(2026, 10, 9), True),  # ordinary Friday
        (date(2026, 10, 11), False),  # ordinary Sunday
        (date(2026, 2, 16), False),  # Spring Festival Monday
        (date(2026, 1, 5), True),  # ordinary Monday
    ],
)
def test_ordinary_and_holiday_days_2026(day, expected):
    assert is_working_day(day) is expected


def test_accepts_datetime():
    assert is_working_day(datetime(2026, 10, 1, 9, 30)) is False
    assert working_day_on_or_before(datetime(2026, 10, 3, 8, 0)) == date(2026, 9, 30)


def test_three_working_days_before_skips_national_day_week():
    # 10-08 (1), then the holiday week is skipped: 09-30 (2), 09-29 (3).
    assert working_days_before(date(2026, 10, 9), 3) == date(2026, 9, 29)


def test_working_days_before_zero_is_on_or_before():
    assert working_days_before(date(2026, 10, 5), 0) == date(2026, 9, 30)
    assert working_days_before(date(2026, 10, 9), 0) == date(2026, 10, 9)


def test_working_days_before_counts_make_up_saturday():
    # Monday 10-12 minus one working day is the 调休 Saturday 10-10, not Friday 10-09.
    assert working_days_before(date(2026, 10, 12), 1) == date(2026, 10, 10)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 10, 1), date(2026, 9, 30)),  # first holiday → day before
        (date(2026, 10, 7), date(2026, 9, 30)),  # last holiday → before the whole week
        (date(2026, 2, 23), date(2026, 2, 14)),  # Spring Festival → the 调休 Saturday
        (date(2026, 10, 11), date(2026, 10, 10)),  # Sunday → 调休 Saturday
        (date(2026, 10, 8), date(2026, 10, 8)),  # already a working day
    ],
)
def test_working_day_on_or_before(day, expected):
    assert working_day_on_or_before(day) == expected


def test_working_day_on_or_after():
    assert working_day_on_or_after(date(2026, 10, 1)) == date(2026, 10, 8)
    assert working_day_on_or_after(date(2026, 10, 9)) == date(2026, 10, 9)


@pytest.mark.parametrize(
    ("day", "n", "expected"),
    [
        # Q3 2026 ends Wed 09-30; the holiday week is skipped:
        # 10-08, 10-09, 10-10 (调休), 10-12, 10-13.
        (date(2026, 9, 30), 5, date(2026, 10, 13)),
        # Q1 2026 ends Tue 03-31; Qingming 04-04…04-06 is skipped.
        (date(2026, 3, 31), 5, date(2026, 4, 8)),
        (date(2026, 10, 1), 0, date(2026, 10, 8)),
        (date(2026, 10, 9), 1, date(2026, 10, 10)),
    ],
)
def test_add_working_days(day, n, expected):
    assert add_working_days(day, n) == expected


@pytest.mark.parametrize("func", [working_days_before, add_working_days])
def test_negative_n_is_rejected(func):
    with pytest.raises(ValueError):
        func(date(2026, 10, 9), -1)


def test_unknown_year_falls_back_to_monday_to_friday(fresh_warnings):
    monday = date(UNKNOWN_YEAR, 1, 5)
    assert monday.weekday() == 0
    week = [monday + timedelta(days=i) for i in range(7)]
    assert [is_working_day(day) for day in week] == [True] * 5 + [False] * 2
    # 2099-01-01 is a Thursday: New Year is not known, so it counts as a working day.
    assert is_working_day(date(UNKNOWN_YEAR, 1, 1)) is True


def test_unknown_year_arithmetic_does_not_raise(fresh_warnings):
    saturday = date(UNKNOWN_YEAR, 1, 10)
    assert working_day_on_or_before(saturday) == date(UNKNOWN_YEAR, 1, 9)
    assert working_days_before(date(UNKNOWN_YEAR, 1, 12), 1) == date(UNKNOWN_YEAR, 1, 9)
    assert add_working_days(date(UNKNOWN_YEAR, 1, 9), 1) == date(UNKNOWN_YEAR, 1, 12)


def test_years_before_the_data_also_fall_back(fresh_warnings):
    assert is_working_day(date(2000, 1, 3)) is True  # a Monday
    assert is_working_day(date(2000, 1, 1)) is False  # a Saturday


def test_counting_across_into_an_unknown_year():
    # From the last known year's final working days into the first unknown year.
    start = date(LAST_KNOWN_YEAR, 12, 31)
    result = add_working_days(start, 3)
    assert result.year == LAST_KNOWN_YEAR + 1
    assert result.weekday() < 5


def test_unknown_year_warns_once_per_year(fresh_warnings, workday_logs):
    for offset in range(30):
        is_working_day(date(UNKNOWN_YEAR, 3, 1) + timedelta(days=offset))
    is_working_day(date(UNKNOWN_YEAR - 1, 3, 2))
    warned = [r for r in workday_logs.records if r.name == workdays.__name__]
    assert len(warned) == 2
    assert str(UNKNOWN_YEAR) in warned[0].getMessage()
    assert str(UNKNOWN_YEAR - 1) in warned[1].getMessage()


def test_known_year_does_not_warn(fresh_warnings, workday_logs):
    is_working_day(date(2026, 6, 1))
    assert not workday_logs.records


def test_coverage_in_last_known_year():
    coverage = calendar_coverage(date(LAST_KNOWN_YEAR, 12, 1))
    assert coverage == CalendarCoverage(
        last_known_year=LAST_KNOWN_YEAR,
        today_known=True,
        next_year_known=False,
        message_key="next_year_unknown",
        missing_years=(LAST_KNOWN_YEAR + 1,),
    )


def test_coverage_in_the_year_after():
    coverage = calendar_coverage(date(LAST_KNOWN_YEAR + 1, 1, 15))
    assert coverage == CalendarCoverage(
        last_known_year=LAST_KNOWN_YEAR,
        today_known=False,
        next_year_known=False,
        message_key="current_year_unknown",
        missing_years=(LAST_KNOWN_YEAR + 1, LAST_KNOWN_YEAR + 2),
    )


def test_coverage_when_next_year_is_known():
    coverage = calendar_coverage(date(LAST_KNOWN_YEAR - 1, 6, 1))
    assert coverage.today_known and coverage.next_year_known
    assert coverage.message_key is None and coverage.missing_years == ()
