"""From Indicator rows to the pure status rules: the spec, the value it judges, the years."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from tracker.indicators.status import (
    IndicatorSpec,
    IndicatorStatus,
    compute_status,
    is_warning,
)
from tracker.workflow import Subject

logger = logging.getLogger(__name__)

BINDING = "约束性"
EXPECTED = "预期性"
ATTRIBUTES = (BINDING, EXPECTED)
KINDS = ("floor", "target", "cumulative", "rank", "milestone")


def spec_for(indicator, plan=None) -> IndicatorSpec:
    """The pure spec of an Indicator row: baseline year = start − 1, target year = end."""
    plan = plan or indicator.plan
    # A milestone's target is a word (完成); everything else has a number when parsed.
    target = indicator.target if indicator.target is not None else indicator.target_text
    return IndicatorSpec(
        kind=indicator.kind,
        baseline=indicator.baseline,
        target=target,
        baseline_year=plan.start_year - 1,
        target_year=plan.end_year,
        binding=indicator.attribute == BINDING,
        unit=indicator.unit,
    )


def judged_value(value_row) -> float | str | None:
    """What the status rules compare: the parsed number, else the stored text (完成 …)."""
    if value_row.value_number is not None:
        return value_row.value_number
    return value_row.value_text


def status_for(
    spec: IndicatorSpec, year: int, verified: Mapping[int, float | str | None]
) -> tuple[IndicatorStatus, bool]:
    """(status, 预警?) of one indicator in one year."""
    status = compute_status(spec, year, verified)
    return status, is_warning(spec, status, year)


def latest_judged_year(verified: Mapping[int, object], spec: IndicatorSpec, last_year: int):
    """The latest year with a verified value, within the plan period and up to `last_year`."""
    years = [
        year for year in verified if spec.baseline_year < year <= min(spec.target_year, last_year)
    ]
    return max(years) if years else None


def value_subject(indicator, state: str | None = None) -> Subject:
    """What tracker.workflow needs: the indicator's responsible department leads its values."""
    return Subject(lead_department_id=indicator.department_id, state=state)


def plan_years(plan) -> list[int]:
    """The years a value may be reported for: the plan period, start to end."""
    return list(range(plan.start_year, plan.end_year + 1))
