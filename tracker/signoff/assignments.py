"""签收 bookkeeping: opening an assignment when an item gets a lead, and listing open ones.

`open_assignment` is called by items.operations.assign_item / create_item; whatever
assignment of the item is still open is superseded through the review kernel first.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from flask import current_app
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.extensions import db
from tracker.item_predicates import open_clause
from tracker.models import ItemAssignment, WorkItem
from tracker.transitions import moves, transition
from tracker.workdays import add_working_days
from tracker.workflow import AckState, AckStep, can_see_all

logger = logging.getLogger(__name__)

# Assignments still waiting for the lead (签收) or for the office (a change request).
OPEN_STATES = (AckState.PENDING.value, AckState.CHANGE_REQUESTED.value)


def ack_due(today: date) -> date:
    """The last day to acknowledge an assignment made on `today`."""
    return add_working_days(today, int(current_app.config.get("ACK_WORKING_DAYS", 3)))


def current_assignment(item_id: int) -> ItemAssignment | None:
    """The item's newest assignment that is not superseded or reassigned."""
    return db.session.scalar(
        select(ItemAssignment)
        .where(
            ItemAssignment.item_id == item_id,
            ItemAssignment.state.in_([*OPEN_STATES, AckState.ACKNOWLEDGED.value]),
        )
        .order_by(ItemAssignment.id.desc())
        .limit(1)
    )


def open_assignment(
    actor, item: WorkItem, department_id: int | None, *, now: datetime | None = None
) -> ItemAssignment | None:
    """The item now has `department_id` as its lead: it must be acknowledged anew."""
    now = now or clock.now()
    superseded = moves(ItemAssignment, AckStep.SUPERSEDE)
    for row in db.session.scalars(
        select(ItemAssignment).where(
            ItemAssignment.item_id == item.id, ItemAssignment.state.in_(list(superseded))
        )
    ):
        transition(actor, row, AckStep.SUPERSEDE, now=now)
    if department_id is None:
        return None
    row = ItemAssignment(
        item_id=item.id,
        department_id=department_id,
        state=AckState.PENDING.value,
        assigned_at=now,
        assigned_by_id=getattr(actor, "id", None),
        ack_due=ack_due(clock.local_date(now)),
    )
    db.session.add(row)
    db.session.flush()
    return row


def _open_conditions(user) -> list:
    # A completed or retired item takes no 签收 (CLOSED_ITEM_BLOCKS): not listed.
    conditions = [ItemAssignment.state.in_(OPEN_STATES), open_clause()]
    if not can_see_all(user):
        conditions.append(ItemAssignment.department_id == user.department_id)
    return conditions


def unacknowledged_query(user) -> Select:
    """Open assignments the user may see (a liaison: their department's), due first
    (ix_item_assignment_state_due)."""
    return (
        select(ItemAssignment)
        .join(WorkItem, WorkItem.id == ItemAssignment.item_id)
        .where(*_open_conditions(user))
        .options(
            joinedload(ItemAssignment.item).selectinload(WorkItem.co_departments),
            joinedload(ItemAssignment.department),
            joinedload(ItemAssignment.suggested_department),
            joinedload(ItemAssignment.requested_by),
        )
        .order_by(ItemAssignment.ack_due, ItemAssignment.id)
    )


def unacknowledged_summary(user, today: date, limit: int = 5) -> dict:
    """For the homes: how many are open, how many past their 签收 day, the first few."""
    total, late = db.session.execute(
        select(
            func.count(ItemAssignment.id),
            func.count(ItemAssignment.id).filter(ItemAssignment.ack_due < today),
        )
        .select_from(ItemAssignment)
        .join(WorkItem, WorkItem.id == ItemAssignment.item_id)
        .where(*_open_conditions(user))
    ).one()
    rows = db.session.scalars(unacknowledged_query(user).limit(limit)).unique().all()
    return {"total": total or 0, "late": late or 0, "rows": rows if total else []}
