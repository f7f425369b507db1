"""Official Chinese working days (weekends, statutory holidays, 调休), Mon-Fri when unknown."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import chinese_calendar

logger = logging.getLogger(__name__)

_ONE_DAY = timedelta(days=1)

# Keys for the admin page; the web layer translates them, this module holds no prose.
COVERAGE_CURRENT_YEAR_UNKNOWN = "current_year_unknown"
COVERAGE_NEXT_YEAR_UNKNOWN = "next_year_unknown"

# Years we already warned about. A scheduler run walks many days of the same year, and one
# warning per year per process says everything an operator needs to know.
_warned_years: set[int] = set()


@dataclass(frozen=True)
class CalendarCoverage:
    """How far the installed holiday data reaches, as seen from `today`."""

    last_known_year: int
    today_known: bool
    next_year_known: bool
    message_key: str | None


@cache
def _known_years() -> range:
    # Derived from the package's own data so upgrading chinesecalendar extends coverage
    # without a code change; the data cannot change while the process runs.
    years = {day.year for day in chinese_calendar.holidays}
    return range(min(years), max(years) + 1)


def _as_date(day: date) -> date:
    # datetime is a subclass of date; arithmetic on it would leak datetimes to callers.
    return day.date() if isinstance(day, datetime) else day


def _warn_unknown_year(year: int) -> None:
    if year in _warned_years:
        return
    _warned_years.add(year)
    logger.warning(
        "No official holiday calendar for %d (chinese_calendar knows %d-%d); "
        "counting Monday-Friday as working days with no holidays",
        year,
        _known_years().start,
        _known_years().stop - 1,
    )


@cache
def _official_workday(day: date) -> bool:
    # chinese_calendar validates every call against its whole table (a min() over all
    # holidays): ~0.1 ms a day, which the reminder job pays thousands of times per run.
    # A year it does not know raises, and exceptions are not cached.
    return chinese_calendar.is_workday(day)


def is_working_day(day: date) -> bool:
    """Return True if `day` is an official working day in mainland China.

    Years the package does not know yet (holidays are announced late in the year before)
    fall back to Monday-Friday, so reminders keep going out instead of crashing the job.
    """
    day = _as_date(day)
    try:
        return _official_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5


def working_day_on_or_before(day: date) -> date:
    """Return `day` if it is a working day, else the closest working day before it."""
    day = _as_date(day)
    while not is_working_day(day):
        day -= _ONE_DAY
    return day


def working_day_on_or_after(day: date) -> date:
    """Return `day` if it is a working day, else the closest working day after it."""
    day = _as_date(day)
    while not is_working_day(day):
        day += _ONE_DAY
    return day


def working_days_before(day: date, n: int) -> date:
    """Return the date `n` working days before `day`; n=0 gives the working day on or before."""
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    day = _as_date(day)
    if n == 0:
        return working_day_on_or_before(day)
    remaining = n
    while remaining:
        day -= _ONE_DAY
        if is_working_day(day):
            remaining -= 1
    return day


def add_working_days(day: date, n: int) -> date:
    """Return the date `n` working days after `day`; n=0 gives the working day on or after.

    `day` itself never counts, so the 5th working day after a period ending on a Tuesday
    is found by counting from the Wednesday.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    day = _as_date(day)
    if n == 0:
        return working_day_on_or_after(day)
    remaining = n
    while remaining:
        day += _ONE_DAY
        if is_working_day(day):
            remaining -= 1
    return day


def calendar_coverage(today: date) -> CalendarCoverage:
    """Describe whether this year's and next year's holidays are known, for the admin page."""
    known = _known_years()
    today_known = today.year in known
    next_year_known = today.year + 1 in known
    if not today_known:
        message_key = COVERAGE_CURRENT_YEAR_UNKNOWN
    elif not next_year_known:
        message_key = COVERAGE_NEXT_YEAR_UNKNOWN
    else:
        message_key = None
    return CalendarCoverage(
        last_known_year=known.stop - 1,
        today_known=today_known,
        next_year_known=next_year_known,
        message_key=message_key,
    )
