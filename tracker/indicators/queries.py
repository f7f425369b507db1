"""Read-only indicator queries other areas call: the status grid and the binding warnings."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from tracker.extensions import db
from tracker.indicators.specs import (
    BINDING,
    latest_judged_year,
    spec_for,
    status_for,
)
from tracker.models import Department, Indicator, IndicatorValue, Plan
from tracker.workflow import ReviewState

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
    return list(db.session.scalars(query).unique())


def departments_by_id(ids) -> dict[int, Department]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = db.session.scalars(select(Department).where(Department.id.in_(ids))).all()
    return {d.id: d for d in rows}
