"""签收: acknowledge_item, request_reassignment (申请调整牵头单位), decide_reassignment.

Each moves the item's open ItemAssignment through the review kernel (ACK_TRANSITIONS); an
approved change reassigns the item (items.operations.assign_item), which opens a new
assignment that must be acknowledged in turn.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from tracker import clock
from tracker.access import liaison_ids, link, office_ids, require
from tracker.errors import InvalidTransition, ValidationFailed
from tracker.extensions import db
from tracker.items.access import item_subject
from tracker.items.operations import assign_item
from tracker.models import Department, ItemAssignment, WorkItem
from tracker.signoff.assignments import current_assignment
from tracker.text import clean_text, required_reason
from tracker.transitions import Notice, transition
from tracker.workflow import AckState, AckStep, Action

logger = logging.getLogger(__name__)


def _open(item: WorkItem, state: AckState) -> ItemAssignment:
    row = current_assignment(item.id)
    if row is None or row.department_id != item.lead_department_id:
        raise InvalidTransition(_("There is no assignment of this item waiting for 签收."))
    if row.state != state.value:
        raise InvalidTransition(
            _("This assignment has already been acknowledged, contested or decided.")
        )
    return row


def acknowledge_item(actor, item: WorkItem, *, now: datetime | None = None) -> ItemAssignment:
    """签收: the lead department's liaison confirms it takes the item on."""
    now = now or clock.now()
    require(actor, Action.ACKNOWLEDGE, item_subject(item), obj=f"item:{item.id}")
    row = _open(item, AckState.PENDING)
    return transition(
        actor,
        row,
        AckStep.ACKNOWLEDGE,
        now=now,
        values={"acknowledged_by_id": getattr(actor, "id", None), "acknowledged_at": now},
        event="item.acknowledged",
        before={"state": row.state},
        after=lambda r: {"state": r.state, "ack_due": r.ack_due.isoformat()},
        item_id=item.id,
    )


def request_reassignment(
    actor,
    item: WorkItem,
    *,
    reason: str,
    suggested_department_id: int | None = None,
    now: datetime | None = None,
) -> ItemAssignment:
    """申请调整牵头单位: instead of 签收, the lead asks the office for another lead."""
    now = now or clock.now()
    require(actor, Action.REQUEST_REASSIGNMENT, item_subject(item), obj=f"item:{item.id}")
    reason = required_reason(reason, 2000, _("Say why another department should lead."))
    if suggested_department_id is not None:
        _check_new_lead(item, suggested_department_id, "department_id")
    row = _open(item, AckState.PENDING)
    department = item.lead_department.short_name if item.lead_department else ""
    return transition(
        actor,
        row,
        AckStep.REQUEST_CHANGE,
        now=now,
        values={
            "requested_by_id": getattr(actor, "id", None),
            "requested_at": now,
            "request_reason": reason,
            "suggested_department_id": suggested_department_id,
        },
        event="item.reassignment_requested",
        before={"state": row.state},
        after=lambda r: {"state": r.state, "suggested_department_id": suggested_department_id},
        comment=reason,
        item_id=item.id,
        notice=Notice(
            office_ids(),
            "reassignment_requested",
            {"department": department, "code": item.code, "reason": reason[:200]},
            link("signoff.assignments"),
        ),
    )


def _check_new_lead(item: WorkItem, department_id: int, field: str) -> None:
    if department_id == item.lead_department_id:
        raise ValidationFailed({field: _("The item is already led by this department.")})
    active = db.session.scalar(
        select(Department.id).where(Department.id == department_id, Department.active)
    )
    if active is None:
        raise ValidationFailed({field: _("Choose an active department.")})


def decide_reassignment(
    actor,
    item: WorkItem,
    *,
    approve: bool,
    lead_department_id: int | None = None,
    comment: str = "",
    assignment_id: int | None = None,
    now: datetime | None = None,
) -> ItemAssignment:
    """The office agrees (the item gets the new lead, who must acknowledge it) or refuses
    with a reason (the department still has to 签收). `assignment_id` (the API's path) must
    name the request still waiting, so a decision never lands on a later one (409)."""
    now = now or clock.now()
    require(actor, Action.DECIDE_REASSIGNMENT, item_subject(item), obj=f"item:{item.id}")
    row = _open(item, AckState.CHANGE_REQUESTED)
    if assignment_id is not None and row.id != assignment_id:
        raise InvalidTransition(
            _("This assignment has already been acknowledged, contested or decided.")
        )
    if approve:
        new_lead = lead_department_id or row.suggested_department_id
        if new_lead is None:
            raise ValidationFailed({"lead_department_id": _("Choose the new lead department.")})
        _check_new_lead(item, new_lead, "lead_department_id")
        comment = clean_text(comment, 2000)
    else:
        comment = required_reason(comment, 2000, _("Say why the lead department stays."))
    asked_by = liaison_ids([item.lead_department_id])
    transition(
        actor,
        row,
        AckStep.APPROVE_CHANGE if approve else AckStep.REFUSE_CHANGE,
        now=now,
        values={
            "decided_by_id": getattr(actor, "id", None),
            "decided_at": now,
            "decision_comment": comment or None,
        },
        event="item.reassignment_decided",
        before={"state": row.state},
        after=lambda r: {"state": r.state, "lead_department_id": lead_department_id},
        comment=comment or None,
        item_id=item.id,
        notice=Notice(
            asked_by,
            "reassignment_decided",
            {"code": item.code, "decision": "approved" if approve else "refused"},
            link("items.detail", item_id=item.id),
        ),
    )
    if approve:
        co_ids = [d.id for d in item.co_departments if d.id != new_lead]
        assign_item(
            actor,
            item,
            expected_version=None,
            lead_department_id=new_lead,
            co_department_ids=co_ids,
            now=now,
        )
    db.session.flush()
    return row
