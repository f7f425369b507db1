"""The entered holiday years as tracker/workdays sees them: one query per database transaction.

Every request and every scheduler job runs in its own transaction, so an arrangement entered
in one process is used by every other process from its next request or job on, and by the
entering process at once (the operations forget the cached years after writing). Between
transactions nothing is cached, so there is no version counter to keep in step.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from flask import has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tracker.extensions import db
from tracker.models import HolidayEntry, HolidayYear
from tracker.workdays import YearArrangement

logger = logging.getLogger(__name__)

_INFO_KEY = "tracker.entered_holiday_years"


def load_entered_years() -> dict[int, YearArrangement]:
    """Every entered year with its holiday and 调休 days (one query)."""
    rows = db.session.execute(
        select(HolidayYear.year, HolidayEntry.kind, HolidayEntry.first_day, HolidayEntry.last_day)
        .select_from(HolidayYear)
        .outerjoin(HolidayEntry, HolidayEntry.holiday_year_id == HolidayYear.id)
    ).all()
    days: dict[int, dict[str, set[date]]] = {}
    for year, kind, first, last in rows:
        by_kind = days.setdefault(year, {"holiday": set(), "workday": set()})
        if kind is None:
            continue
        day = first
        while day <= last:
            by_kind[kind].add(day)
            day += timedelta(days=1)
    return {
        year: YearArrangement(frozenset(d["holiday"]), frozenset(d["workday"]))
        for year, d in days.items()
    }


def entered_years() -> dict[int, YearArrangement]:
    """The provider installed into tracker/workdays: empty outside an application."""
    if not has_app_context():
        return {}
    session = db.session()
    cached = session.info.get(_INFO_KEY)
    if cached is None:
        cached = load_entered_years()
        session.info[_INFO_KEY] = cached
    return cached


def forget_entered_years() -> None:
    """Drop the cached years of the current session (after entering or clearing a year)."""
    db.session().info.pop(_INFO_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_transaction_end(session, transaction) -> None:
    # A new transaction may see years another process committed meanwhile.
    if transaction.parent is None:
        session.info.pop(_INFO_KEY, None)
