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
from tracker.schedule_query import light_case

logger = logging.getLogger(__name__)

UNASSIGNED = 0  # the bucket of items without a section, column or lead department
# The schedule lights (序时进度, tracker/schedule.py) in the order the dashboards show them.
SCHEDULE_LIGHTS = ("red", "yellow", "green", "grey", "done")


@dataclass
class Tally:
    """How a set of items stands: counts by light and the mean verified progress."""

    total: int = 0
    completed: int = 0
    overdue: int = 0
    due_soon: int = 0
    progress_sum: int = 0
    # Schedule light → items (序时进度: expected against verified progress), every light keyed.
    lights: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SCHEDULE_LIGHTS, 0))

    @property
    def behind(self) -> int:
        """欠进度: yellow and red items (behind the elapsed time, or open past the due date)."""
        return self.lights["yellow"] + self.lights["red"]

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
        for light, count in other.lights.items():
            self.lights[light] = self.lights.get(light, 0) + count


def _tally_query(group_columns, where, today: date, days: int):
    """One GROUP BY: counts, calendar lights, progress and schedule lights per key.

    The schedule light is computed once per item in an inner SELECT (its expression reads
    reports and milestones), then counted by the outer one."""
    inner = (
        select(
            *(column.label(f"key{n}") for n, column in enumerate(group_columns)),
            WorkItem.id.label("item_id"),
            case((WorkItem.status == "completed", 1), else_=0).label("completed"),
            case((overdue_clause(today), 1), else_=0).label("overdue"),
            case((due_soon_clause(today, days), 1), else_=0).label("due_soon"),
            WorkItem.progress.label("progress"),
            light_case(today).label("light"),
        )
        .where(WorkItem.retired_at.is_(None), *where)
        .subquery()
    )
    keys = [inner.c[f"key{n}"] for n in range(len(group_columns))]
    return select(
        *keys,
        func.count(inner.c.item_id),
        func.sum(inner.c.completed),
        func.sum(inner.c.overdue),
        func.sum(inner.c.due_soon),
        func.sum(inner.c.progress),
        *(func.sum(case((inner.c.light == light, 1), else_=0)) for light in SCHEDULE_LIGHTS),
    ).group_by(*keys)


def _tallies(group_columns, where, today: date, days: int) -> dict:
    """key tuple → Tally (a None key part becomes UNASSIGNED)."""
    width = len(group_columns)
    result = {}
    for row in db.session.execute(_tally_query(group_columns, where, today, days)):
        key = tuple(UNASSIGNED if part is None else part for part in row[:width])
        total, completed, overdue, due_soon, progress, *lights = row[width:]
        result[key] = Tally(
            int(total or 0),
            int(completed or 0),
            int(overdue or 0),
            int(due_soon or 0),
            int(progress or 0),
            {light: int(n or 0) for light, n in zip(SCHEDULE_LIGHTS, lights, strict=True)},
        )
    return result


# The plan's items by (section, source node, lead department): every grouping of a dashboard
# comes from this one pass, so the schedule light is computed once per item, not per table.
GRID_COLUMNS = (WorkItem.section_node_id, WorkItem.source_node_id, WorkItem.lead_department_id)
SECTION, SOURCE, LEAD = range(3)


def tally_grid(plan_id: int, today: date, days: int, scope=None) -> dict:
    """(section, source node, lead department) → Tally for the plan's live items."""
    where = [WorkItem.plan_id == plan_id] + ([scope] if scope is not None else [])
    return _tallies(GRID_COLUMNS, where, today, days)


def regroup(grid: dict, part: int) -> dict:
    """key → Tally summed over the grid cells sharing that part of their key."""
    result: dict = {}
    for key, tally in grid.items():
        result.setdefault(key[part], Tally()).add(tally)
    return result


def tallies_by(group_column, plan_id: int, today: date, days: int, scope=None, grid=None) -> dict:
    """key → Tally for the plan's live (not retired) items, grouped by `group_column` (one of
    GRID_COLUMNS is read from `grid` when given)."""
    if grid is not None:
        for part, column in enumerate(GRID_COLUMNS):
            if column is group_column:
                return regroup(grid, part)
    where = [WorkItem.plan_id == plan_id] + ([scope] if scope is not None else [])
    return {key[0]: tally for key, tally in _tallies((group_column,), where, today, days).items()}


def plan_buckets(plans, today: date, days: int, scope=None, known=None) -> list:
    """The offered plans' items by plan (the 序时进度 roll-up across plans), in list order;
    `known`: plan id → Tally already counted (the page's own plan), not counted again.
    Always one statement (the page's count must not depend on how many plans there are)."""
    known = known or {}
    ids = [plan.id for plan in plans if plan.id not in known]
    where = [WorkItem.plan_id.in_(ids)] + ([scope] if scope is not None else [])
    tallies = dict(known)
    rows = _tallies((WorkItem.plan_id,), where, today, days)
    tallies.update({key[0]: tally for key, tally in rows.items()})
    if len(plans) < 2:
        return []  # one plan: its own figures above say it all
    return [
        Bucket(plan.id, plan.title, tallies[plan.id], position)
        for position, plan in enumerate(plans)
        if plan.id in tallies and tallies[plan.id].total
    ]


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


def section_buckets(
    plan_id: int, today: date, days: int, scope=None, nodes=None, grid=None
) -> list:
    nodes = nodes or node_index(plan_id)
    tallies = tallies_by(WorkItem.section_node_id, plan_id, today, days, scope, grid)
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


def column_buckets(plan_id: int, today: date, days: int, scope=None, nodes=None, grid=None) -> list:
    """Items by the 专栏 their source node sits in (items outside any 专栏 are left out)."""
    nodes = nodes or node_index(plan_id)
    tallies = tallies_by(WorkItem.source_node_id, plan_id, today, days, scope, grid)
    by_column: dict[int, Bucket] = {}
    for source_id, tally in tallies.items():
        column_id = nodes.column_of.get(source_id)
        if column_id is None:
            continue
        label, position = nodes.columns[column_id]
        bucket = by_column.setdefault(column_id, Bucket(column_id, label, Tally(), position))
        bucket.tally.add(tally)
    return sorted(by_column.values(), key=lambda b: b.position)


def department_buckets(plan_id: int, today: date, days: int, scope=None, grid=None) -> list:
    """Items by lead department, most overdue first (the office's ranking); ties broken by
    序时进度: more red, then more yellow items first."""
    tallies = tallies_by(WorkItem.lead_department_id, plan_id, today, days, scope, grid)
    names = departments_by_id(tallies)
    buckets = [Bucket(key, names.get(key, ""), tally) for key, tally in tallies.items()]
    return sorted(
        buckets,
        key=lambda b: (
            -b.tally.overdue,
            -b.tally.due_soon,
            -b.tally.lights["red"],
            -b.tally.lights["yellow"],
            b.label,
        ),
    )


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
