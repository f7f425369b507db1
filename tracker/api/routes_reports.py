"""Reports: an item's reports, the period's draft, editing, submitting and the review.

Every change is one call to tracker.items.reports / tracker.review.operations, which check
permission and state, guard the version and write the audit trail.
"""

from __future__ import annotations

import logging

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.access import require
from tracker.api import (
    schemas_reports,  # noqa: F401  (registers the schemas)
    serializers,
)
from tracker.api.spec import created, operation
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.items.access import item_subject, load_item, load_report
from tracker.items.queries import previous_verified_report
from tracker.items.report_content import SECTIONS, same_as_last
from tracker.items.report_window import check_report_window
from tracker.items.reports import create_report, save_draft, submit_report
from tracker.models import Report, ReportingPeriod
from tracker.periods import ensure_periods, focus_period
from tracker.review.operations import return_report, verify_report
from tracker.web import one_transaction
from tracker.workflow import Action, permitted

logger = logging.getLogger(__name__)


def report_json(report_id: int) -> dict:
    return serializers.report(
        load_report(current_user, report_id, joinedload(Report.period), joinedload(Report.author))
    )


@operation(
    "/items/<int:item_id>/reports",
    "GET",
    summary="An item's reports",
    tag="reports",
    response="ReportList",
)
def item_reports(item_id: int):
    """Every report of a visible item, oldest period first."""
    item = load_item(current_user, item_id)
    rows = db.session.scalars(
        select(Report)
        .join(ReportingPeriod, ReportingPeriod.id == Report.period_id)
        .where(Report.item_id == item.id)
        .options(joinedload(Report.period), joinedload(Report.author))
        .order_by(ReportingPeriod.start_date, Report.id)
    ).all()
    return jsonify({"items": [serializers.report(r) for r in rows]})


@operation(
    "/items/<int:item_id>/reports",
    "POST",
    summary="Start a period's report (draft)",
    tag="reports",
    response="Report",
    status=201,
    body="ReportCreate",
    errors=(403, 409),
)
def create_item_report(item_id: int, body):
    """The lead department's liaison starts the draft for the period in focus today (or
    for `period`, a label such as 2026Q3, when reporting late). 409 if it exists. The office
    may start one on the department's behalf (代报, `on_behalf: true`)."""
    item = load_item(current_user, item_id)
    subject = item_subject(item)
    action = (
        Action.REPORT_ON_BEHALF
        if permitted(current_user, Action.REPORT_ON_BEHALF, subject)
        else Action.CREATE_REPORT
    )
    require(current_user, action, subject, obj=f"item:{item.id}")
    now = clock.now()
    today = clock.today()
    with one_transaction():
        ensure_periods(item.plan, today)
        if "period" in body:
            period = db.session.scalar(
                select(ReportingPeriod).where(
                    ReportingPeriod.plan_id == item.plan_id,
                    ReportingPeriod.label == body["period"],
                )
            )
        else:
            period = focus_period(item.plan_id, today)
        if period is None:
            raise ValidationFailed({"period": _("Choose a reporting period that has started.")})
        if period.start_date <= today:
            check_report_window(period, today)  # the periods the report page offers
        content = {
            "narrative": body.get("narrative", ""),
            "progress": body.get("progress"),
            "completes": body.get("completes", False),
            "sections": {name: body[name] for name in SECTIONS if name in body},
        }
        if body.get("same_as_last"):
            previous = previous_verified_report(item.id, None, not_after=period.start_date)
            if previous is None:
                raise ValidationFailed(
                    {"same_as_last": _("There is no verified report to start from.")}
                )
            copied = same_as_last(previous)
            content = {
                "narrative": copied.pop("narrative"),
                "progress": copied.pop("progress"),
                "completes": False,
                "sections": copied,
            }
        report = create_report(current_user, item, period, now=now, **content)
    return created(report_json(report.id), "api.report", report_id=report.id)


@operation(
    "/reports/<int:report_id>", "GET", summary="One report", tag="reports", response="Report"
)
def report(report_id: int):
    """One report of an item the caller may see."""
    return jsonify(report_json(report_id))


@operation(
    "/reports/<int:report_id>",
    "PATCH",
    summary="Edit a draft or returned report",
    tag="reports",
    response="Report",
    body="ReportUpdate",
    errors=(403, 409),
)
def edit_report(report_id: int, body):
    """Change narrative, sections, progress or the completion claim; fields left out stay as
    they are. The office may edit a report it entered (代报)."""
    target = load_report(current_user, report_id)
    with one_transaction():
        save_draft(
            current_user,
            target,
            expected_version=body["version"],
            narrative=body.get("narrative", target.narrative),
            progress=body.get("progress", target.progress),
            completes=body.get("completes", target.completes),
            sections={name: body[name] for name in SECTIONS if name in body},
            now=clock.now(),
        )
    return jsonify(report_json(report_id))


@operation(
    "/reports/<int:report_id>/submit",
    "POST",
    summary="Submit a report to the office",
    tag="reports",
    response="Report",
    body="VersionBody",
    errors=(403, 409),
)
def report_submit(report_id: int, body):
    """draft or returned → submitted (the lead department's liaison)."""
    target = load_report(current_user, report_id)
    with one_transaction():
        submit_report(current_user, target, expected_version=body["version"], now=clock.now())
    return jsonify(report_json(report_id))


@operation(
    "/reports/<int:report_id>/verify",
    "POST",
    summary="Verify a submitted report (office)",
    tag="reports",
    response="Report",
    body="ReportVerifyBody",
    errors=(403, 409),
)
def report_verify(report_id: int, body):
    """submitted → verified; updates the item's progress, closes it when it completes."""
    target = load_report(current_user, report_id)
    with one_transaction():
        verify_report(
            current_user,
            target,
            expected_version=body["version"],
            comment=body.get("comment", ""),
            grade=body.get("grade"),
            now=clock.now(),
        )
    return jsonify(report_json(report_id))


@operation(
    "/reports/<int:report_id>/return",
    "POST",
    summary="Return a submitted report with a reason (office)",
    tag="reports",
    response="Report",
    body="ReturnBody",
    errors=(403, 409),
)
def report_return(report_id: int, body):
    """submitted → returned; the reason is required and shown to the liaison."""
    target = load_report(current_user, report_id)
    with one_transaction():
        return_report(
            current_user,
            target,
            expected_version=body["version"],
            reason=body["reason"],
            now=clock.now(),
        )
    return jsonify(report_json(report_id))
