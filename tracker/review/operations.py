"""Reviewing reports: verify_report, return_report, bulk_verify.

Both decisions go through the review kernel (tracker.transitions): one conditional UPDATE
(`… WHERE id = :id AND state IN (from-states of the table) AND version = :v`) taken before
anything else is written, so of two reviewers acting on one submission exactly one wins and
only the winner writes an audit event and a notice.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists, select, update
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.access import liaison_ids, link, require
from tracker.audit import audit
from tracker.coordination.operations import open_for_report
from tracker.errors import DomainError, ValidationFailed
from tracker.extensions import db
from tracker.items.access import report_subject
from tracker.models import Report, ReportingPeriod, ReportRevision, WorkItem
from tracker.text import clean_text, required_reason
from tracker.transitions import Notice, transition
from tracker.workflow import Action, ItemStatus, QualityGrade, ReviewState

logger = logging.getLogger(__name__)


def _decision_values(actor, comment: str, now: datetime) -> dict:
    return {
        "reviewer_id": getattr(actor, "id", None),
        "reviewed_at": now,
        "review_comment": comment or None,
        "updated_at": now,
    }


def _record_outcome(actor, report: Report, comment: str, now: datetime):
    """The decision also goes on the submission's revision (the report's history)."""
    revision = db.session.scalar(
        select(ReportRevision)
        .where(ReportRevision.report_id == report.id)
        .order_by(ReportRevision.number.desc())
        .limit(1)
    )
    if revision is not None:
        revision.outcome = report.state
        revision.review_comment = comment or None
        revision.reviewer_id = getattr(actor, "id", None)
        revision.reviewed_at = now
    return revision


def _recipients(report: Report) -> set[int]:
    ids = set(liaison_ids([report.item.lead_department_id]))
    if report.author_id:
        ids.add(report.author_id)
    return ids


def verify_report(
    actor,
    report: Report,
    *,
    expected_version: int | None,
    comment: str = "",
    grade: str | None = None,
    now: datetime | None = None,
) -> Report:
    """Accept a submission: it becomes immutable and updates the item's verified progress;
    one that claims completion closes the item (销号). `grade` is the optional quality grade
    (优/良/中/差, workflow.QualityGrade) the assessment rules score."""
    now = now or clock.now()
    require(actor, Action.VERIFY, report_subject(report), obj=f"report:{report.id}")
    comment = clean_text(comment, 4000)
    grade = checked_grade(grade)
    item = report.item
    item_before = {"status": item.status, "progress": item.progress}

    def settle(report: Report) -> dict:
        revision = _record_outcome(actor, report, comment, now)
        values: dict = {"updated_at": now}
        if not _later_verified_exists(report):
            values["progress"] = report.progress
            if item.status == ItemStatus.NOT_STARTED.value and report.progress > 0:
                values["status"] = ItemStatus.IN_PROGRESS.value
        if report.completes:
            values.update(
                status=ItemStatus.COMPLETED.value, completed_at=now, progress=report.progress
            )
        # The item's version moves too: an office edit form loaded before this is now stale.
        db.session.execute(
            update(WorkItem)
            .where(WorkItem.id == item.id)
            .values(version=WorkItem.version + 1, **values)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(item, attribute_names=["version", *values])
        # 需协调事项 goes to the office as a coordination request once the report is final.
        opened = open_for_report(actor, report, now)
        return {
            "progress": report.progress,
            "completes": report.completes,
            "revision": revision.number if revision else None,
        } | ({"coordination_id": opened.id} if opened is not None else {})

    transition(
        actor,
        report,
        Action.VERIFY,
        expected_version=expected_version,
        now=now,
        values={**_decision_values(actor, comment, now), "quality_grade": grade},
        effects=settle,
        event="report.verified",
        before={"state": report.state},
        after=lambda report: {"state": report.state, "quality_grade": report.quality_grade},
        comment=comment or None,
        item_id=item.id,
        notice=lambda report: Notice(
            _recipients(report),
            "report_verified",
            {"code": item.code, "period": report.period.label},
            link("review.report", report_id=report.id),
        ),
    )
    if item_before != {"status": item.status, "progress": item.progress}:
        audit(
            actor,
            "item.completed" if report.completes else "item.progress",
            item,
            now,
            before=item_before,
            after={"status": item.status, "progress": item.progress},
            item_id=item.id,
        )
    db.session.flush()
    return report


def checked_grade(grade: str | None) -> str | None:
    """An empty grade is none; anything but a QualityGrade is a 422 on the grade field."""
    if not grade:
        return None
    if grade not in {g.value for g in QualityGrade}:
        raise ValidationFailed({"grade": _("Choose a grade from the list.")})
    return grade


def _later_verified_exists(report: Report) -> bool:
    """A report of a later period was verified already: it holds the latest progress."""
    this_start = (
        select(ReportingPeriod.start_date)
        .where(ReportingPeriod.id == report.period_id)
        .scalar_subquery()
    )
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Report.item_id == report.item_id,
                    Report.id != report.id,
                    Report.state == ReviewState.VERIFIED.value,
                    Report.period_id == ReportingPeriod.id,
                    ReportingPeriod.start_date > this_start,
                )
            )
        )
    )


def return_report(
    actor,
    report: Report,
    *,
    expected_version: int | None,
    reason: str,
    now: datetime | None = None,
) -> Report:
    """Send a submission back to the liaison; the reason is required and shown to them."""
    now = now or clock.now()
    require(actor, Action.RETURN, report_subject(report), obj=f"report:{report.id}")
    reason = required_reason(reason, 4000, _("Give the reason for returning the report."))
    transition(
        actor,
        report,
        Action.RETURN,
        expected_version=expected_version,
        now=now,
        values=_decision_values(actor, reason, now),
        effects=lambda report: {
            "revision": getattr(_record_outcome(actor, report, reason, now), "number", None)
        },
        event="report.returned",
        before={"state": report.state},
        after=lambda report: {"state": report.state},
        comment=reason,
        item_id=report.item_id,
        notice=lambda report: Notice(
            _recipients(report),
            "report_returned",
            {"code": report.item.code, "period": report.period.label, "reason": reason[:200]},
            link("items.edit_report", report_id=report.id),
        ),
    )
    db.session.flush()
    return report


def bulk_verify(
    actor,
    entries: list[tuple[int, int]],
    *,
    grade: str | None = None,
    now: datetime | None = None,
) -> tuple[list[Report], list[tuple[int, str]]]:
    """Verify many submissions from the queue: `entries` are (report id, version seen).

    Each one either is verified or is skipped with the reason (changed meanwhile, not
    visible, wrong state); a skipped one writes nothing, and the caller commits or rolls
    back the whole batch.

    No savepoints: verify_report refuses only before its first write (the permission check,
    then the conditional UPDATE whose row count says who won), so a refused row has nothing
    to undo. A savepoint bought nothing and broke SQLite: pysqlite does not BEGIN before a
    SAVEPOINT, so one that opened the transaction committed it when released, and a batch
    the caller rolled back kept its first report verified there (not on PostgreSQL)."""
    now = now or clock.now()
    grade = checked_grade(grade)  # one grade for the batch: a bad one refuses all of it
    versions = dict(entries)
    reports = db.session.scalars(
        select(Report)
        .where(Report.id.in_(versions))
        .options(
            selectinload(Report.item).selectinload(WorkItem.co_departments),
            selectinload(Report.period),
        )
        .order_by(Report.id)
    ).all()
    found = {r.id: r for r in reports}
    verified, skipped = [], []
    for report_id in sorted(versions):
        report = found.get(report_id)
        if report is None:
            skipped.append((report_id, _("Not found")))
            continue
        try:
            verify_report(actor, report, expected_version=versions[report_id], grade=grade, now=now)
        except DomainError as error:
            skipped.append((report_id, error.message or error.code))
            continue
        verified.append(report)
    return verified, skipped
