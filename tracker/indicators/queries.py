"""Read-only indicator queries other areas call: the status grid and the binding warnings."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from tracker.extensions import db
from tracker.indicators.specs import (
    BINDING,
    latest_judged_year,
    plan_years,
    spec_for,
    status_for,
)
from tracker.indicators.status import IndicatorStatus
from tracker.models import (
    Attachment,
    AuditEvent,
    Department,
    Indicator,
    IndicatorValue,
    Plan,
    WorkItem,
)
from tracker.workflow import Action, ReviewState, can

logger = logging.getLogger(__name__)


def verified_values_by_indicator(indicator_ids) -> dict[int, dict[int, float | str | None]]:
    """indicator id → {year: value} of verified values, in one query."""
    ids = list(indicator_ids)
    result: dict[int, dict[int, float | str | None]] = {i: {} for i in ids}
    if not ids:
        return result
    rows = db.session.execute(
        select(
            IndicatorValue.indicator_id,
            IndicatorValue.year,
            IndicatorValue.value_number,
            IndicatorValue.value_text,
        ).where(
            IndicatorValue.indicator_id.in_(ids),
            IndicatorValue.state == ReviewState.VERIFIED.value,
        )
    ).all()
    for row in rows:
        value = row.value_number if row.value_number is not None else row.value_text
        result[row.indicator_id][row.year] = value
    return result


def binding_warnings(today: date) -> list[dict]:
    """Binding (约束性) indicators of active plans whose latest judged year raises a 预警.

    The judged year is the latest year with a verified value, within the plan period and
    not after `today`'s year. Two queries whatever the number of plans and indicators.
    Each entry: indicator_id, plan_title, number, name, year, status, department (short name
    or None when no department is responsible yet).
    """
    indicators = db.session.scalars(
        select(Indicator)
        .join(Indicator.plan)
        .outerjoin(Indicator.department)
        .options(contains_eager(Indicator.plan), contains_eager(Indicator.department))
        .where(Indicator.attribute == BINDING, Plan.status == "active")
        .order_by(Plan.id, Indicator.number)
    ).all()
    verified = verified_values_by_indicator(i.id for i in indicators)
    warnings = []
    for indicator in indicators:
        spec = spec_for(indicator)
        year = latest_judged_year(verified[indicator.id], spec, today.year)
        if year is None:
            continue
        status, warning = status_for(spec, year, verified[indicator.id])
        if not warning:
            continue
        warnings.append(
            {
                "indicator_id": indicator.id,
                "plan_title": indicator.plan.title,
                "number": indicator.number,
                "name": indicator.name,
                "year": year,
                "status": status.value,
                "department": indicator.department.short_name if indicator.department else None,
            }
        )
    return warnings


def plan_indicators(plan_id: int, *, department_id=None, category=None) -> list[Indicator]:
    """A plan's indicators in table order, with their department, in one query."""
    query = plan_indicators_query(plan_id, department_id=department_id, category=category)
    return list(db.session.scalars(query).unique())


# --- the status grid: indicators × years -------------------------------------------------


@dataclass
class GridCell:
    """One indicator in one year: its status judged from verified values only."""

    year: int
    status: IndicatorStatus
    warning: bool
    value: float | str | None  # the verified value of that year, if any
    running_total: float | None = None  # cumulative kinds: the sum so far


@dataclass
class GridRow:
    indicator: Indicator
    cells: list[GridCell]
    latest: GridCell | None  # the latest judged year, the one dashboards show


@dataclass
class StatusGrid:
    plan: Plan
    years: list[int]
    rows: list[GridRow] = field(default_factory=list)

    @property
    def warnings(self) -> list[GridRow]:
        return [row for row in self.rows if row.latest is not None and row.latest.warning]


def _running_totals(verified: dict, years: list[int]) -> dict[int, float]:
    totals, total = {}, 0.0
    for year in years:
        value = verified.get(year)
        if isinstance(value, int | float):
            total += value
        totals[year] = total
    return totals


def grid_rows(plan: Plan, indicators, today: date) -> list[GridRow]:
    """Rows for the given indicators of one plan; one query for all their verified values."""
    years = plan_years(plan)
    verified_by_id = verified_values_by_indicator(i.id for i in indicators)
    rows = []
    for indicator in indicators:
        spec = spec_for(indicator, plan)
        verified = verified_by_id[indicator.id]
        totals = _running_totals(verified, years) if indicator.kind == "cumulative" else {}
        cells = []
        for year in years:
            status, warning = status_for(spec, year, verified)
            cells.append(GridCell(year, status, warning, verified.get(year), totals.get(year)))
        latest_year = latest_judged_year(verified, spec, today.year)
        latest = next((c for c in cells if c.year == latest_year), None)
        rows.append(GridRow(indicator, cells, latest))
    return rows


def status_grid(plan: Plan, today: date, *, department_id=None, category=None) -> StatusGrid:
    """The whole grid of a plan (dashboards): three queries whatever its size."""
    indicators = plan_indicators(plan.id, department_id=department_id, category=category)
    return StatusGrid(plan, plan_years(plan), grid_rows(plan, indicators, today))


def plan_indicators_query(plan_id: int, *, department_id=None, category=None):
    query = (
        select(Indicator)
        .options(joinedload(Indicator.department))
        .where(Indicator.plan_id == plan_id)
        .order_by(Indicator.number)
    )
    if department_id:
        query = query.where(Indicator.department_id == department_id)
    if category:
        query = query.where(Indicator.category == category)
    return query


def plan_categories(plan_id: int) -> list[str]:
    rows = db.session.scalars(
        select(Indicator.category)
        .where(Indicator.plan_id == plan_id, Indicator.category != "")
        .group_by(Indicator.category)
        .order_by(func.min(Indicator.number))
    )
    return list(rows)


def active_departments() -> list[Department]:
    return list(
        db.session.scalars(
            select(Department).where(Department.active).order_by(Department.short_name)
        )
    )


# --- one indicator's page ----------------------------------------------


def value_rows(indicator_id: int, *, verified_only: bool) -> list[IndicatorValue]:
    query = (
        select(IndicatorValue)
        .options(joinedload(IndicatorValue.author), joinedload(IndicatorValue.reviewer))
        .where(IndicatorValue.indicator_id == indicator_id)
        .order_by(IndicatorValue.year)
    )
    if verified_only:
        query = query.where(IndicatorValue.state == ReviewState.VERIFIED.value)
    return list(db.session.scalars(query))


def value_trails(value_ids) -> dict[int, list[AuditEvent]]:
    """The audit events of each value (submissions, returns with reasons, verification)."""
    ids = list(value_ids)
    trails: dict[int, list[AuditEvent]] = {i: [] for i in ids}
    if not ids:
        return trails
    events = db.session.scalars(
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .where(AuditEvent.object_type == "indicatorvalue", AuditEvent.object_id.in_(ids))
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    for event in events:
        trails[event.object_id].append(event)
    return trails


def linked_items(indicator_id: int, viewer) -> list[WorkItem]:
    """Work items linked to the indicator that the viewer may see (liaisons: their own)."""
    items = db.session.scalars(
        select(WorkItem)
        .options(joinedload(WorkItem.lead_department), selectinload(WorkItem.co_departments))
        .where(WorkItem.indicator_id == indicator_id, WorkItem.retired_at.is_(None))
        .order_by(WorkItem.code)
    ).all()
    return [item for item in items if can(viewer, Action.VIEW, item.subject())]


def value_attachments(value_ids) -> dict[int, list[Attachment]]:
    ids = list(value_ids)
    found: dict[int, list[Attachment]] = {i: [] for i in ids}
    if ids:
        rows = db.session.scalars(
            select(Attachment)
            .where(Attachment.indicator_value_id.in_(ids))
            .order_by(Attachment.created_at)
        )
        for row in rows:
            found[row.indicator_value_id].append(row)
    return found


def indicator_with_plan(indicator_id: int) -> Indicator | None:
    """One indicator with its plan and responsible department loaded; None when absent."""
    return db.session.scalar(
        select(Indicator)
        .options(joinedload(Indicator.plan), joinedload(Indicator.department))
        .where(Indicator.id == indicator_id)
    )


def value_with_indicator(value_id: int) -> IndicatorValue | None:
    """One yearly value with its indicator (plan, department) and author loaded."""
    return db.session.scalar(
        select(IndicatorValue)
        .options(
            joinedload(IndicatorValue.indicator).joinedload(Indicator.plan),
            joinedload(IndicatorValue.indicator).joinedload(Indicator.department),
            joinedload(IndicatorValue.author),
        )
        .where(IndicatorValue.id == value_id)
    )
