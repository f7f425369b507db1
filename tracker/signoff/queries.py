"""The approver's queue: their department's reports waiting for sign-off."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from tracker.models import Report, WorkItem
from tracker.workflow import ReviewState


def pending_approval_query(user) -> Select:
    """Reports of items the user's department leads, waiting for sign-off, oldest first
    (ix_report_state_submitted)."""
    return (
        select(Report)
        .join(WorkItem, WorkItem.id == Report.item_id)
        .where(
            Report.state == ReviewState.PENDING_APPROVAL.value,
            WorkItem.lead_department_id == user.department_id,
        )
        .options(
            joinedload(Report.item),
            joinedload(Report.period),
            joinedload(Report.author),
        )
        .order_by(Report.submitted_at, Report.id)
    )
