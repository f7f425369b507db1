"""Plan headings under a heading or inside a 专栏, for the item list's node/column filters."""

from __future__ import annotations

import logging

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import PlanNode

logger = logging.getLogger(__name__)


def _plan_nodes(*where) -> list:
    """(id, parent id, kind, plan id) of plan headings: one query (a plan has hundreds)."""
    return db.session.execute(
        select(PlanNode.id, PlanNode.parent_id, PlanNode.kind, PlanNode.plan_id).where(*where)
    ).all()


def _under(roots: set[int], rows) -> list[int]:
    """`roots` and every node below them, by walking parent links (at most 20 levels).

    Not by position ranges: a heading a plan revision dropped but kept for its work items
    is moved after the whole tree (tracker/plans/revision.py), so only its parent link
    still says where it belongs — the same walk the dashboard's 专栏 figures make."""
    parents = {row.id: row.parent_id for row in rows}
    found = []
    for node_id in parents:
        current, hops = node_id, 0
        while current is not None and hops < 20:
            if current in roots:
                found.append(node_id)
                break
            current, hops = parents.get(current), hops + 1
    return sorted(found)


def subtree_node_ids(node_id: int) -> list[int]:
    """The node and every heading under it (empty when there is no such node)."""
    plan_of = select(PlanNode.plan_id).where(PlanNode.id == node_id).scalar_subquery()
    return _under({node_id}, _plan_nodes(PlanNode.plan_id == plan_of))


def column_node_ids(plan_id: int | None = None) -> list[int]:
    """Every 专栏 and every heading inside one (of one plan, or of all)."""
    rows = _plan_nodes(PlanNode.plan_id == plan_id) if plan_id else _plan_nodes()
    return _under({row.id for row in rows if row.kind == "column"}, rows)


def plan_node_label(node_id: int | None) -> str | None:
    """The list's filter chip, e.g. `三.1.(2) 提升标准制（修）订水平`; None when missing."""
    if not node_id:
        return None
    row = db.session.execute(
        select(PlanNode.code, PlanNode.title).where(PlanNode.id == node_id)
    ).first()
    return f"{row.code} {row.title}".strip() if row else None
