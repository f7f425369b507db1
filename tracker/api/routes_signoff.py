"""The department head's sign-off over the API: approve a report waiting for it.

Returning such a report is the existing `POST /reports/{id}/return` (the approver may take
it on `pending_approval`); both go through tracker.signoff / tracker.review operations.
"""

from __future__ import annotations

import logging

from flask import jsonify
from flask_login import current_user

from tracker import clock
from tracker.api.routes_reports import report_json
from tracker.api.spec import operation
from tracker.items.access import load_report
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
