"""Gathering a year's or a quarter's events, set-based: a few statements whatever the size.

Reports: the range's periods, then one statement over every item and period at once. Which
items owed a report, and what counts as on time, is the dashboards' and the 通报's rule
(tracker/dashboard/reporting.py: `_due_for_period`, `deadline_cutoff`); a report still
missing counts only once its deadline has passed (`tracker.periods.deadline_passed`).
Items: one statement (due date in the range). Letters: one statement (issued in the range).
Milestones (issue #16): one statement (planned in the range, not reached by their date).
Indicators (a year's sheet only — indicator values are yearly): two statements, judged by
tracker/indicators/status.py.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import and_, case, func, or_, select

from tracker.assessment.scoring import Event
from tracker.assessment.vocabulary import GRADE_EVENTS, LETTER_EVENTS
from tracker.dashboard.reporting import deadline_cutoff
from tracker.extensions import db
from tracker.indicators.queries import verified_values_by_indicator
from tracker.indicators.specs import spec_for, status_for
from tracker.indicators.status import IndicatorStatus
from tracker.models import (
    Indicator,
    Letter,
    Milestone,
    MilestonePlan,
    Plan,
    Report,
    ReportingPeriod,
    ReportRevision,
    WorkItem,
)
from tracker.periods import deadline_passed
from tracker.workflow import ItemStatus, LetterState, ReviewState

logger = logging.getLogger(__name__)

MET = frozenset({IndicatorStatus.MET, IndicatorStatus.ON_TRACK, IndicatorStatus.DONE})
NOT_MET = frozenset({IndicatorStatus.NOT_MET, IndicatorStatus.BEHIND, IndicatorStatus.FAR_BEHIND})


def periods_in(first_day: date, last_day: date) -> list[ReportingPeriod]:
    """Every plan's periods that begin in the range."""
    return list(
        db.session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.start_date >= first_day, ReportingPeriod.start_date <= last_day)
            .order_by(ReportingPeriod.plan_id, ReportingPeriod.start_date)
        )
    )


def owed_report():
    """Items that owed a report for the joined period: `_due_for_period` of
    tracker/dashboard/reporting.py (the 通报's rule) written on the period's columns, so all
    periods of a range are read in one statement. Dates compare as the naive-UTC day the
    instants fall on, as there (tests/test_assessment_events.py keeps the two in step)."""
    day = func.date
    return and_(
        WorkItem.lead_department_id.is_not(None),
        or_(day(WorkItem.created_at) <= ReportingPeriod.end_date, Report.id.is_not(None)),
        or_(WorkItem.retired_at.is_(None), day(WorkItem.retired_at) > ReportingPeriod.end_date),
        or_(
            WorkItem.completed_at.is_(None),
            day(WorkItem.completed_at) >= ReportingPeriod.start_date,
        ),
        or_(WorkItem.status != "completed", WorkItem.completed_at.is_not(None)),
    )


def report_events(periods: list[ReportingPeriod], today: date, timezone: str) -> list[Event]:
    """On time / late / missing / returned / graded, for every item that owed a report in
    any of `periods` — one statement. On time: first submitted before the deadline's end
    (local time, `deadline_cutoff`); missing counts once the deadline has passed."""
    if not periods:
        return []
    by_id = {period.id: period for period in periods}
    cutoffs = {period.id: deadline_cutoff(period.deadline, timezone) for period in periods}
    first = (
        select(
            ReportRevision.report_id.label("report_id"),
            func.min(ReportRevision.submitted_at).label("first_at"),
            func.max(case((ReportRevision.outcome == "returned", 1), else_=0)).label("returned"),
        )
        .where(ReportRevision.report_id.in_(select(Report.id).where(Report.period_id.in_(by_id))))
        .group_by(ReportRevision.report_id)
        .subquery()
    )
    submitted_at = func.coalesce(first.c.first_at, Report.submitted_at).label("submitted_at")
    was_returned = or_(Report.state == ReviewState.RETURNED.value, first.c.returned == 1)
    rows = db.session.execute(
        select(
            WorkItem.id.label("item_id"),
            WorkItem.code,
            WorkItem.lead_department_id,
            ReportingPeriod.id.label("period_id"),
            Report.id.label("report_id"),
            Report.state,
            Report.quality_grade,
            submitted_at,
            case((was_returned, 1), else_=0).label("returned"),
        )
        .select_from(WorkItem)
        .join(
            ReportingPeriod,
            and_(ReportingPeriod.plan_id == WorkItem.plan_id, ReportingPeriod.id.in_(by_id)),
        )
        .outerjoin(
            Report, and_(Report.item_id == WorkItem.id, Report.period_id == ReportingPeriod.id)
        )
        .outerjoin(first, first.c.report_id == Report.id)
        .where(owed_report())
    ).all()
    missing_counts = {pid: deadline_passed(period, today) for pid, period in by_id.items()}
    events = []
    for row in rows:
        label = f"{row.code} · {by_id[row.period_id].label}"
        department = row.lead_department_id
        if row.submitted_at is None:
            if missing_counts[row.period_id]:
                events.append(Event(department, "report_missing", "item", row.item_id, label))
            continue
        on_time = row.submitted_at < cutoffs[row.period_id]
        kind = "report_on_time" if on_time else "report_late"
        events.append(Event(department, kind, "report", row.report_id, label))
        if row.returned:
            events.append(Event(department, "report_returned", "report", row.report_id, label))
        grade_event = GRADE_EVENTS.get(row.quality_grade or "")
        if grade_event and row.state == ReviewState.VERIFIED.value:
            events.append(Event(department, grade_event, "report", row.report_id, label))
    return events


def item_events(first_day: date, last_day: date, today: date, timezone: str) -> list[Event]:
    """Items due in the range: completed on or before the due date (local time), after it,
    or still open once it has passed. Retired items owe nothing."""
    rows = db.session.execute(
        select(
            WorkItem.id,
            WorkItem.code,
            WorkItem.lead_department_id,
            WorkItem.due_date,
            WorkItem.status,
            WorkItem.completed_at,
        ).where(
            WorkItem.due_date >= first_day,
            WorkItem.due_date <= last_day,
            WorkItem.lead_department_id.is_not(None),
            WorkItem.retired_at.is_(None),
        )
    ).all()
    events = []
    for row in rows:
        if row.status == ItemStatus.COMPLETED.value and row.completed_at is not None:
            on_time = row.completed_at < deadline_cutoff(row.due_date, timezone)
            kind = "item_completed_on_time" if on_time else "item_completed_late"
        elif row.status != ItemStatus.COMPLETED.value and row.due_date < today:
            kind = "item_overdue"
        else:
            continue
        events.append(Event(row.lead_department_id, kind, "item", row.id, row.code))
    return events


def indicator_events(year: int) -> list[Event]:
    """Each indicator with a responsible department, judged for `year` from verified values:
    met or not met, binding (约束性) ones as their own events so the rules weigh them."""
    indicators = list(
        db.session.scalars(
            select(Indicator)
            .join(Plan, Plan.id == Indicator.plan_id)
            .where(
                Indicator.department_id.is_not(None),
                Plan.start_year <= year,
                Plan.end_year >= year,
            )
            .order_by(Indicator.id)
        )
    )
    plan_ids = {indicator.plan_id for indicator in indicators}
    plans = {
        plan.id: plan for plan in db.session.scalars(select(Plan).where(Plan.id.in_(plan_ids)))
    }
    values = verified_values_by_indicator(indicator.id for indicator in indicators)
    events = []
    for indicator in indicators:
        spec = spec_for(indicator, plans[indicator.plan_id])
        status, _warning = status_for(spec, year, values[indicator.id])
        if status in MET:
            kind = "indicator_met"
        elif status in NOT_MET or (status == IndicatorStatus.NOT_YET and year >= spec.target_year):
            kind = "indicator_not_met"
        else:
            continue
        if spec.binding:
            kind = f"binding_{kind}"
        label = f"{indicator.number}. {indicator.name} · {year}"
        events.append(Event(indicator.department_id, kind, "indicator", indicator.id, label))
    return events


def letter_events(first_day: date, last_day: date) -> list[Event]:
    """Supervision letters (issue #18) issued to a department in the range, by level; a
    cancelled letter was withdrawn and counts for nothing. One statement."""
    rows = db.session.execute(
        select(Letter.id, Letter.department_id, Letter.level, Letter.number).where(
            Letter.issued_on >= first_day,
            Letter.issued_on <= last_day,
            Letter.state != LetterState.CANCELLED.value,
        )
    ).all()
    return [
        Event(row.department_id, LETTER_EVENTS[row.level], "letter", row.id, row.number)
        for row in rows
        if row.level in LETTER_EVENTS
    ]


def milestone_events(first_day: date, last_day: date, today: date) -> list[Event]:
    """Milestones of an approved (verified) milestone plan, planned in the range and past:
    missed unless the office verified them reached on or before the planned date, or the
    item was completed (销号) by then (naive-UTC day, as `owed_report`). A claim still waiting
    for the office counts as missed until verified (the sheet is recomputed, so it is scored
    right once it is). Counted for the item's lead department. One statement."""
    verified = ReviewState.VERIFIED.value
    reached_in_time = or_(
        and_(
            Milestone.state == verified,
            Milestone.reached_on.is_not(None),
            Milestone.reached_on <= Milestone.planned_date,
        ),
        and_(
            WorkItem.status == ItemStatus.COMPLETED.value,
            func.date(WorkItem.completed_at) <= Milestone.planned_date,
        ),
    )
    rows = db.session.execute(
        select(
            Milestone.title,
            Milestone.planned_date,
            WorkItem.id.label("item_id"),
            WorkItem.code,
            WorkItem.lead_department_id,
        )
        .join(MilestonePlan, MilestonePlan.id == Milestone.plan_id)
        .join(WorkItem, WorkItem.id == Milestone.item_id)
        .where(
            MilestonePlan.state == verified,
            Milestone.planned_date >= first_day,
            Milestone.planned_date <= last_day,
            Milestone.planned_date < today,
            WorkItem.lead_department_id.is_not(None),
            WorkItem.retired_at.is_(None),
            ~reached_in_time,
        )
        .order_by(Milestone.item_id, Milestone.position, Milestone.id)
    ).all()
    return [
        Event(
            row.lead_department_id,
            "milestone_missed",
            "item",
            row.item_id,
            f"{row.code} · {row.title} · {row.planned_date.isoformat()}",
        )
        for row in rows
    ]


def gather_events(
    first_day: date, last_day: date, today: date, timezone: str, *, yearly: bool
) -> list[Event]:
    """Every event of the range. `yearly` adds the indicators (judged per year)."""
    events = report_events(periods_in(first_day, last_day), today, timezone)
    events.extend(item_events(first_day, last_day, today, timezone))
    events.extend(letter_events(first_day, last_day))
    events.extend(milestone_events(first_day, last_day, today))
    if yearly:
        events.extend(indicator_events(first_day.year))
    return events
