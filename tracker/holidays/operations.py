"""Entering and clearing a holiday year: check, store, move open deadlines, audit, flush."""

from __future__ import annotations

import logging
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker import clock
from tracker.audit import record_event
from tracker.errors import PermissionDenied, StaleVersion
from tracker.extensions import db
from tracker.holidays.parsing import Entry
from tracker.holidays.store import forget_entered_years
from tracker.models import HolidayEntry, HolidayYear, Plan, ReportingPeriod
from tracker.periods import DEFAULT_DEADLINE_WORKING_DAYS, report_deadline
from tracker.workflow import Role

logger = logging.getLogger(__name__)


def _require_admin(actor) -> None:
    # None is the command line (whoever runs it has the server).
    if actor is not None and actor.role != Role.ADMIN:
        raise PermissionDenied()


def get_year(year: int, *, lock: bool = False) -> HolidayYear | None:
    """The entered year; `lock` holds its row (PostgreSQL) so two admins saving the same
    year take turns instead of deleting each other's entries."""
    query = select(HolidayYear).where(HolidayYear.year == year)
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def describe(holiday_year: HolidayYear | None) -> dict | None:
    """The arrangement as JSON-safe data (audit before/after, `holidays show`)."""
    if holiday_year is None:
        return None
    return {
        "year": holiday_year.year,
        "source": holiday_year.source,
        "entries": [
            {
                "kind": e.kind,
                "name": e.name,
                "first": e.first_day.isoformat(),
                "last": e.last_day.isoformat(),
            }
            for e in sorted(holiday_year.entries, key=lambda e: e.first_day)
        ],
    }


def set_holiday_year(
    actor, year: int, entries: list[Entry], *, today: date, source: str | None = None
) -> tuple[HolidayYear, int]:
    """Store `year`'s checked arrangement in place of any earlier one; it takes precedence
    over chinese_calendar at once. Returns the row and how many open deadlines moved."""
    _require_admin(actor)
    holiday_year = get_year(year, lock=True)
    before = describe(holiday_year)
    if holiday_year is None:
        holiday_year = HolidayYear(year=year, entered_at=clock.now())
        try:
            with db.session.begin_nested():
                db.session.add(holiday_year)
        except IntegrityError:
            # Another admin entered the same year a moment ago; theirs stays.
            raise StaleVersion(
                _("%(year)s was entered by someone else just now; reload and check it.", year=year)
            ) from None
    else:
        holiday_year.entries.clear()
        db.session.flush()
    holiday_year.source = (source or "").strip()[:200] or None
    holiday_year.entered_by_id = getattr(actor, "id", None)
    holiday_year.entered_at = clock.now()
    holiday_year.entries.extend(
        HolidayEntry(kind=e.kind, name=e.name, first_day=e.first, last_day=e.last) for e in entries
    )
    db.session.flush()
    forget_entered_years()
    moved = refresh_deadlines(year, today=today)
    after = describe(holiday_year)
    after["deadlines_moved"] = moved
    record_event(actor, "holidays.set", holiday_year, before=before, after=after)
    db.session.flush()
    logger.info(
        "holiday year %s entered (%d entries, %d deadlines moved)", year, len(entries), moved
    )
    return holiday_year, moved


def clear_holiday_year(actor, year: int, *, today: date) -> int | None:
    """Forget an entered year (the package or Monday-Friday answer again). Returns how many
    open deadlines moved, or None when the year was not entered."""
    _require_admin(actor)
    holiday_year = get_year(year, lock=True)
    if holiday_year is None:
        return None
    before = describe(holiday_year)
    record_event(actor, "holidays.cleared", holiday_year, before=before)
    db.session.delete(holiday_year)
    db.session.flush()
    forget_entered_years()
    moved = refresh_deadlines(year, today=today)
    logger.info("holiday year %s cleared (%d deadlines moved)", year, moved)
    return moved


def refresh_deadlines(year: int, *, today: date) -> int:
    """Recompute the stored report deadlines the year's working days decide, for periods
    whose deadline has not passed (a passed deadline stays as it was announced)."""
    rows = db.session.execute(
        select(ReportingPeriod, Plan.report_deadline_working_days)
        .join(Plan, Plan.id == ReportingPeriod.plan_id)
        .where(
            # A period ending late the year before has its deadline early in this year.
            ReportingPeriod.end_date >= date(year - 1, 11, 1),
            ReportingPeriod.end_date <= date(year, 12, 31),
            ReportingPeriod.deadline >= today,
        )
    ).all()
    moved = 0
    for period, working_days in rows:
        if working_days is None:
            working_days = DEFAULT_DEADLINE_WORKING_DAYS
        deadline = report_deadline(period.end_date, working_days)
        if deadline != period.deadline and deadline >= today:
            period.deadline = deadline
            moved += 1
    return moved
