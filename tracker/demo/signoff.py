"""Demo of the department head's sign-off: an approver for 市发改委 and one report waiting."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from tracker import clock
from tracker.admin.operations import create_user
from tracker.extensions import db
from tracker.items.reports import submit_report
from tracker.models import Department, Report, User, WorkItem
from tracker.workflow import ReviewState

logger = logging.getLogger(__name__)

APPROVER_DEPARTMENT = "fgw"


def load_signoff_demo(result, departments: dict[str, Department], now: datetime | None = None):
    """Added after the report story (which would otherwise wait for this approver): the
    approver `approver-fgw`, and one of the department's drafts submitted to them."""
    department = departments.get(APPROVER_DEPARTMENT)
    if department is None:
        return
    username = f"approver-{APPROVER_DEPARTMENT}"
    if db.session.scalar(select(User.id).where(User.username == username)) is None:
        _user, password = create_user(
            None,
            username=username,
            role="approver",
            department=department,
            name="市发改委分管领导",
            email=f"{username}@demo.shaoxing.example",
            must_change_password=False,
        )
        result.created_logins.append((username, password, "approver", department.short_name))
        db.session.flush()
    waiting = select(Report.id).join(WorkItem, WorkItem.id == Report.item_id)
    waiting = waiting.where(WorkItem.lead_department_id == department.id)
    if db.session.scalar(waiting.where(Report.state == ReviewState.PENDING_APPROVAL.value)):
        return
    draft = db.session.scalar(
        select(Report)
        .join(WorkItem, WorkItem.id == Report.item_id)
        .where(
            WorkItem.lead_department_id == department.id,
            WorkItem.retired_at.is_(None),
            WorkItem.status != "completed",
            Report.state == ReviewState.DRAFT.value,
            Report.narrative != "",
        )
        .order_by(Report.id)
        .limit(1)
    )
    if draft is not None:
        submit_report(draft.author, draft, expected_version=None, now=now or clock.now())
