"""Demo of tracker/signoff: an approver for 市科技局 with one report waiting, 签收 of the
demo's assignments (a few left open, one contested) and a leader's instruction."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from tracker import clock
from tracker.admin.operations import create_user
from tracker.extensions import db
from tracker.items.reports import submit_report
from tracker.models import Department, Instruction, ItemAssignment, Report, User, WorkItem
from tracker.workflow import AckState, ReviewState

logger = logging.getLogger(__name__)

APPROVER_DEPARTMENT = "kjj"


def load_signoff_demo(result, departments: dict[str, Department], now: datetime | None = None):
    """Added after the report story (which would otherwise wait for this approver): the
    approver `approver-kjj`, and one of the department's drafts submitted to them."""
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
            name="市科技局分管领导",
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
    if draft is None:
        draft = _new_draft(department, now or clock.now())
    if draft is not None:
        submit_report(draft.author, draft, expected_version=None, now=now or clock.now())


def _new_draft(department: Department, now: datetime) -> Report | None:
    """The department's liaison starts this period's report on an open item without one."""
    from tracker.items.reports import create_report
    from tracker.periods import focus_period

    liaison = db.session.scalar(
        select(User).where(User.department_id == department.id, User.role == "liaison")
    )
    for item in db.session.scalars(
        select(WorkItem)
        .where(
            WorkItem.lead_department_id == department.id,
            WorkItem.retired_at.is_(None),
            WorkItem.status != "completed",
        )
        .order_by(WorkItem.id)
    ):
        period = focus_period(item.plan_id, clock.today(now))
        if liaison is None or period is None:
            return None
        exists = db.session.scalar(
            select(Report.id).where(Report.item_id == item.id, Report.period_id == period.id)
        )
        if exists is None:
            return create_report(
                liaison,
                item,
                period,
                narrative=f"{period.label}：已完成阶段性任务，请分管领导审签。（演示）",
                progress=min(item.progress + 10, 90),
                now=now,
                is_demo=True,
            )
    return None


# The newest few assignments stay waiting for 签收 (and one change request), so the office
# home and /assignments show them; the story's older assignments were acknowledged long ago.
LEFT_PENDING = 3
CHANGE_REASON = "该事项主要职责在其他部门，申请调整牵头单位。（演示）"


def load_acknowledgement_demo(
    _result, departments: dict[str, Department], now: datetime | None = None
):
    """签收 of the demo's assignments through the real operation, and one 批示."""
    from tracker.signoff.acknowledge import acknowledge_item, request_reassignment
    from tracker.signoff.instructions import write_instruction

    now = now or clock.now()
    if db.session.scalar(select(Instruction.id).limit(1)) is not None:
        return  # loaded before
    pending = db.session.scalars(
        select(ItemAssignment)
        .where(ItemAssignment.state == AckState.PENDING.value)
        .order_by(ItemAssignment.id.desc())
    ).all()
    liaisons = {
        u.department_id: u
        for u in db.session.scalars(
            select(User).where(User.role == "liaison", User.active).order_by(User.id.desc())
        )
    }
    eligible = [
        (row, liaisons[row.department_id])
        for row in pending
        if row.department_id in liaisons and not row.item.is_closed
    ]
    for n, (row, liaison) in enumerate(eligible):
        if n == 0:
            request_reassignment(
                liaison,
                row.item,
                reason=CHANGE_REASON,
                now=now,
            )
        elif n >= LEFT_PENDING:
            acknowledge_item(liaison, row.item, now=now)
    leader = db.session.scalar(select(User).where(User.role == "leader").limit(1))
    department = departments.get(APPROVER_DEPARTMENT)
    if leader is None or department is None:
        return
    item = db.session.scalar(
        select(WorkItem)
        .where(
            WorkItem.lead_department_id == department.id,
            WorkItem.retired_at.is_(None),
            WorkItem.status != "completed",
        )
        .order_by(WorkItem.id)
        .limit(1)
    )
    if item is not None:
        write_instruction(
            leader, item, text="请抓紧推进，月底前将落实情况报市政府。（演示）", now=now
        )
