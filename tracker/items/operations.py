"""Work-item operations: create, edit, assign, split, merge, retire, reopen.

Each one checks permission, changes state (behind a conditional version UPDATE), appends
an audit event, queues notices and flushes; the caller commits once.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, insert, select

from tracker import clock
from tracker.access import liaison_ids, link, require, require_role
from tracker.audit import audit, snapshot
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.items.access import item_subject
from tracker.locking import claim
from tracker.models import Department, Indicator, Plan, PlanNode, WorkItem, item_co_department
from tracker.notices import queue_notice
from tracker.schedule import default_start
from tracker.signoff.assignments import open_assignment
from tracker.text import clean_text, required_reason
from tracker.workflow import Action, ItemStatus

logger = logging.getLogger(__name__)

ITEM_FIELDS = (
    "code",
    "title",
    "description",
    "deliverable",
    "lead_department_id",
    "start_date",
    "due_date",
    "original_due_date",
    "priority",
    "indicator_id",
    "status",
    "progress",
    "retired_at",
)
MAX_TITLE = 300
MAX_CODE = 60


def item_snapshot(item: WorkItem) -> dict:
    data = snapshot(item, ITEM_FIELDS)
    data["co_department_ids"] = sorted(d.id for d in item.co_departments)
    return data


# ---------------------------------------------------------------- validation


def _check_code(plan_id: int, code: str, item_id: int | None, errors: dict) -> None:
    if not code:
        errors["code"] = _("A code is required.")
    elif len(code) > MAX_CODE:
        errors["code"] = _("Use at most %(n)s characters.", n=MAX_CODE)
    else:
        clash = db.session.scalar(
            select(WorkItem.id).where(WorkItem.plan_id == plan_id, WorkItem.code == code)
        )
        if clash is not None and clash != item_id:
            errors["code"] = _("Another work item of this plan has the code %(code)s.", code=code)


def _check_details(plan_id: int, title, priority, indicator_id, due_date, errors: dict) -> None:
    if not title:
        errors["title"] = _("A title is required.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("Use at most %(n)s characters.", n=MAX_TITLE)
    if priority not in (1, 2, 3):
        errors["priority"] = _("Choose a priority.")
    if due_date is not None and not isinstance(due_date, date):
        errors["due_date"] = _("Enter a date as YYYY-MM-DD.")
    if indicator_id is not None:
        plan_of = db.session.scalar(select(Indicator.plan_id).where(Indicator.id == indicator_id))
        if plan_of != plan_id:
            errors["indicator_id"] = _("Choose an indicator of the same plan.")


def _check_node(plan_id: int, node_id: int | None, errors: dict) -> None:
    """A section or source node must exist and belong to the item's plan: a missing one
    would fail the foreign key (a 500), another plan's would be filed silently."""
    if node_id is None:
        return
    if db.session.scalar(select(PlanNode.plan_id).where(PlanNode.id == node_id)) != plan_id:
        errors["section_node_id"] = _("Choose a part of the same plan.")


def _check_owners(lead_id, co_ids, errors: dict) -> list[int]:
    co_ids = sorted({int(d) for d in co_ids or [] if d is not None} - {lead_id})
    wanted = {d for d in [lead_id, *co_ids] if d is not None}
    if wanted:
        found = set(
            db.session.scalars(
                select(Department.id).where(Department.id.in_(wanted), Department.active)
            )
        )
        if lead_id is not None and lead_id not in found:
            errors["lead_department_id"] = _("Choose an active department.")
        if set(co_ids) - found:
            errors["co_department_ids"] = _("Choose active departments.")
    return co_ids


def _check_start(start_date: date | None, due_date: date | None, errors: dict) -> None:
    if start_date is not None and due_date is not None and start_date > due_date:
        errors["start_date"] = _("The start date must not be after the due date.")


def _clamped(start_date: date | None, due_date: date | None) -> date | None:
    if start_date is not None and due_date is not None and start_date > due_date:
        return due_date
    return start_date


def _set_co_departments(item: WorkItem, co_ids: list[int]) -> None:
    """Replace the co-owners with two set-based statements (no per-row loading)."""
    db.session.execute(delete(item_co_department).where(item_co_department.c.item_id == item.id))
    if co_ids:
        db.session.execute(
            insert(item_co_department),
            [{"item_id": item.id, "department_id": d} for d in co_ids],
        )
    db.session.expire(item, ["co_departments"])


def next_free_code(plan_id: int, base: str) -> str:
    """`base` if unused in the plan, else `base-2`, `base-3`, …"""
    taken = set(
        db.session.scalars(
            select(WorkItem.code).where(
                WorkItem.plan_id == plan_id,
                (WorkItem.code == base) | WorkItem.code.startswith(f"{base}-", autoescape=True),
            )
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# ---------------------------------------------------------------- operations


def create_item(
    actor,
    plan: Plan,
    *,
    title: str,
    code: str | None = None,
    description: str = "",
    deliverable: str = "",
    lead_department_id: int | None = None,
    co_department_ids=(),
    due_date: date | None = None,
    priority: int = 2,
    indicator_id: int | None = None,
    section_node_id: int | None = None,
    source_node_id: int | None = None,
    is_demo: bool = False,
    start_date: date | None = None,
    now: datetime | None = None,
) -> WorkItem:
    """Add a work item to a plan (the office, or the system when `actor` is None).

    `start_date` (序时进度 starts there) defaults to the plan's start or the day the item
    is created, whichever is later (tracker.schedule.default_start)."""
    now = now or clock.now()
    if start_date is None:
        start_date = default_start(plan.start_year, clock.local_date(now), due_date)
    require_role(actor, Action.EDIT_ITEM)
    title = clean_text(title, 1000)
    code = (code or "").strip()
    if not code:
        count = db.session.scalar(
            select(func.count(WorkItem.id)).where(WorkItem.plan_id == plan.id)
        )
        code = next_free_code(plan.id, f"新增{(count or 0) + 1}")
    errors: dict[str, str] = {}
    _check_code(plan.id, code, None, errors)
    _check_details(plan.id, title, priority, indicator_id, due_date, errors)
    _check_start(start_date, due_date, errors)
    co_ids = _check_owners(lead_department_id, co_department_ids, errors)
    for node_id in (section_node_id, source_node_id):
        _check_node(plan.id, node_id, errors)
    if errors:
        raise ValidationFailed(errors)
    item = WorkItem(
        plan_id=plan.id,
        code=code,
        title=title,
        description=clean_text(description),
        deliverable=clean_text(deliverable),
        lead_department_id=lead_department_id,
        start_date=start_date,
        due_date=due_date,
        priority=priority,
        indicator_id=indicator_id,
        section_node_id=section_node_id,
        source_node_id=source_node_id,
        status=ItemStatus.NOT_STARTED.value,
        progress=0,
        is_demo=is_demo,
        created_at=now,
        updated_at=now,
    )
    db.session.add(item)
    db.session.flush()
    if co_ids:
        _set_co_departments(item, co_ids)
    audit(actor, "item.created", item, now, after=item_snapshot(item), item_id=item.id)
    _notify_assigned(item, {lead_department_id, *co_ids} - {None})
    if lead_department_id is not None:
        open_assignment(actor, item, lead_department_id, now=now)  # 签收 due
    db.session.flush()
    return item


def update_item(
    actor,
    item: WorkItem,
    *,
    expected_version: int | None,
    title: str,
    code: str,
    description: str = "",
    deliverable: str = "",
    due_date: date | None = None,
    priority: int = 2,
    indicator_id: int | None = None,
    section_node_id: int | None = None,
    start_date: date | None = None,
    now: datetime | None = None,
) -> WorkItem:
    """Edit an item's details. A stale `expected_version` raises StaleVersion (409).
    `start_date` None keeps the item's start date."""
    now = now or clock.now()
    require(actor, Action.EDIT_ITEM, item_subject(item), obj=f"item:{item.id}")
    title, code = clean_text(title, 1000), (code or "").strip()
    errors: dict[str, str] = {}
    _check_code(item.plan_id, code, item.id, errors)
    _check_details(item.plan_id, title, priority, indicator_id, due_date, errors)
    _check_start(start_date, due_date, errors)
    # A due date moved before the kept start date takes the start with it.
    start_date = start_date or _clamped(item.start_date, due_date)
    _check_node(item.plan_id, section_node_id, errors)
    if errors:
        raise ValidationFailed(errors)
    claim(WorkItem, item, expected_version, values={"updated_at": now})
    before = item_snapshot(item)
    item.title, item.code = title, code
    item.description, item.deliverable = clean_text(description), clean_text(deliverable)
    item.due_date, item.priority, item.indicator_id = due_date, priority, indicator_id
    item.start_date = start_date
    if section_node_id is not None:
        item.section_node_id = section_node_id
    db.session.flush()
    after = item_snapshot(item)
    changed = {k for k in after if before.get(k) != after.get(k)}
    audit(
        actor,
        "item.updated",
        item,
        now,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
        item_id=item.id,
    )
    db.session.flush()
    return item


def assign_item(
    actor,
    item: WorkItem,
    *,
    expected_version: int | None,
    lead_department_id: int | None,
    co_department_ids=(),
    now: datetime | None = None,
) -> WorkItem:
    """Set the lead department (牵头单位) and co-departments (配合单位)."""
    now = now or clock.now()
    require(actor, Action.ASSIGN_ITEM, item_subject(item), obj=f"item:{item.id}")
    errors: dict[str, str] = {}
    co_ids = _check_owners(lead_department_id, co_department_ids, errors)
    if errors:
        raise ValidationFailed(errors)
    before = item_snapshot(item)
    claim(WorkItem, item, expected_version, values={"updated_at": now})
    item.lead_department_id = lead_department_id
    _set_co_departments(item, co_ids)
    db.session.flush()
    after = item_snapshot(item)
    audit(
        actor,
        "item.assigned",
        item,
        now,
        before={k: before[k] for k in ("lead_department_id", "co_department_ids")},
        after={k: after[k] for k in ("lead_department_id", "co_department_ids")},
        item_id=item.id,
    )
    old = {before["lead_department_id"], *before["co_department_ids"]}
    _notify_assigned(item, {lead_department_id, *co_ids} - old - {None})
    if lead_department_id != before["lead_department_id"]:
        open_assignment(actor, item, lead_department_id, now=now)  # 签收 anew
    db.session.flush()
    return item


def _notify_assigned(item: WorkItem, department_ids: set) -> None:
    recipients = liaison_ids(department_ids)
    if recipients:
        queue_notice(
            recipients,
            "item_assigned",
            {"code": item.code, "title": item.title[:80]},
            link("items.detail", item_id=item.id),
        )


def retire_item(
    actor, item: WorkItem, *, expected_version: int | None, reason: str, now=None
) -> WorkItem:
    """Withdraw an item (duplicate, merged, no longer relevant); a reason is required."""
    now = now or clock.now()
    require(actor, Action.RETIRE_ITEM, item_subject(item), obj=f"item:{item.id}")
    reason = required_reason(reason, 2000)
    before = item_snapshot(item)
    claim(WorkItem, item, expected_version, values={"retired_at": now, "updated_at": now})
    audit(
        actor,
        "item.retired",
        item,
        now,
        before={"retired_at": before["retired_at"]},
        after={"retired_at": now.isoformat()},
        comment=reason,
        item_id=item.id,
    )
    db.session.flush()
    return item


def reopen_item(
    actor, item: WorkItem, *, expected_version: int | None, reason: str, now=None
) -> WorkItem:
    """Reopen a completed (销号) or retired item; an office action with a required reason."""
    now = now or clock.now()
    require(actor, Action.REOPEN_ITEM, item_subject(item), obj=f"item:{item.id}")
    reason = required_reason(reason, 2000)
    before = item_snapshot(item)
    status = ItemStatus.IN_PROGRESS if item.progress > 0 else ItemStatus.NOT_STARTED
    if item.status != ItemStatus.COMPLETED.value:
        status = ItemStatus(item.status)
    claim(
        WorkItem,
        item,
        expected_version,
        values={
            "status": status.value,
            "completed_at": None,
            "retired_at": None,
            "updated_at": now,
        },
    )
    audit(
        actor,
        "item.reopened",
        item,
        now,
        before={k: before[k] for k in ("status", "retired_at")},
        after={"status": status.value, "retired_at": None},
        comment=reason,
        item_id=item.id,
    )
    recipients = liaison_ids([item.lead_department_id])
    if recipients:
        queue_notice(
            recipients,
            "item_reopened",
            {"code": item.code, "reason": reason[:200]},
            link("items.detail", item_id=item.id),
        )
    db.session.flush()
    return item
