"""Signing a report off: approve_report (pending_approval → submitted, to the office).

Returning a report waiting for sign-off is `review.operations.return_report`: the table in
tracker.workflow lets the department's approver take RETURN on `pending_approval`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from tracker import clock
from tracker.access import link, office_ids, require
from tracker.extensions import db
from tracker.items.access import report_subject
from tracker.models import Report
from tracker.text import clean_text
from tracker.transitions import Notice, transition
from tracker.workflow import Action

logger = logging.getLogger(__name__)


def approve_report(
    actor,
    report: Report,
    *,
    expected_version: int | None,
    comment: str = "",
    now: datetime | None = None,
) -> Report:
    """The approver passes the report on to the office; it joins the review queue now."""
    now = now or clock.now()
    require(actor, Action.APPROVE, report_subject(report), obj=f"report:{report.id}")
    comment = clean_text(comment, 4000)
    item = report.item
    transition(
        actor,
        report,
        Action.APPROVE,
        expected_version=expected_version,
        now=now,
        # The office's queue counts waiting time from when the report reached it.
        values={
            "approved_by_id": getattr(actor, "id", None),
            "approved_at": now,
            "submitted_at": now,
            "updated_at": now,
        },
        event="report.approved",
        before={"state": report.state},
        after=lambda report: {"state": report.state},
        comment=comment or None,
        item_id=item.id,
        notice=lambda report: Notice(
            office_ids(),
            "report_submitted",
            {
                "department": item.lead_department.short_name if item.lead_department else "",
                "code": item.code,
                "period": report.period.label,
            },
            link("review.report", report_id=report.id),
        ),
    )
    db.session.flush()
    return report
