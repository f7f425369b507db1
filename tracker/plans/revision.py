"""Applying a revised plan text in place: nodes keep their ids by code, indicators by number.

Work items point at plan nodes (source_node_id) and indicator values at indicators, so a
revision must never replace rows that still exist in the new text. A node or indicator that
is gone from the text is deleted only when nothing refers to it; otherwise it is kept and
reported, and the office decides what to do with the work that came from it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import func, select, union_all

from tracker.audit import record_event
from tracker.extensions import db
from tracker.models import Indicator, IndicatorValue, Plan, PlanNode, WorkItem
from tracker.plans.diff import (
    INDICATOR_FIELDS,
    PlanDiff,
    compare,
    indicator_fields,
    stored_indicator_fields,
)
from tracker.plans.parser import ParsedPlan
from tracker.plans.tree import FlatNode, flatten

logger = logging.getLogger(__name__)


@dataclass
class Comparison:
    """A revised text against a stored plan: the diff and what a removal would have to keep."""

    diff: PlanDiff
    referenced_nodes: dict[str, int] = field(default_factory=dict)  # code → work items
    referenced_indicators: set[int] = field(default_factory=set)  # numbers


@dataclass
class RevisionResult:
    diff: PlanDiff
    kept_nodes: list[str] = field(default_factory=list)
    kept_indicators: list[int] = field(default_factory=list)


def format_period(start: int, end: int) -> str:
    return f"{start}-{end}"


def plan_fields(title: str, doc_number: str | None, period: tuple[int, int]) -> dict:
    return {"title": title, "doc_number": doc_number, "period": format_period(*period)}


def stored_nodes(plan_id: int) -> list[PlanNode]:
    """All nodes of a plan in one query, in document order."""
    return list(
        db.session.scalars(
            select(PlanNode)
            .where(PlanNode.plan_id == plan_id)
            .order_by(PlanNode.position, PlanNode.id)
        )
    )


def stored_indicators(plan_id: int) -> list[Indicator]:
    return list(
        db.session.scalars(
            select(Indicator).where(Indicator.plan_id == plan_id).order_by(Indicator.number)
        )
    )


def as_flat(rows: list[PlanNode]) -> list[FlatNode]:
    code_by_id = {row.id: row.code for row in rows}
    return [
        FlatNode(
            code=row.code,
            parent_code=code_by_id.get(row.parent_id) if row.parent_id else None,
            kind=row.kind,
            number=row.number,
            title=row.title,
            text=row.text,
            depth=row.depth,
            position=row.position,
        )
        for row in rows
    ]


def node_references(node_ids: list[int]) -> dict[int, int]:
    """How many work items come from (or are filed under) each node, for the given nodes."""
    if not node_ids:
        return {}
    refs = union_all(
        select(WorkItem.source_node_id.label("node_id")).where(
            WorkItem.source_node_id.in_(node_ids)
        ),
        select(WorkItem.section_node_id.label("node_id")).where(
            WorkItem.section_node_id.in_(node_ids)
        ),
    ).subquery()
    rows = db.session.execute(select(refs.c.node_id, func.count()).group_by(refs.c.node_id))
    return {node_id: count for node_id, count in rows}


def indicator_references(indicator_ids: list[int]) -> set[int]:
    """The indicators that have yearly values or work items linked to them."""
    if not indicator_ids:
        return set()
    valued = select(IndicatorValue.indicator_id).where(
        IndicatorValue.indicator_id.in_(indicator_ids)
    )
    linked = select(WorkItem.indicator_id).where(WorkItem.indicator_id.in_(indicator_ids))
    return set(db.session.scalars(union_all(valued, linked)))


def compare_with_plan(
    plan: Plan, parsed: ParsedPlan, *, title: str, period: tuple[int, int]
) -> Comparison:
    """What applying `parsed` to `plan` would change (read-only; a few bounded queries)."""
    rows = stored_nodes(plan.id)
    indicators = stored_indicators(plan.id)
    diff = compare(
        as_flat(rows),
        flatten(parsed.nodes),
        [stored_indicator_fields(row) for row in indicators],
        [indicator_fields(row) for row in parsed.indicators],
        plan_fields(plan.title, plan.doc_number, (plan.start_year, plan.end_year)),
        plan_fields(title, parsed.doc_number, period),
    )
    removed_codes = {node.code for node in diff.removed}
    removed_rows = [row for row in rows if row.code in removed_codes]
    counts = node_references([row.id for row in removed_rows])
    removed_numbers = {row["number"] for row in diff.indicators_removed}
    removed_indicators = [row for row in indicators if row.number in removed_numbers]
    referenced = indicator_references([row.id for row in removed_indicators])
    return Comparison(
        diff=diff,
        referenced_nodes={row.code: counts[row.id] for row in removed_rows if row.id in counts},
        referenced_indicators={row.number for row in removed_indicators if row.id in referenced},
    )


def revise_plan(
    actor,
    plan: Plan,
    parsed: ParsedPlan,
    source_text: str,
    source_sha256: str,
    *,
    title: str,
    period: tuple[int, int],
) -> RevisionResult:
    """Bring a stored plan in line with a revised text, keeping ids; the caller commits."""
    rows = stored_nodes(plan.id)
    indicators = stored_indicators(plan.id)
    new_flat = flatten(parsed.nodes)
    new_indicators = [indicator_fields(row) for row in parsed.indicators]
    before = plan_fields(plan.title, plan.doc_number, (plan.start_year, plan.end_year))
    diff = compare(
        as_flat(rows),
        new_flat,
        [stored_indicator_fields(row) for row in indicators],
        new_indicators,
        before,
        plan_fields(title, parsed.doc_number, period),
    )
    kept_nodes = _apply_nodes(plan, rows, new_flat)
    kept_indicators = _apply_indicators(plan, indicators, new_indicators)
    old_sha = plan.source_sha256
    plan.title = title
    plan.doc_number = parsed.doc_number
    plan.start_year, plan.end_year = period
    plan.source_text = source_text
    plan.source_sha256 = source_sha256
    db.session.flush()
    db.session.expire(plan, ["nodes", "indicators"])
    record_event(
        actor,
        "plan.revised",
        plan,
        before={**before, "sha256": old_sha},
        after={
            **plan_fields(title, parsed.doc_number, period),
            "sha256": source_sha256,
            **diff.summary(),
            "kept_nodes": kept_nodes,
            "kept_indicators": kept_indicators,
        },
    )
    return RevisionResult(diff, kept_nodes, kept_indicators)


def _apply_nodes(plan: Plan, rows: list[PlanNode], new_flat: list[FlatNode]) -> list[str]:
    """Update nodes in place by code, add new ones, drop vanished unreferenced ones."""
    by_code = {row.code: row for row in rows}
    placed: dict[str, PlanNode] = {}
    for node in new_flat:
        row = by_code.get(node.code)
        if row is None:
            row = PlanNode(plan_id=plan.id, code=node.code)
            db.session.add(row)
        row.parent = placed[node.parent_code] if node.parent_code else None
        row.kind, row.number = node.kind, node.number
        row.title, row.text = node.title, node.text
        row.depth, row.position = node.depth, node.position
        row.responsibility, row.deadline = node.responsibility, node.deadline
        placed[node.code] = row
    # Surviving nodes hang under their new parents before anything is deleted, so the
    # database's ON DELETE CASCADE on parent_id cannot take a surviving node with it.
    db.session.flush()
    vanished = [row for row in rows if row.code not in placed]
    references = node_references([row.id for row in vanished])
    by_id = {row.id: row for row in vanished}
    keep: set[int] = set()
    for row in vanished:
        if row.id not in references:
            continue
        # Keep the node and every vanished ancestor, or the cascade would remove it.
        current = row
        while current is not None and current.id not in keep:
            keep.add(current.id)
            current = by_id.get(current.parent_id)
    kept = [row for row in vanished if row.id in keep]
    for offset, row in enumerate(kept):
        row.position = len(new_flat) + offset
    for row in sorted((r for r in vanished if r.id not in keep), key=lambda r: -r.depth):
        db.session.delete(row)
    if kept:
        logger.info("plan %s: kept %d vanished nodes with work items", plan.id, len(kept))
    return [row.code for row in kept]


def _apply_indicators(plan: Plan, rows: list[Indicator], new: list[dict]) -> list[int]:
    """Update indicators in place by number, add new ones, drop vanished unreferenced ones."""
    by_number = {row.number: row for row in rows}
    for fields in new:
        row = by_number.get(fields["number"])
        if row is None:
            db.session.add(Indicator(plan_id=plan.id, **fields))
            continue
        if stored_indicator_fields(row) != fields:
            for name in INDICATOR_FIELDS:
                setattr(row, name, fields[name])
            # Forms loaded before the revision must not overwrite it.
            row.version += 1
    new_numbers = {fields["number"] for fields in new}
    vanished = [row for row in rows if row.number not in new_numbers]
    referenced = indicator_references([row.id for row in vanished])
    for row in vanished:
        if row.id not in referenced:
            db.session.delete(row)
    return [row.number for row in vanished if row.id in referenced]
