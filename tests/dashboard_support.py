"""Factories for the dashboard, spreadsheet, bulletin and calendar tests: a plan with sections
and a 专栏, items with owners and deadlines, periods and reports; and a statement counter."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import event

from tests import factories
from tests.factories import make_period  # noqa: F401  (re-exported for the area tests)
from tracker.extensions import db
from tracker.models import (
    PlanNode,
)


def make_plan(title="绍兴市质量发展“十四五”规划", *, status="active"):
    """A plan: 三、重点任务 › （一） and （二）, tasks under them, 专栏1 under （一）."""
    plan = factories.make_plan(title, status=status)
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
    section=None,
    source=None,
    created_at=datetime(2021, 1, 1),
    description="",
    **fields,
):
    """An item of `plan` by code and lead department (tests.factories.make_item)."""
    return factories.make_item(
        plan,
        lead,
        co=co,
        code=code,
        section_node_id=section.id if section is not None else None,
        source_node_id=source.id if source is not None else None,
        created_at=created_at,
        description=description,
        **fields,
    )


def make_report(item, period, state="submitted", **fields):
    """A report with a narrative and progress (tests.factories.make_report)."""
    fields.setdefault("narrative", "按计划推进")
    fields.setdefault("progress", 50)
    return factories.make_report(item, period, state, **fields)


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
