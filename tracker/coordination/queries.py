"""Reading coordination requests: the filtered, paginated list and the open count."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.models import CoordinationRequest, Report, WorkItem
from tracker.pagination import Page, paginate
from tracker.workflow import CoordinationState

STATES = tuple(state.value for state in CoordinationState)


def coordination_query(*, state: str | None = None, department_id: int | None = None):
    """Open ones first, newest first; with the item, its department, report and resolver
    joined in so a page of them costs one query."""
    query = select(CoordinationRequest).options(
        joinedload(CoordinationRequest.item).joinedload(WorkItem.lead_department),
        joinedload(CoordinationRequest.department),
        joinedload(CoordinationRequest.report).joinedload(Report.period),
        joinedload(CoordinationRequest.resolved_by),
    )
    if state in STATES:
        query = query.where(CoordinationRequest.state == state)
    if department_id:
        query = query.where(CoordinationRequest.department_id == department_id)
    return query.order_by(
        CoordinationRequest.state != CoordinationState.OPEN.value,
        CoordinationRequest.created_at.desc(),
        CoordinationRequest.id.desc(),
    )


def coordination_page(
    *, state: str | None = None, department_id: int | None = None, per_page: int = 25, **kw
) -> Page:
    """One page of requests: a count and a page query whatever the table size."""
    return paginate(coordination_query(state=state, department_id=department_id), per_page, **kw)


def open_coordination_count() -> int:
    """How many requests wait for the office (the dashboards' link)."""
    return (
        db.session.scalar(
            select(func.count(CoordinationRequest.id)).where(
                CoordinationRequest.state == CoordinationState.OPEN.value
            )
        )
        or 0
    )
