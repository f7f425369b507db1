"""Dashboard figures as GROUP BY aggregates: a fixed number of statements at any data size."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select

from tracker.dashboard.scope import due_soon_clause, overdue_clause
from tracker.extensions import db
from tracker.models import Department, PlanNode, Report, WorkItem
from tracker.plans.tree import heading_text

logger = logging.getLogger(__name__)

UNASSIGNED = 0  # the bucket of items without a section, column or lead department


@dataclass
class Tally:
    """How a set of items stands: counts by light and the mean verified progress."""

    total: int = 0
    completed: int = 0
    overdue: int = 0
    due_soon: int = 0
    progress_sum: int = 0

    @property
    def on_schedule(self) -> int:
        """Green: completed, or open and not near its deadline."""
        return self.total - self.overdue - self.due_soon

    @property
    def open(self) -> int:
        return self.total - self.completed

    @property
    def completion_rate(self) -> float:
        return self.completed / self.total if self.total else 0.0

    @property
    def average_progress(self) -> float:
        return self.progress_sum / self.total if self.total else 0.0

    def add(self, other: Tally) -> None:
        self.total += other.total
        self.completed += other.completed
        self.overdue += other.overdue
        self.due_soon += other.due_soon
        self.progress_sum += other.progress_sum


def _tally_columns(today: date, days: int):
    return (
        func.count(WorkItem.id),
        func.sum(case((WorkItem.status == "completed", 1), else_=0)),
        func.sum(case((overdue_clause(today), 1), else_=0)),
        func.sum(case((due_soon_clause(today, days), 1), else_=0)),
        func.sum(WorkItem.progress),
    )


def tallies_by(group_column, plan_id: int, today: date, days: int, scope=None) -> dict:
    """key → Tally for the plan's live (not retired) items, grouped by `group_column`."""
    query = (
        select(group_column, *_tally_columns(today, days))
        .where(WorkItem.plan_id == plan_id, WorkItem.retired_at.is_(None))
        .group_by(group_column)
    )
    if scope is not None:
        query = query.where(scope)
    result = {}
    for key, total, completed, overdue, due_soon, progress in db.session.execute(query):
        result[key if key is not None else UNASSIGNED] = Tally(
            int(total or 0),
            int(completed or 0),
            int(overdue or 0),
            int(due_soon or 0),
            int(progress or 0),
        )
    return result


@dataclass
class Bucket:
    """A row of a dashboard table: a section, a 专栏 or a department, with its tally."""

    key: int
    label: str
    tally: Tally
    position: int = 0
    extra: dict = field(default_factory=dict)


@dataclass
class NodeIndex:
    """The plan's headings: labels of sections and 专栏, and each node's enclosing 专栏."""

    sections: dict[int, tuple[str, int]]
    columns: dict[int, tuple[str, int]]
    column_of: dict[int, int]


def node_index(plan_id: int) -> NodeIndex:
    """One query for the whole tree (a plan has hundreds of nodes, not millions)."""
    rows = db.session.execute(
        select(
            PlanNode.id,
            PlanNode.parent_id,
            PlanNode.kind,
            PlanNode.number,
            PlanNode.title,
            PlanNode.position,
        )
        .where(PlanNode.plan_id == plan_id)
        .order_by(PlanNode.position)
    ).all()
    parents = {row.id: row.parent_id for row in rows}
    kinds = {row.id: row.kind for row in rows}
    sections, columns = {}, {}
    for row in rows:
        if row.kind == "section":
            sections[row.id] = (heading_text(row.kind, row.number, row.title), row.position)
        elif row.kind == "column":
            columns[row.id] = (heading_text(row.kind, row.number, row.title), row.position)
    column_of = {}
    for node_id in parents:
        current, hops = node_id, 0
        while current is not None and hops < 20:
            if kinds.get(current) == "column":
                column_of[node_id] = current
                break
            current, hops = parents.get(current), hops + 1
    return NodeIndex(sections, columns, column_of)


def section_buckets(plan_id: int, today: date, days: int, scope=None, nodes=None) -> list:
    nodes = nodes or node_index(plan_id)
    tallies = tallies_by(WorkItem.section_node_id, plan_id, today, days, scope)
    buckets = []
    for key, tally in tallies.items():
        label, position = nodes.sections.get(key, (None, 10**9))
        if label is None:
            # Items filed under a node that is not a section (or none): one "other" row.
            key, label = UNASSIGNED, ""
        existing = next((b for b in buckets if b.key == key), None)
        if existing:
            existing.tally.add(tally)
        else:
            buckets.append(Bucket(key, label, tally, position))
    return sorted(buckets, key=lambda b: b.position)


def column_buckets(plan_id: int, today: date, days: int, scope=None, nodes=None) -> list:
    """Items by the 专栏 their source node sits in (items outside any 专栏 are left out)."""
    nodes = nodes or node_index(plan_id)
    tallies = tallies_by(WorkItem.source_node_id, plan_id, today, days, scope)
    by_column: dict[int, Bucket] = {}
    for source_id, tally in tallies.items():
        column_id = nodes.column_of.get(source_id)
        if column_id is None:
            continue
        label, position = nodes.columns[column_id]
        bucket = by_column.setdefault(column_id, Bucket(column_id, label, Tally(), position))
        bucket.tally.add(tally)
    return sorted(by_column.values(), key=lambda b: b.position)


def department_buckets(plan_id: int, today: date, days: int, scope=None) -> list:
    """Items by lead department, most overdue first (the office's ranking)."""
    tallies = tallies_by(WorkItem.lead_department_id, plan_id, today, days, scope)
    names = departments_by_id(tallies)
    buckets = [Bucket(key, names.get(key, ""), tally) for key, tally in tallies.items()]
    return sorted(buckets, key=lambda b: (-b.tally.overdue, -b.tally.due_soon, b.label))


def departments_by_id(ids) -> dict[int, str]:
    wanted = [i for i in ids if i]
    if not wanted:
        return {}
    rows = db.session.execute(
        select(Department.id, Department.short_name).where(Department.id.in_(wanted))
    )
    return dict(rows.all())


def total_tally(buckets) -> Tally:
    total = Tally()
    for bucket in buckets:
        total.add(bucket.tally)
    return total


def review_queue_size(plan_id: int, scope=None) -> int:
    """Reports waiting for the office (submitted, not yet verified or returned)."""
    query = (
        select(func.count(Report.id))
        .join(WorkItem, WorkItem.id == Report.item_id)
        .where(Report.state == "submitted", WorkItem.plan_id == plan_id)
    )
    if scope is not None:
        query = query.where(scope)
    return int(db.session.scalar(query) or 0)
