"""Factories for the dashboard, spreadsheet, bulletin and calendar tests: a plan with sections
and a 专栏, items with owners and deadlines, periods and reports; and a statement counter."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import event

from tracker.extensions import db
from tracker.models import (
    Plan,
    PlanNode,
    Report,
    ReportingPeriod,
    ReportRevision,
    WorkItem,
    item_co_department,
)


def make_plan(title="绍兴市质量发展“十四五”规划", *, status="active"):
    """A plan: 三、重点任务 › （一） and （二）, tasks under them, 专栏1 under （一）."""
    plan = Plan(title=title, start_year=2021, end_year=2025, source_sha256="0" * 64, status=status)
    db.session.add(plan)
    nodes = {}

    def node(key, kind, number, title, parent=None, code=None):
        row = PlanNode(
            plan=plan,
            parent=nodes.get(parent),
            kind=kind,
            number=number,
            title=title,
            code=code or key,
            depth=0 if parent is None else nodes[parent].depth + 1,
            position=len(nodes),
        )
        db.session.add(row)
        nodes[key] = row
        return row

    node("三", "chapter", "三", "重点任务")
    node("三.(一)", "section", "一", "夯实质量基础", "三")
    node("三.1", "task", "1", "加强计量体系建设", "三.(一)")
    node("专栏1", "column", "1", "质量基础设施重点工程", "三.(一)")
    node("专栏1.(1)", "item", "1", "计量中心", "专栏1")
    node("三.(二)", "section", "二", "提升产品质量", "三")
    node("三.2", "task", "2", "实施质量提升行动", "三.(二)")
    db.session.flush()
    return plan, nodes


def make_item(
    plan,
    code,
    lead,
    *,
    co=(),
    due=None,
    status="in_progress",
    progress=0,
    section=None,
    source=None,
    completed_at=None,
    retired_at=None,
    created_at=datetime(2021, 1, 1),
    title=None,
    description="",
):
    item = WorkItem(
        plan_id=plan.id,
        code=code,
        title=title or f"任务{code}",
        description=description,
        lead_department_id=lead.id if lead is not None else None,
        due_date=due,
        status=status,
        progress=progress,
        section_node_id=section.id if section is not None else None,
        source_node_id=source.id if source is not None else None,
        completed_at=completed_at,
        retired_at=retired_at,
        created_at=created_at,
    )
    db.session.add(item)
    db.session.flush()
    if co:
        db.session.execute(
            item_co_department.insert(),
            [{"item_id": item.id, "department_id": d.id} for d in co],
        )
        db.session.expire(item, ["co_departments"])
    return item


def make_period(plan, label, start: date, end: date, deadline: date):
    period = ReportingPeriod(
        plan_id=plan.id, label=label, start_date=start, end_date=end, deadline=deadline
    )
    db.session.add(period)
    db.session.flush()
    return period


def make_report(item, period, state="submitted", *, submitted_at=None, revisions=(), **fields):
    """A report; `revisions` are (submitted_at, outcome) pairs, oldest first."""
    report = Report(
        item_id=item.id,
        period_id=period.id,
        state=state,
        submitted_at=submitted_at,
        narrative=fields.pop("narrative", "按计划推进"),
        progress=fields.pop("progress", 50),
        **fields,
    )
    db.session.add(report)
    db.session.flush()
    for number, (at, outcome) in enumerate(revisions, start=1):
        db.session.add(
            ReportRevision(report_id=report.id, number=number, submitted_at=at, outcome=outcome)
        )
    db.session.flush()
    return report


@contextmanager
def count_statements(engine):
    """Count the SQL statements run inside the block (every connection of the engine)."""
    counter = {"n": 0, "sql": []}

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        counter["n"] += 1
        counter["sql"].append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)
