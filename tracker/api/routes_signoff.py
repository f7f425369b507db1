"""The department head's sign-off over the API: approve a report waiting for it; 签收 of an
item's assignment, asking for another lead department and the office's decision on that.

Returning such a report is the existing `POST /reports/{id}/return` (the approver may take
it on `pending_approval`); both go through tracker.signoff / tracker.review operations.
"""

from __future__ import annotations

import logging

from flask import jsonify
from flask_login import current_user

from tracker import clock
from tracker.api import schemas_signoff  # noqa: F401  (registers the schemas)
from tracker.api.routes_reports import report_json
from tracker.api.serializers import iso_instant
from tracker.api.spec import created, operation
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.items.access import load_item, load_report
from tracker.models import ItemAssignment
from tracker.signoff.acknowledge import (
    acknowledge_item,
    decide_reassignment,
    request_reassignment,
)
from tracker.signoff.operations import approve_report
from tracker.web import one_transaction

logger = logging.getLogger(__name__)


@operation(
    "/reports/<int:report_id>/approve",
    "POST",
    summary="Sign off a report waiting for the department head (approver)",
    tag="reports",
    response="Report",
    body="VerifyBody",
    errors=(403, 409),
)
def report_approve(report_id: int, body):
    """pending_approval → submitted (the lead department's approver); it joins the office's
    review queue. An approver of another department gets 404 (403 on a co-department)."""
    target = load_report(current_user, report_id)
    with one_transaction():
        approve_report(
            current_user,
            target,
            expected_version=body["version"],
            comment=body.get("comment", ""),
            now=clock.now(),
        )
    return jsonify(report_json(report_id))


def assignment_json(row) -> dict:
    return {
        "id": row.id,
        "item_id": row.item_id,
        "department_id": row.department_id,
        "state": row.state,
        "ack_due": row.ack_due.isoformat(),
        "acknowledged_at": iso_instant(row.acknowledged_at),
        "request_reason": row.request_reason,
        "suggested_department_id": row.suggested_department_id,
    }


@operation(
    "/items/<int:item_id>/acknowledge",
    "POST",
    summary="Acknowledge (签收) the item's assignment to your department",
    tag="items",
    response="Assignment",
    errors=(403, 409),
)
def item_acknowledge(item_id: int):
    """pending → acknowledged (the lead department's liaison); 409 once acknowledged."""
    item = load_item(current_user, item_id)
    with one_transaction():
        row = acknowledge_item(current_user, item, now=clock.now())
        body = assignment_json(row)
    return jsonify(body)


@operation(
    "/items/<int:item_id>/reassignment-requests",
    "POST",
    summary="Ask the office to change the lead department (申请调整牵头单位)",
    tag="items",
    response="Assignment",
    status=201,
    body="ReassignmentRequest",
    errors=(403, 409, 422),
)
def item_reassignment_request(item_id: int, body):
    """Instead of 签收: the reason, and optionally the department that should lead instead
    (422 when it is the current lead); the office decides."""
    item = load_item(current_user, item_id)
    with one_transaction():
        row = request_reassignment(
            current_user,
            item,
            reason=body["reason"],
            suggested_department_id=body.get("department_id"),
            now=clock.now(),
        )
        payload = assignment_json(row)
    return created(payload, "api.item", item_id=item.id)


@operation(
    "/items/<int:item_id>/reassignment-requests/<int:assignment_id>/decide",
    "POST",
    summary="Decide a request for another lead department (office)",
    tag="items",
    response="Assignment",
    body="ReassignmentDecision",
    errors=(403, 409, 422),
)
def item_reassignment_decide(item_id: int, assignment_id: int, body):
    """approve: the item gets `lead_department_id` (default: the department the request
    suggested), who must 签收 in turn; refuse: `comment` says why (422 without one) and the
    department still has to 签收. A request already decided, or not the one waiting: 409."""
    item = load_item(current_user, item_id)
    row = db.session.get(ItemAssignment, assignment_id)
    if row is None or row.item_id != item.id:
        raise NotFound()
    with one_transaction():
        decided = decide_reassignment(
            current_user,
            item,
            approve=body["decision"] == "approve",
            lead_department_id=body.get("lead_department_id"),
            comment=body.get("comment", ""),
            assignment_id=row.id,
            now=clock.now(),
        )
        payload = assignment_json(decided)
    return jsonify(payload)
