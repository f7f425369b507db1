"""Assembling a dashboard: the city's or one department's figures for one plan."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from tracker.dashboard import queries
from tracker.dashboard.reporting import (
    ReportingStats,
    last_closed_period,
    rank,
    reporting_stats,
)
from tracker.dashboard.scope import (
    department_clause,
    due_soon_clause,
    lead_clause,
    light_of,
    overdue_clause,
)
from tracker.extensions import db
from tracker.indicators.queries import StatusGrid, status_grid
from tracker.item_predicates import open_clause
from tracker.models import (
    Department,
    Indicator,
    IndicatorValue,
    Plan,
    ReportingPeriod,
    WorkItem,
)
from tracker.periods import not_reported_label
from tracker.schedule_query import actual_expr, expected_expr, light_case

logger = logging.getLogger(__name__)

ATTENTION_LIMIT = 20


@dataclass
class Overview:
    plan: Plan
    today: date
    due_soon_days: int
    department: Department | None = None
    totals: queries.Tally = field(default_factory=queries.Tally)
    sections: list[queries.Bucket] = field(default_factory=list)
    columns: list[queries.Bucket] = field(default_factory=list)
    departments: list[queries.Bucket] = field(default_factory=list)
    plans: list[queries.Bucket] = field(default_factory=list)  # every offered plan
    period: ReportingPeriod | None = None
    reporting: list[ReportingStats] = field(default_factory=list)
    department_names: dict[int, str] = field(default_factory=dict)
    review_queue: int = 0
    values_waiting: int = 0
    grid: StatusGrid | None = None
    attention: list[WorkItem] = field(default_factory=list)
    # item id → {"light", "expected", "actual"} (序时进度) of the attention list's items
    attention_schedule: dict[int, dict] = field(default_factory=dict)

    @property
    def not_reported_label(self) -> str:
        """The column's name by the one deadline rule (tracker/periods.py); the dashboards
        show the last period whose deadline has passed, so today it reads 未报送."""
        return not_reported_label(self.period, self.today)

    @property
    def reporting_total(self) -> ReportingStats:
        total = ReportingStats(0)
        for stats in self.reporting:
            for name in ("due", "on_time", "late", "missing", "returned", "verified", "overdue"):
                setattr(total, name, getattr(total, name) + getattr(stats, name))
        return total


def city_overview(plan: Plan, today: date, days: int, plans=()) -> Overview:
    """Everything the office and city leaders see for one plan (`plans`: the schedule
    lights of every plan offered, one more GROUP BY)."""
    overview = Overview(plan, today, days)
    grid = _fill_common(overview, scope=None)
    overview.plans = queries.plan_buckets(plans, today, days, known={plan.id: overview.totals})
    overview.departments = queries.department_buckets(plan.id, today, days, grid=grid)
    by_department = {s.department_id: s for s in overview.reporting}
    for bucket in overview.departments:
        bucket.extra["reporting"] = by_department.get(bucket.key)
    overview.values_waiting = _values_waiting(plan.id)
    overview.grid = status_grid(plan, today)
    return overview


def department_overview(
    plan: Plan, department: Department, today: date, days: int, plans=()
) -> Overview:
    """The same figures for the items one department leads (what it answers for, and what
    the item list's department filter shows); its attention list includes co-owned items."""
    overview = Overview(plan, today, days, department=department)
    scope = lead_clause(department.id)
    _fill_common(overview, scope=scope, reporting_scope=scope)
    overview.plans = queries.plan_buckets(
        plans, today, days, scope, known={plan.id: overview.totals}
    )
    overview.values_waiting = _values_waiting(plan.id, department.id)
    overview.grid = status_grid(plan, today, department_id=department.id)
    overview.attention, overview.attention_schedule = _attention_items(
        plan.id, department_clause(department.id), today, days
    )
    return overview


def _fill_common(overview: Overview, scope, reporting_scope=None) -> dict:
    """Sections, 专栏, totals and reporting; returns the tally grid the department table
    reuses (one pass over the items for every grouping)."""
    plan, today, days = overview.plan, overview.today, overview.due_soon_days
    nodes = queries.node_index(plan.id)
    grid = queries.tally_grid(plan.id, today, days, scope)
    overview.sections = queries.section_buckets(plan.id, today, days, scope, nodes, grid)
    overview.columns = queries.column_buckets(plan.id, today, days, scope, nodes, grid)
    overview.totals = queries.total_tally(overview.sections)
    overview.review_queue = queries.review_queue_size(plan.id, scope)
    overview.period = last_closed_period(plan.id, today)
    if overview.period is not None:
        stats = reporting_stats(
            overview.period, today, current_app.config["TIMEZONE"], reporting_scope
        )
        overview.reporting = rank(stats)
    overview.department_names = queries.departments_by_id(
        s.department_id for s in overview.reporting
    )
    return grid


def _values_waiting(plan_id: int, department_id: int | None = None) -> int:
    query = (
        select(func.count(IndicatorValue.id))
        .join(Indicator, Indicator.id == IndicatorValue.indicator_id)
        .where(Indicator.plan_id == plan_id, IndicatorValue.state == "submitted")
    )
    if department_id is not None:
        query = query.where(Indicator.department_id == department_id)
    return int(db.session.scalar(query) or 0)


def _attention_items(plan_id: int, scope, today: date, days: int):
    """The department's overdue, due-soon and behind-schedule (yellow/red) items: red first,
    then yellow, then by due date (one query, bounded; the schedule figures come with it)."""
    light = light_case(today)
    rows = db.session.execute(
        select(
            WorkItem,
            light.label("light"),
            expected_expr(today).label("expected"),
            actual_expr().label("actual"),
        )
        .options(joinedload(WorkItem.lead_department))
        .where(
            WorkItem.plan_id == plan_id,
            scope,
            or_(
                overdue_clause(today),
                due_soon_clause(today, days),
                and_(open_clause(), light.in_(("red", "yellow"))),
            ),
        )
        .order_by(
            case((light == "red", 0), (light == "yellow", 1), else_=2),
            WorkItem.due_date,
            WorkItem.id,
        )
        .limit(ATTENTION_LIMIT)
    ).all()
    schedule = {
        item.id: {
            "light": light,
            "expected": expected,
            "actual": actual,
            "calendar": light_of(item, today, days),  # red overdue / yellow due soon / green
        }
        for item, light, expected, actual in rows
    }
    return [row[0] for row in rows], schedule
