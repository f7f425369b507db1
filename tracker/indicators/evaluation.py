"""The data of the mid-term / final evaluation (中期评估 / 终期评估) for a plan and a year.

One structure feeds the printable page and the .docx / .xlsx downloads. Indicators are judged
from verified values; work items count as completed when they were completed by the end of
the chosen year (Asia/Shanghai), so a report for 2023 printed in 2026 still says what 2023 saw.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_percent
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select

from tracker.extensions import db
from tracker.indicators.labels import (
    ATTRIBUTE_LABELS,
    STATUS_ORDER,
    baseline_display,
    number_text,
    status_label,
    target_display,
    value_display,
)
from tracker.indicators.queries import plan_indicators, verified_values_by_indicator
from tracker.indicators.specs import spec_for, status_for
from tracker.indicators.status import IndicatorStatus, expected_value
from tracker.models import Department, Plan, PlanNode, WorkItem
from tracker.workflow import ItemStatus

logger = logging.getLogger(__name__)

MID, FINAL = "mid", "final"


@dataclass
class IndicatorLine:
    """One row of 二、主要指标完成情况."""

    number: int
    category: str
    name: str
    unit: str
    binding: bool
    attribute: str
    baseline: str
    target: str
    value: str
    expected: str
    status: IndicatorStatus
    status_text: str
    warning: bool
    department: str


@dataclass
class CompletionLine:
    """Work items of one section or one lead department: completed of total."""

    label: str
    total: int
    completed: int

    @property
    def rate(self) -> float:
        return self.completed / self.total if self.total else 0.0


@dataclass
class Evaluation:
    plan: Plan
    year: int
    kind: str  # mid / final
    today: date
    indicators: list[IndicatorLine] = field(default_factory=list)
    sections: list[CompletionLine] = field(default_factory=list)
    departments: list[CompletionLine] = field(default_factory=list)

    @property
    def title(self) -> str:
        if self.kind == FINAL:
            return _("%(plan)s: final evaluation report", plan=self.plan.title)
        return _("%(plan)s: mid-term evaluation report", plan=self.plan.title)

    @property
    def subtitle(self) -> str:
        return _("(Evaluation year %(year)s)", year=self.year)

    @property
    def warnings(self) -> list[IndicatorLine]:
        return [line for line in self.indicators if line.warning]

    @property
    def without_data(self) -> list[IndicatorLine]:
        return [line for line in self.indicators if line.status == IndicatorStatus.NO_DATA]

    def status_counts(self) -> list[tuple[IndicatorStatus, str, int]]:
        """(status, label, count) in report order, statuses with no indicator left out."""
        counts: dict[IndicatorStatus, int] = {}
        for line in self.indicators:
            counts[line.status] = counts.get(line.status, 0) + 1
        return [(s, status_label(s), counts[s]) for s in STATUS_ORDER if counts.get(s)]

    @property
    def items_total(self) -> int:
        return sum(line.total for line in self.departments)

    @property
    def items_completed(self) -> int:
        return sum(line.completed for line in self.departments)

    def overview(self) -> list[str]:
        """The paragraphs of 一、总体情况."""
        judged = len(self.indicators) - len(self.without_data)
        parts = [
            _(
                "The plan sets %(total)s main indicators; %(judged)s of them have a verified "
                "value for %(year)s.",
                total=len(self.indicators),
                judged=judged,
                year=self.year,
            )
        ]
        counts = [
            _("%(label)s: %(count)s", label=label, count=count)
            for _status, label, count in self.status_counts()
        ]
        if counts:
            parts.append(_("By status: %(counts)s.", counts=_("; ").join(counts)))
        parts.append(_("Binding indicators with a warning: %(count)s.", count=len(self.warnings)))
        parts.append(
            _(
                "Key tasks: %(completed)s of %(total)s work items completed by the end of "
                "%(year)s (%(rate)s).",
                completed=self.items_completed,
                total=self.items_total,
                year=self.year,
                rate=percent_text(
                    self.items_completed / self.items_total if self.items_total else 0.0
                ),
            )
        )
        return parts

    def problems(self) -> list[str]:
        """The paragraphs of 四、存在问题."""
        lines = [
            _(
                "Binding indicator %(number)s “%(name)s” is %(status)s in %(year)s "
                "(value %(value)s, target %(target)s); responsible: %(department)s.",
                number=line.number,
                name=line.name,
                status=line.status_text,
                year=self.year,
                value=line.value,
                target=line.target,
                department=line.department,
            )
            for line in self.warnings
        ]
        if not lines:
            lines.append(_("No binding indicator raises a warning."))
        if self.without_data:
            lines.append(
                _(
                    "%(count)s indicators have no verified value for %(year)s: %(names)s.",
                    count=len(self.without_data),
                    year=self.year,
                    names=_(", ").join(line.name for line in self.without_data),
                )
            )
        return lines


def percent_text(rate: float) -> str:
    return format_percent(rate, "#,##0.0%")


def evaluation_kind(plan: Plan, year: int) -> str:
    """终期 at or after the plan's end year, 中期 before it."""
    return FINAL if year >= plan.end_year else MID


def default_year(plan: Plan, today: date) -> int:
    """The last finished year within the plan period (values come in after a year ends)."""
    return min(max(today.year - 1, plan.start_year), plan.end_year)


def _year_end_utc(year: int) -> datetime:
    """The first instant of the next year in the configured timezone, as naive UTC."""
    zone = ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Shanghai"))
    local = datetime(year + 1, 1, 1, tzinfo=zone)
    return local.astimezone(UTC).replace(tzinfo=None)


def _expected_text(indicator, spec, year: int) -> str:
    if indicator.kind in ("target", "cumulative"):
        expected = expected_value(spec, year)
        return number_text(expected) if expected is not None else "—"
    if indicator.kind == "milestone":
        return _("Complete it") if year >= spec.target_year else _("Under way")
    return target_display(indicator)


def _indicator_lines(plan: Plan, year: int) -> list[IndicatorLine]:
    indicators = plan_indicators(plan.id)
    verified_by_id = verified_values_by_indicator(i.id for i in indicators)
    lines = []
    for indicator in indicators:
        spec = spec_for(indicator, plan)
        verified = verified_by_id[indicator.id]
        status, warning = status_for(spec, year, verified)
        value = verified.get(year)
        if indicator.kind == "cumulative":
            total = sum(v for y, v in verified.items() if y <= year and isinstance(v, int | float))
            # The running total only means something for a year that has its own value.
            shown = _("%(total)s in total", total=number_text(total)) if value is not None else "—"
        elif isinstance(value, int | float):
            shown = value_display(indicator, value_number=value)
        else:
            shown = value_display(indicator, value_text=value)
        lines.append(
            IndicatorLine(
                number=indicator.number,
                category=indicator.category,
                name=indicator.name,
                unit=indicator.unit or "",
                binding=spec.binding,
                attribute=str(ATTRIBUTE_LABELS.get(indicator.attribute, indicator.attribute)),
                baseline=baseline_display(indicator),
                target=target_display(indicator),
                value=shown,
                expected=_expected_text(indicator, spec, year),
                status=status,
                status_text=status_label(status),
                warning=warning,
                department=indicator.department.short_name if indicator.department else "—",
            )
        )
    return lines


def _completed_by(year: int):
    """1 for an item completed by the end of `year` (an unknown date counts as completed)."""
    cutoff = _year_end_utc(year)
    done = and_(
        WorkItem.status == ItemStatus.COMPLETED.value,
        or_(WorkItem.completed_at.is_(None), WorkItem.completed_at < cutoff),
    )
    return func.sum(case((done, 1), else_=0))


def _section_lines(plan: Plan, year: int) -> list[CompletionLine]:
    rows = db.session.execute(
        select(
            PlanNode.kind,
            PlanNode.number,
            PlanNode.title,
            func.count(WorkItem.id),
            _completed_by(year),
        )
        .select_from(WorkItem)
        .outerjoin(PlanNode, PlanNode.id == WorkItem.section_node_id)
        .where(WorkItem.plan_id == plan.id, WorkItem.retired_at.is_(None))
        .group_by(WorkItem.section_node_id, PlanNode.kind, PlanNode.number, PlanNode.title)
        # Items outside any section last, on SQLite and PostgreSQL alike.
        .order_by(func.min(PlanNode.position).is_(None), func.min(PlanNode.position))
    ).all()
    lines = []
    for kind, number, title, total, completed in rows:
        if number is None:
            label = _("Outside any section")
        elif kind == "section":
            label = f"（{number}）{title}"
        elif kind == "chapter":
            label = f"{number}、{title}"
        else:
            label = f"{number} {title}".strip()
        lines.append(CompletionLine(label, int(total), int(completed or 0)))
    return lines


def _department_lines(plan: Plan, year: int) -> list[CompletionLine]:
    rows = db.session.execute(
        select(Department.short_name, func.count(WorkItem.id), _completed_by(year))
        .select_from(WorkItem)
        .outerjoin(Department, Department.id == WorkItem.lead_department_id)
        .where(WorkItem.plan_id == plan.id, WorkItem.retired_at.is_(None))
        .group_by(WorkItem.lead_department_id, Department.short_name)
        .order_by(func.count(WorkItem.id).desc(), Department.short_name)
    ).all()
    return [
        CompletionLine(name or _("No lead department"), int(total), int(completed or 0))
        for name, total, completed in rows
    ]


def build_evaluation(plan: Plan, year: int, *, today: date, kind: str | None = None) -> Evaluation:
    """Everything the report shows: five queries whatever the number of indicators and items."""
    kind = kind if kind in (MID, FINAL) else evaluation_kind(plan, year)
    return Evaluation(
        plan=plan,
        year=year,
        kind=kind,
        today=today,
        indicators=_indicator_lines(plan, year),
        sections=_section_lines(plan, year),
        departments=_department_lines(plan, year),
    )
