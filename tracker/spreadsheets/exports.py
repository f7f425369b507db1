"""Gathering what a user may see into the rows the .xlsx renderers take (SECURITY case 14)."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.dashboard.queries import node_index
from tracker.dashboard.scope import visible_clause
from tracker.extensions import db
from tracker.indicators.labels import STATUS_LABELS
from tracker.indicators.queries import status_grid
from tracker.indicators.status import IndicatorStatus
from tracker.models import Plan, PlanNode, Report, ReportingPeriod, WorkItem
from tracker.schedule_query import schedule_for_items
from tracker.spreadsheets.render import (
    DecompositionRow,
    Group,
    IndicatorRow,
    ProgressRow,
    render_decomposition,
    render_indicators,
    render_progress,
)
from tracker.templating import STATE_LABELS
from tracker.workflow import can_see_all

logger = logging.getLogger(__name__)

# The 状态 cell's fill by schedule light; grey (too early to judge) stays white.
_LIGHT_FILLS = {"red": "bad", "yellow": "warn", "green": "good", "done": "good"}
# The offices' three classes (tracker/schedule.py `klass`), as the sheet says them.
_CLASS_TEXT = {"ahead": "超进度", "on_track": "达进度", "behind": "欠进度"}
_STATUS_FILLS = {
    IndicatorStatus.MET: "good",
    IndicatorStatus.ON_TRACK: "good",
    IndicatorStatus.DONE: "good",
    IndicatorStatus.BEHIND: "warn",
    IndicatorStatus.NOT_YET: "warn",
    IndicatorStatus.FAR_BEHIND: "bad",
    IndicatorStatus.NOT_MET: "bad",
}


def visible_items(user, plan_id: int) -> list[WorkItem]:
    """The plan's live items `user` may see, in plan order, owners loaded (three queries)."""
    query = (
        select(WorkItem)
        .outerjoin(PlanNode, PlanNode.id == WorkItem.source_node_id)
        .options(joinedload(WorkItem.lead_department), selectinload(WorkItem.co_departments))
        .where(WorkItem.plan_id == plan_id, WorkItem.retired_at.is_(None))
        .order_by(func.coalesce(PlanNode.position, 10**9), WorkItem.code, WorkItem.id)
    )
    clause = visible_clause(user)
    if clause is not None:
        query = query.where(clause)
    return list(db.session.scalars(query).unique())


def latest_verified(plan_id: int, item_ids, up_to: date | None = None) -> dict[int, tuple]:
    """item id → (report, period) of its latest verified report (up to a period end)."""
    ids = list(item_ids)
    if not ids:
        return {}
    ranked = (
        select(
            Report.id.label("report_id"),
            func.row_number()
            .over(partition_by=Report.item_id, order_by=ReportingPeriod.end_date.desc())
            .label("rank"),
        )
        .join(ReportingPeriod, ReportingPeriod.id == Report.period_id)
        .where(
            Report.state == "verified",
            ReportingPeriod.plan_id == plan_id,
            Report.item_id.in_(ids),
        )
    )
    if up_to is not None:
        ranked = ranked.where(ReportingPeriod.end_date <= up_to)
    ranked = ranked.subquery()
    rows = db.session.execute(
        select(Report, ReportingPeriod)
        .join(ranked, ranked.c.report_id == Report.id)
        .join(ReportingPeriod, ReportingPeriod.id == Report.period_id)
        .where(ranked.c.rank == 1)
    ).all()
    return {report.item_id: (report, period) for report, period in rows}


def _co_names(item: WorkItem) -> str:
    return "、".join(d.short_name for d in item.co_departments)


def _lead_name(item: WorkItem) -> str:
    return item.lead_department.short_name if item.lead_department else ""


def _progress_text(report) -> str:
    if report is None:
        return ""
    return (
        f"{report.narrative}（{report.progress}%）" if report.narrative else f"{report.progress}%"
    )


def decomposition_workbook(user, plan: Plan, today: date) -> bytes:
    """任务分解表: the user's visible items grouped by plan section, latest verified progress."""
    items = visible_items(user, plan.id)
    nodes = node_index(plan.id)
    latest = latest_verified(plan.id, (i.id for i in items))
    groups: dict[int, Group] = {}
    for item in items:
        label, position = nodes.sections.get(item.section_node_id, ("", 10**9))
        group = groups.setdefault(item.section_node_id or 0, Group(label))
        group.position = position
        report = latest.get(item.id, (None, None))[0]
        group.rows.append(
            DecompositionRow(
                code=item.code,
                section=label,
                title=item.title,
                description=item.description,
                lead=_lead_name(item),
                co=_co_names(item),
                due=item.due_date,
                progress=_progress_text(report),
            )
        )
    ordered = sorted(groups.values(), key=lambda g: g.position)
    return render_decomposition(f"{plan.title}任务分解表", ordered, subtitle=_subtitle(user, today))


def _subtitle(user, today: date) -> str:
    scope = "" if can_see_all(user) else f"{user.department.short_name} · "
    return f"{scope}{today.year}年{today.month}月{today.day}日"


def schedule_class_text(status) -> str:
    """The 状态 cell: 超进度 / 达进度 / 欠进度, or why an item has no class (yet)."""
    if status is None:
        return ""
    if status.light == "done":
        return "已完成"
    if status.light == "grey":
        return "暂不评价"
    return _CLASS_TEXT.get(status.klass, "")


def progress_workbook(user, plan: Plan, period: ReportingPeriod, today: date, days: int) -> bytes:
    """进展情况表: each visible item with its latest verified report as of the period, and
    its schedule status today (序时进度 / 实际进度 / 状态, one set query for all items)."""
    del days  # the 状态 column follows the schedule light now, not the due-soon window
    items = visible_items(user, plan.id)
    latest = latest_verified(plan.id, (i.id for i in items), up_to=period.end_date)
    statuses = schedule_for_items(items, today)
    rows = []
    for item in items:
        report, report_period = latest.get(item.id, (None, None))
        schedule = statuses.get(item.id)
        rows.append(
            ProgressRow(
                code=item.code,
                title=item.title,
                lead=_lead_name(item),
                co=_co_names(item),
                due=item.due_date,
                period=report_period.label if report_period else "",
                narrative=report.narrative if report else "",
                progress=report.progress if report else None,
                status=str(STATE_LABELS.get(item.status, item.status)),
                verified_on=report.reviewed_at.date() if report and report.reviewed_at else None,
                light=_LIGHT_FILLS.get(schedule.light) if schedule else None,
                expected=schedule.expected if schedule else None,
                actual=schedule.actual if schedule else None,
                schedule=schedule_class_text(schedule),
                problems=report.problems if report else "",
                next_steps=report.next_steps if report else "",
                support_needed=report.support_needed if report else "",
                on_behalf=bool(report and report.on_behalf),
            )
        )
    title = f"{plan.title}进展情况表（{period.label}）"
    return render_progress(title, rows, subtitle=_subtitle(user, today))


def indicators_workbook(user, plan: Plan, today: date) -> bytes:
    """主要指标: verified yearly values and status; a liaison gets their own indicators."""
    department_id = None if can_see_all(user) else user.department_id
    grid = status_grid(plan, today, department_id=department_id)
    rows = []
    for row in grid.rows:
        indicator, latest = row.indicator, row.latest
        rows.append(
            IndicatorRow(
                number=indicator.number,
                category=indicator.category,
                name=indicator.name,
                unit=indicator.unit or "",
                baseline=indicator.baseline_text or "",
                target=indicator.target_text or "",
                attribute=indicator.attribute,
                values={cell.year: cell.value for cell in row.cells},
                fills={
                    cell.year: _STATUS_FILLS.get(cell.status, "")
                    for cell in row.cells
                    if cell.value is not None or cell.status is IndicatorStatus.DONE
                },
                status=f"{latest.year}年 {STATUS_LABELS[latest.status]}" if latest else "",
                warning="预警" if latest and latest.warning else "",
            )
        )
    return render_indicators(
        f"{plan.title}主要指标",
        grid.years,
        rows,
        plan.baseline_year,
        plan.end_year,
        subtitle=_subtitle(user, today),
    )
