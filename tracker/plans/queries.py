"""Read-side queries of the plan pages: each a single GROUP BY, whatever the plan's size."""

from __future__ import annotations

import logging

from sqlalchemy import func, or_, select
from sqlalchemy.orm import load_only

from tracker.extensions import db
from tracker.models import Indicator, PlanImport, PlanNode, WorkItem, item_co_department
from tracker.workflow import can_see_all

logger = logging.getLogger(__name__)


def _count_by_plan(column, plan_ids: list[int]) -> dict[int, int]:
    if not plan_ids:
        return {}
    rows = db.session.execute(
        select(column, func.count()).where(column.in_(plan_ids)).group_by(column)
    )
    return dict(rows.all())


def plan_counts(plan_ids: list[int]) -> dict[str, dict[int, int]]:
    """Nodes, indicators and work items per plan (three queries for any number of plans)."""
    return {
        "nodes": _count_by_plan(PlanNode.plan_id, plan_ids),
        "indicators": _count_by_plan(Indicator.plan_id, plan_ids),
        "items": _count_by_plan(WorkItem.plan_id, plan_ids),
    }


def work_item_counts(plan_id: int, user=None) -> dict[int, tuple[int, int]]:
    """Per source node of one plan: how many work items the user may see, and the first one.

    Liaisons count only their department's items (lead or co-owner), the same rule as
    everywhere else, so the plan page does not reveal other departments' work.
    """
    query = (
        select(WorkItem.source_node_id, func.count(), func.min(WorkItem.id))
        .where(WorkItem.plan_id == plan_id, WorkItem.source_node_id.is_not(None))
        .group_by(WorkItem.source_node_id)
    )
    if user is not None and not can_see_all(user):
        co_owned = select(item_co_department.c.item_id).where(
            item_co_department.c.department_id == user.department_id
        )
        query = query.where(
            or_(WorkItem.lead_department_id == user.department_id, WorkItem.id.in_(co_owned))
        )
    return {node_id: (count, first_id) for node_id, count, first_id in db.session.execute(query)}


def pending_imports(limit: int = 20) -> list[PlanImport]:
    """Uploads parsed but not yet confirmed, newest first."""
    return list(
        db.session.scalars(
            select(PlanImport)
            # The source text and parsed JSON are large; the list needs neither.
            .options(
                load_only(
                    PlanImport.id,
                    PlanImport.filename,
                    PlanImport.created_at,
                    PlanImport.target_plan_id,
                )
            )
            .where(PlanImport.applied_at.is_(None))
            .order_by(PlanImport.created_at.desc(), PlanImport.id.desc())
            .limit(limit)
        )
    )
