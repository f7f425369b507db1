"""Reporting periods: pure quarter/month arithmetic, report deadlines, and the period rows.

A period's report is due N working days after it ends (the plan's
`report_deadline_working_days`, 5 by default). The period "in focus" on a given day is the
earliest one that has started and whose deadline has not passed: on 3 January the liaison
still writes the fourth quarter's report, on 20 January already the first quarter's.
Reporting goes on past the plan's last year for as long as items stay open.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.extensions import db
from tracker.workdays import add_working_days

logger = logging.getLogger(__name__)

FREQUENCIES = ("quarterly", "monthly")
DEFAULT_DEADLINE_WORKING_DAYS = 5


@dataclass(frozen=True)
class PeriodSpan:
    """One reporting period as pure data: `2026Q4` or `2026-11`, its first and last day."""

    label: str
    start: date
    end: date


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def period_containing(day: date, frequency: str = "quarterly") -> PeriodSpan:
    """The quarter (or month) that contains `day`."""
    if frequency == "monthly":
        return PeriodSpan(
            f"{day.year}-{day.month:02d}",
            date(day.year, day.month, 1),
            _month_end(day.year, day.month),
        )
    if frequency != "quarterly":
        raise ValueError(f"unknown reporting frequency {frequency!r}")
    quarter = (day.month - 1) // 3 + 1
    first_month = 3 * quarter - 2
    return PeriodSpan(
        f"{day.year}Q{quarter}",
        date(day.year, first_month, 1),
        _month_end(day.year, first_month + 2),
    )


def next_period(span: PeriodSpan, frequency: str = "quarterly") -> PeriodSpan:
    return period_containing(span.end + timedelta(days=1), frequency)


def periods_between(
    first_day: date, last_day: date, frequency: str = "quarterly"
) -> list[PeriodSpan]:
    """Every period from the one containing `first_day` to the one containing `last_day`."""
    spans: list[PeriodSpan] = []
    if last_day < first_day:
        return spans
    span = period_containing(first_day, frequency)
    while span.start <= last_day:
        spans.append(span)
        span = next_period(span, frequency)
    return spans


def report_deadline(period_end: date, working_days: int = DEFAULT_DEADLINE_WORKING_DAYS) -> date:
    """The Nth working day after the period ends (official calendar, 调休 included)."""
    return add_working_days(period_end, working_days)


def focus_span(
    today: date,
    frequency: str = "quarterly",
    working_days: int = DEFAULT_DEADLINE_WORKING_DAYS,
) -> PeriodSpan:
    """The period whose report is being written on `today` (see the module docstring)."""
    current = period_containing(today, frequency)
    previous = period_containing(current.start - timedelta(days=1), frequency)
    if report_deadline(previous.end, working_days) >= today:
        return previous
    return current


# ---------------------------------------------------------------- the period rows


def ensure_periods(plan, through: date):
    """Create the plan's missing period rows from its first year up to the one containing
    `through` (past the plan's end too: open items keep reporting). Returns every period of
    the plan, oldest first. Idempotent; the caller commits."""
    from tracker.models import ReportingPeriod

    frequency = plan.frequency or "quarterly"
    working_days = plan.report_deadline_working_days
    if working_days is None:
        working_days = DEFAULT_DEADLINE_WORKING_DAYS
    existing = {
        period.label: period
        for period in db.session.scalars(
            select(ReportingPeriod).where(ReportingPeriod.plan_id == plan.id)
        )
    }
    created = 0
    for span in periods_between(date(plan.start_year, 1, 1), through, frequency):
        if span.label in existing:
            continue
        period = ReportingPeriod(
            plan_id=plan.id,
            label=span.label,
            start_date=span.start,
            end_date=span.end,
            deadline=report_deadline(span.end, working_days),
        )
        db.session.add(period)
        existing[span.label] = period
        created += 1
    if created:
        db.session.flush()
        logger.info("created %d reporting periods for plan %s", created, plan.id)
    return sorted(existing.values(), key=lambda p: p.start_date)


def ensure_all_periods(today: date) -> int:
    """Periods through `today` for every active plan (for a daily job or the CLI)."""
    from tracker.models import Plan, ReportingPeriod

    count_before = db.session.query(ReportingPeriod.id).count()
    for plan in db.session.scalars(select(Plan).where(Plan.status == "active")):
        ensure_periods(plan, today)
    return db.session.query(ReportingPeriod.id).count() - count_before


def focus_period(plan_id: int, today: date):
    """The plan's period row in focus on `today` (None when its rows were not created)."""
    from tracker.models import ReportingPeriod

    return db.session.scalar(
        select(ReportingPeriod)
        .where(
            ReportingPeriod.plan_id == plan_id,
            ReportingPeriod.start_date <= today,
            ReportingPeriod.deadline >= today,
        )
        .order_by(ReportingPeriod.start_date)
        .limit(1)
    )


@cache
def _earlier_period():
    """One alias for every call (building it each time costs column proxies)."""
    from sqlalchemy.orm import aliased

    from tracker.models import ReportingPeriod

    return aliased(ReportingPeriod, name="earlier_period")


def focus_period_ids(today: date):
    """A SELECT of every plan's period in focus on `today` (one id per plan), not correlated
    with the outer query, so the database evaluates it once instead of once per item."""
    from sqlalchemy import and_, exists

    from tracker.models import ReportingPeriod

    earlier = _earlier_period()
    return (
        select(ReportingPeriod.id)
        .where(
            ReportingPeriod.start_date <= today,
            ReportingPeriod.deadline >= today,
            ~exists().where(
                and_(
                    earlier.plan_id == ReportingPeriod.plan_id,
                    earlier.start_date <= today,
                    earlier.deadline >= today,
                    earlier.start_date < ReportingPeriod.start_date,
                )
            ),
        )
        .correlate(None)  # never tied to a reporting_period of the enclosing query
    )


def focus_period_id_clause(plan_id_column, today: date):
    """A correlated scalar subquery: the id of the period in focus for a plan column."""
    from tracker.models import ReportingPeriod

    return (
        select(ReportingPeriod.id)
        .where(
            ReportingPeriod.plan_id == plan_id_column,
            ReportingPeriod.start_date <= today,
            ReportingPeriod.deadline >= today,
        )
        .order_by(ReportingPeriod.start_date)
        .limit(1)
        .correlate_except(ReportingPeriod)
        .scalar_subquery()
    )


def deadline_passed(period, today: date) -> bool:
    """The one rule for 未报送: a report still missing on its deadline day is not late yet;
    from the day after, it is. Bulletins, dashboards and the digest all ask here."""
    return today > period.deadline


def not_reported_label(period, today: date, *, lazy: bool = False) -> str:
    """未报送 after the deadline; before it, 尚未报送（截止日未到） — not yet a failing.
    `lazy` for text rendered later in its reader's language (the digest)."""
    if period is None or deadline_passed(period, today):
        return _l("Not reported") if lazy else _("Not reported")
    if lazy:
        return _l("Not yet reported (deadline not reached)")
    return _("Not yet reported (deadline not reached)")
