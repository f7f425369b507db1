"""Reminders of tracker/signoff for `notify remind`, set-based (a few queries per run).

Approvers: one message a working day while any of their department's reports has waited
`APPROVAL_REMIND_AFTER_WORKING_DAYS` working days or more (default 1) for sign-off.
Liaisons: one message a working day, from the 签收 day on, while an assignment of their
department is not acknowledged, and from the day before an instruction's answer day on,
while a leader's instruction (批示) is not answered. The dedupe keys name the department
and the day, so a re-run the same day queues nothing new.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker import clock
from tracker.extensions import db
from tracker.item_predicates import open_clause
from tracker.models import Department, Instruction, ItemAssignment, Report, User, WorkItem
from tracker.notify.messages import (
    MessageDraft,
    Planned,
    Skipped,
    external_url,
    unique_addresses,
)
from tracker.notify.rendering import mail_locale
from tracker.workdays import add_working_days, is_working_day, working_days_between
from tracker.workflow import AckState, InstructionState, ReviewState, Role

logger = logging.getLogger(__name__)


def _addresses(role: Role) -> dict[int, list[str]]:
    rows = db.session.execute(
        select(User.department_id, User.email).where(
            User.role == role.value,
            User.active.is_(True),
            User.email.is_not(None),
            func.length(User.email) > 0,
        )
    ).all()
    by_department: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        by_department[row.department_id].append(row.email)
    return {k: unique_addresses(v) for k, v in by_department.items()}


def plan_approval_reminders(today: date) -> Planned:
    """One reminder per department whose oldest report waiting for sign-off is overdue for
    it (three queries whatever the data size)."""
    if not is_working_day(today):
        return Planned([], [])
    after = int(current_app.config.get("APPROVAL_REMIND_AFTER_WORKING_DAYS", 1))
    rows = db.session.execute(
        select(
            Report.id,
            Report.submitted_at,
            WorkItem.code,
            WorkItem.title,
            WorkItem.lead_department_id,
        )
        .join(WorkItem, WorkItem.id == Report.item_id)
        .where(Report.state == ReviewState.PENDING_APPROVAL.value)
        .order_by(WorkItem.lead_department_id, Report.submitted_at, Report.id)
    ).all()
    waiting: dict[int, list] = defaultdict(list)
    for row in rows:
        waiting[row.lead_department_id].append(row)

    def oldest(reports) -> date:  # the department's rows are in submission order
        return clock.local_date(reports[0].submitted_at) if reports[0].submitted_at else today

    def overdue(reports) -> bool:
        return working_days_between(oldest(reports), today) >= after

    def message(reports, items) -> dict:
        return {
            "subject": _(
                "[Plan Tracker] %(count)s reports are waiting for your sign-off",
                count=len(items),
            ),
            "template": "approval",
            "context": {"items": items, "today": today, "since": oldest(reports)},
        }

    return _drafts_per_department(
        today,
        waiting,
        Role.APPROVER,
        "approval",
        lambda r: (r.id, r.code, r.title, external_url("review.report", report_id=r.id)),
        message,
        due=overdue,
    )


def _drafts_per_department(
    today: date, waiting: dict[int, list], role: Role, prefix: str, item_of, message, due=None
) -> Planned:
    """One message today per department of `waiting` (department id → rows) to its active
    users of `role`: `item_of(row)` → (id, code, title, url); `message(rows, items)` → the
    draft's subject, template and context; `due(rows)` False leaves a department for a later
    day. A department with nobody to write to is reported as skipped."""
    if not waiting:
        return Planned([], [])
    addresses = _addresses(role)
    names = dict(
        db.session.execute(
            select(Department.id, Department.short_name).where(Department.id.in_(list(waiting)))
        ).all()
    )
    drafts, skipped = [], []
    with mail_locale():
        for department_id, rows in waiting.items():
            if due is not None and not due(rows):
                continue
            key = f"{prefix}:dept:{department_id}:{today.isoformat()}"
            to = addresses.get(department_id, [])
            if not to:
                skipped.append(
                    Skipped(key, names.get(department_id), f"no active {role.value} with an email")
                )
                continue
            items = [
                dict(zip(("id", "code", "title", "url"), item_of(row), strict=True)) for row in rows
            ]
            drafts.append(
                MessageDraft(
                    kind="remind",
                    dedupe_key=key,
                    to=to,
                    cc=[],
                    department_id=department_id,
                    department=names.get(department_id),
                    items=[item["code"] for item in items],
                    **message(rows, items),
                )
            )
    return Planned(drafts, skipped)


def _department_reminders(today: date, rows, prefix: str, template: str, subject, url) -> Planned:
    """One daily reminder per department to its liaisons; `rows` carry department_id,
    item_id, code, title and due, ordered by department."""
    waiting: dict[int, list] = defaultdict(list)
    for row in rows:
        waiting[row.department_id].append(row)
    return _drafts_per_department(
        today,
        waiting,
        Role.LIAISON,
        prefix,
        lambda e: (e.item_id, e.code, e.title, external_url("items.detail", item_id=e.item_id)),
        lambda entries, items: {
            "subject": subject(len(items)),
            "template": template,
            "context": {
                "items": items,
                "since": min(e.due for e in entries),
                "link": external_url(url),
            },
        },
    )


def plan_ack_reminders(today: date) -> Planned:
    """签收 due today or late: the lead department's liaisons are reminded."""
    if not is_working_day(today):
        return Planned([], [])
    rows = db.session.execute(
        select(
            ItemAssignment.item_id,
            ItemAssignment.department_id,
            ItemAssignment.ack_due.label("due"),
            WorkItem.code,
            WorkItem.title,
        )
        .join(WorkItem, WorkItem.id == ItemAssignment.item_id)
        .where(
            ItemAssignment.state == AckState.PENDING.value,
            ItemAssignment.ack_due <= today,
            open_clause(),
        )
        .order_by(ItemAssignment.department_id, ItemAssignment.ack_due, WorkItem.code)
    ).all()
    return _department_reminders(
        today,
        rows,
        "ack",
        "acknowledge",
        lambda n: _("[Plan Tracker] %(count)s assigned items are waiting for 签收", count=n),
        "signoff.assignments",
    )


def plan_instruction_reminders(today: date) -> Planned:
    """批示 whose answer is due within a working day or late: the department is reminded."""
    if not is_working_day(today):
        return Planned([], [])
    rows = db.session.execute(
        select(
            Instruction.item_id,
            Instruction.department_id,
            Instruction.answer_due.label("due"),
            WorkItem.code,
            WorkItem.title,
        )
        .join(WorkItem, WorkItem.id == Instruction.item_id)
        .where(
            Instruction.state == InstructionState.OPEN.value,
            Instruction.answer_due <= add_working_days(today, 1),
        )
        .order_by(Instruction.department_id, Instruction.answer_due, WorkItem.code)
    ).all()
    return _department_reminders(
        today,
        rows,
        "instruction",
        "instruction",
        lambda n: _(
            "[Plan Tracker] %(count)s leader instructions are waiting for your answer", count=n
        ),
        "signoff.instructions",
    )
