"""Official Chinese working days (weekends, statutory holidays, 调休), Mon-Fri when unknown.

Three sources, first match wins: a year the office entered (the State Council's 放假安排,
stored in the database, see tracker/holidays), then the chinese_calendar package, then
Monday-Friday. This module stays free of Flask and the database: the app installs a
provider of entered years with `use_entered_years()`, which answers from the current
transaction (so an entry takes effect at once, in every process, at its next transaction).
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    # This year and next year when neither entered nor in the package, oldest first.
    missing_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class YearArrangement:
    """An entered year: its holidays (放假) and 调休 working days; other days by weekday."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        return day.weekday() < 5


EnteredYears = Mapping[int, YearArrangement]


def _no_entered_years() -> EnteredYears:
    return {}


_entered_years: Callable[[], EnteredYears] = _no_entered_years


def use_entered_years(provider: Callable[[], EnteredYears] | None) -> None:
    """Install the function that returns the entered years (None: the package only).

    The provider is asked once per public call below, so it must be cheap after its first
    answer (tracker/holidays/store.py caches per database transaction).
    """
    global _entered_years
    _entered_years = provider or _no_entered_years


def entered_years() -> EnteredYears:
    """The years entered by the office, as the installed provider sees them now."""
    return _entered_years()


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

    An entered year answers first. Years nobody knows yet (holidays are announced late in
    the year before) fall back to Monday-Friday, so reminders keep going out instead of
    crashing the job.
    """
    return _is_working_day(_as_date(day), entered_years())


def _is_working_day(day: date, entered: EnteredYears) -> bool:
    # The loops below fetch the entered years once and walk many days with them.
    arrangement = entered.get(day.year)
    if arrangement is not None:
        return arrangement.is_working_day(day)
    if day.year not in _known_years():
        # Checked first: the package raises for such a day, and exceptions are not cached.
        _warn_unknown_year(day.year)
        return day.weekday() < 5
    try:
        return _official_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5


def _working_day_from(day: date, step: timedelta) -> date:
    """`day` if it is a working day, else the closest one walking by `step` (±1 day)."""
    day, entered = _as_date(day), entered_years()
    while not _is_working_day(day, entered):
        day += step
    return day


def _count_working_days(day: date, n: int, step: timedelta) -> date:
    """The `n`th working day from `day` walking by `step`, `day` itself not counting;
    n=0 gives `day` or the closest working day in that direction."""
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    if n == 0:
        return _working_day_from(day, step)
    day, remaining, entered = _as_date(day), n, entered_years()
    while remaining:
        day += step
        if _is_working_day(day, entered):
            remaining -= 1
    return day


def working_day_on_or_before(day: date) -> date:
    """Return `day` if it is a working day, else the closest working day before it."""
    return _working_day_from(day, -_ONE_DAY)


def working_day_on_or_after(day: date) -> date:
    """Return `day` if it is a working day, else the closest working day after it."""
    return _working_day_from(day, _ONE_DAY)


def working_days_before(day: date, n: int) -> date:
    """Return the date `n` working days before `day`; n=0 gives the working day on or before."""
    return _count_working_days(day, n, -_ONE_DAY)


def add_working_days(day: date, n: int) -> date:
    """Return the date `n` working days after `day`; n=0 gives the working day on or after.

    `day` itself never counts, so the 5th working day after a period ending on a Tuesday
    is found by counting from the Wednesday.
    """
    return _count_working_days(day, n, _ONE_DAY)


def library_years() -> range:
    """The years the installed chinese_calendar package knows."""
    return _known_years()


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` <= `start`)."""
    day, end, entered = _as_date(start), _as_date(end), entered_years()
    count = 0
    while day < end:
        day += _ONE_DAY
        if _is_working_day(day, entered):
            count += 1
    return count


def calendar_coverage(today: date) -> CalendarCoverage:
    """Describe whether this year's and next year's holidays are known (entered or in the
    package), for the admin page."""
    known = _known_years()
    entered = entered_years()
    today_known = today.year in known or today.year in entered
    next_year_known = today.year + 1 in known or today.year + 1 in entered
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
        missing_years=tuple(
            year
            for year, is_known in ((today.year, today_known), (today.year + 1, next_year_known))
            if not is_known
        ),
    )
