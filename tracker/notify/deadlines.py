"""Reminders, overdue notices and escalations for work-item due dates and report deadlines.

Reads the work tables with its own set-based queries (a few per run whatever the data size)
and returns drafts; `outbox.queue_drafts` decides, by dedupe key, what is new.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from tracker.extensions import db
from tracker.item_predicates import open_clause
from tracker.models import Plan, Report, ReportingPeriod, WorkItem
from tracker.notify.messages import (
    Directory,
    MessageDraft,
    Planned,
    Skipped,
    item_url,
    load_directory,
    shorten,
    unique_addresses,
)
from tracker.notify.rendering import mail_date, mail_locale
from tracker.notify.rules import overdue_stage, reminder_due, working_days_left

logger = logging.getLogger(__name__)

# Report states that still owe the office a submission.
_UNREPORTED = ("draft", "returned")


@dataclass
class Deadline:
    """Something a lead department must meet by `due`: one item, or a period's reports."""

    key: str  # "item:42" or "report:7:dept:3"
    department_id: int
    due: date
    items: list[dict]
    period: str | None = None  # the reporting period's label for report deadlines


def open_items_filter():
    """Items that still need work: not completed, not retired, in an active plan."""
    return and_(
        open_clause(),
        WorkItem.lead_department_id.is_not(None),
        Plan.status == "active",
    )


def unreported_items(period_ids, *columns):
    """SELECT the period id (as `period_id`) and `columns` for every open item whose report
    for one of `period_ids` is missing or still with the department (reminders, letters)."""
    return (
        select(ReportingPeriod.id.label("period_id"), *columns)
        .join(WorkItem, WorkItem.plan_id == ReportingPeriod.plan_id)
        .join(Plan, Plan.id == WorkItem.plan_id)
        .outerjoin(
            Report, and_(Report.item_id == WorkItem.id, Report.period_id == ReportingPeriod.id)
        )
        .where(
            ReportingPeriod.id.in_(list(period_ids)),
            open_items_filter(),
            or_(Report.id.is_(None), Report.state.in_(_UNREPORTED)),
        )
    )


def _item_dict(row) -> dict:
    return {"id": row.id, "code": row.code, "title": row.title, "url": item_url(row.id)}


def _reminder_horizon(today: date, offsets: list[int]) -> date:
    # Generous: N working days never span more than 2N calendar days plus the longest
    # holiday run; the exact send day is computed per deadline afterwards.
    return today + timedelta(days=2 * max(offsets or [0]) + 21)


def item_deadlines(today: date, offsets: list[int]) -> list[Deadline]:
    """Open items due within the reminder horizon or already overdue (one query)."""
    rows = db.session.execute(
        select(
            WorkItem.id,
            WorkItem.code,
            WorkItem.title,
            WorkItem.due_date,
            WorkItem.lead_department_id,
        )
        .join(Plan, Plan.id == WorkItem.plan_id)
        .where(
            open_items_filter(),
            WorkItem.due_date.is_not(None),
            WorkItem.due_date <= _reminder_horizon(today, offsets),
        )
        .order_by(WorkItem.due_date, WorkItem.id)
    ).all()
    return [
        Deadline(
            key=f"item:{row.id}",
            department_id=row.lead_department_id,
            due=row.due_date,
            items=[_item_dict(row)],
        )
        for row in rows
    ]


def report_deadlines(today: date, offsets: list[int]) -> list[Deadline]:
    """Each department's unsubmitted reports, per period (two queries).

    Periods considered: those whose deadline is still ahead within the reminder horizon,
    and each plan's latest passed deadline (for the overdue notice and escalation). Older
    periods are not chased by mail again once a newer deadline has passed.
    """
    latest_passed = (
        select(ReportingPeriod.plan_id, func.max(ReportingPeriod.deadline).label("deadline"))
        .where(ReportingPeriod.deadline < today)
        .group_by(ReportingPeriod.plan_id)
        .subquery()
    )
    periods = db.session.execute(
        select(ReportingPeriod.id, ReportingPeriod.label, ReportingPeriod.deadline)
        .join(Plan, Plan.id == ReportingPeriod.plan_id)
        .outerjoin(
            latest_passed,
            and_(
                latest_passed.c.plan_id == ReportingPeriod.plan_id,
                latest_passed.c.deadline == ReportingPeriod.deadline,
            ),
        )
        .where(
            Plan.status == "active",
            or_(
                ReportingPeriod.deadline.between(today, _reminder_horizon(today, offsets)),
                latest_passed.c.plan_id.is_not(None),
            ),
        )
    ).all()
    if not periods:
        return []
    by_id = {p.id: p for p in periods}
    rows = db.session.execute(
        unreported_items(
            by_id,
            WorkItem.id,
            WorkItem.code,
            WorkItem.title,
            WorkItem.lead_department_id,
            Report.state,
        ).order_by(ReportingPeriod.id, WorkItem.lead_department_id, WorkItem.code)
    ).all()
    grouped: dict[tuple[int, int], list[dict]] = {}
    for row in rows:
        entry = _item_dict(row) | {"report_state": row.state}
        grouped.setdefault((row.period_id, row.lead_department_id), []).append(entry)
    return [
        Deadline(
            key=f"report:{period_id}:dept:{department_id}",
            department_id=department_id,
            due=by_id[period_id].deadline,
            items=items,
            period=by_id[period_id].label,
        )
        for (period_id, department_id), items in grouped.items()
    ]


def _subject(stage: str, deadline: Deadline, today: date, department: str | None) -> str:
    date_text = mail_date(deadline.due)
    days = (today - deadline.due).days
    if deadline.period is None:
        item = deadline.items[0]
        params = {"code": item["code"], "title": shorten(item["title"]), "date": date_text}
        if stage == "remind":
            return _("[Plan Tracker] Reminder: %(code)s %(title)s is due on %(date)s", **params)
        if stage == "overdue":
            return _("[Plan Tracker] Overdue: %(code)s %(title)s was due on %(date)s", **params)
        return _(
            "[Plan Tracker] Escalation: %(code)s %(title)s is %(days)s days overdue",
            days=days,
            **params,
        )
    params = {"period": deadline.period, "date": date_text, "count": len(deadline.items)}
    if stage == "remind":
        return _(
            "[Plan Tracker] Reminder: %(period)s progress reports are due on %(date)s "
            "(%(count)s items)",
            **params,
        )
    if stage == "overdue":
        return _(
            "[Plan Tracker] Overdue: %(period)s progress reports were due on %(date)s "
            "(%(count)s items)",
            **params,
        )
    return _(
        "[Plan Tracker] Escalation: %(department)s's %(period)s progress reports are "
        "%(days)s days overdue",
        department=department or "",
        days=days,
        **params,
    )


def _draft(stage: str, deadline: Deadline, today: date, offset: int | None, directory: Directory):
    department = directory.short_name(deadline.department_id)
    suffix = f":{offset}d" if stage == "remind" else ""
    dedupe_key = f"{stage}:{deadline.key}:{deadline.due.isoformat()}{suffix}"
    to = directory.liaisons_of(deadline.department_id)
    cc: list[str] = []
    if stage == "escalate":
        cc = unique_addresses(
            directory.office + directory.head_of(deadline.department_id), exclude=to
        )
        if not to:  # nobody in the department to write to: the escalation goes to the office
            to, cc = cc, []
    if not to:
        return Skipped(
            dedupe_key,
            department,
            "no active liaison with an email address (listed in the office digest; "
            "sent once a liaison has one)",
        )
    return MessageDraft(
        kind=stage,
        dedupe_key=dedupe_key,
        to=to,
        cc=cc,
        department_id=deadline.department_id,
        department=department,
        subject=_subject(stage, deadline, today, department),
        items=[item["code"] for item in deadline.items],
        template="deadline",
        context={
            "stage": stage,
            "items": deadline.items,
            "period": deadline.period,
            "due": deadline.due,
            "today": today,
            "days_left": working_days_left(today, deadline.due),
            "days_overdue": (today - deadline.due).days,
        },
    )


def plan_deadline_notices(today: date, directory: Directory | None = None) -> Planned:
    """Every remind/overdue/escalate message due on `today` (before checking the outbox)."""
    config = current_app.config
    offsets = [int(n) for n in config["REMINDER_OFFSETS"]]
    escalate_after = int(config["OVERDUE_ESCALATE_AFTER_DAYS"])
    directory = directory or load_directory()
    drafts: list[MessageDraft] = []
    skipped: list[Skipped] = []
    with mail_locale():
        for deadline in item_deadlines(today, offsets) + report_deadlines(today, offsets):
            offset = reminder_due(deadline.due, today, offsets)
            stage = (
                "remind"
                if offset is not None
                else overdue_stage(deadline.due, today, escalate_after)
            )
            if stage is None:
                continue
            result = _draft(stage, deadline, today, offset, directory)
            (skipped if isinstance(result, Skipped) else drafts).append(result)
    return Planned(drafts=drafts, skipped=skipped)
