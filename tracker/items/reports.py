"""Writing reports and contributions: create_report, save_draft, submit_report,
attach_evidence, remove_evidence, add_contribution (the office's side is in review)."""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker import clock
from tracker.access import approver_ids, liaison_ids, link, office_ids, require
from tracker.audit import audit
from tracker.errors import InvalidTransition, PermissionDenied, ValidationFailed
from tracker.evidence import delete_after_commit, stage_uploads
from tracker.extensions import db
from tracker.items.access import item_subject, report_subject
from tracker.items.report_content import MAX_NARRATIVE, clean_sections, report_fields
from tracker.models import (
    Attachment,
    Contribution,
    Report,
    ReportingPeriod,
    ReportRevision,
    WorkItem,
)
from tracker.notices import queue_notice
from tracker.text import clean_text
from tracker.transitions import Notice, transition
from tracker.workflow import Action, ReviewState, permitted

logger = logging.getLogger(__name__)


def validate_report(narrative: str, progress, completes: bool, *, for_submit: bool) -> dict:
    """Field errors for a report; a draft may be incomplete, a submission may not."""
    errors: dict[str, str] = {}
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        errors["progress"] = _("Progress must be a whole number from 0 to 100.")
    if len(narrative) > MAX_NARRATIVE:
        errors["narrative"] = _("Use at most %(n)s characters.", n=MAX_NARRATIVE)
    if for_submit and not narrative.strip():
        errors["narrative"] = _("Describe the progress before submitting.")
    if completes and "progress" not in errors and progress != 100:
        errors["completes"] = _("A report that completes the item must report 100% progress.")
    return errors


def create_report(
    actor,
    item: WorkItem,
    period: ReportingPeriod,
    *,
    narrative: str = "",
    progress: int | None = None,
    completes: bool = False,
    sections: dict | None = None,
    now: datetime | None = None,
    is_demo: bool = False,
) -> Report:
    """Start the lead department's report for one period, as a draft. The office may start
    one for the department (代报): it is marked `on_behalf` for good."""
    now = now or clock.now()
    today = clock.today(now)
    subject = item_subject(item)
    on_behalf = actor is not None and permitted(actor, Action.REPORT_ON_BEHALF, subject)
    action = Action.REPORT_ON_BEHALF if on_behalf else Action.CREATE_REPORT
    require(actor, action, subject, obj=f"item:{item.id}")
    if on_behalf and item.lead_department_id is None:
        raise InvalidTransition(_("Assign a lead department before reporting on its behalf."))
    if period.plan_id != item.plan_id or period.start_date > today:
        raise ValidationFailed({"period": _("Choose a reporting period that has started.")})
    existing = db.session.scalar(
        select(Report.id).where(Report.item_id == item.id, Report.period_id == period.id)
    )
    if existing is not None:
        raise InvalidTransition(_("A report for this period exists already."))
    narrative = clean_text(narrative, MAX_NARRATIVE + 1)
    progress = item.progress if progress is None else progress
    errors = validate_report(narrative, progress, completes, for_submit=False)
    if errors:
        raise ValidationFailed(errors)
    report = Report(
        item_id=item.id,
        period_id=period.id,
        state=ReviewState.DRAFT.value,
        narrative=narrative,
        **clean_sections(sections or {}),
        progress=progress,
        completes=completes,
        on_behalf=on_behalf,
        author_id=getattr(actor, "id", None),
        is_demo=is_demo,
        created_at=now,
        updated_at=now,
    )
    db.session.add(report)
    db.session.flush()
    audit(
        actor,
        "report.created",
        report,
        now,
        after=report_fields(report) | {"period": period.label, "on_behalf": on_behalf},
        item_id=item.id,
    )
    db.session.flush()
    return report


def save_draft(
    actor,
    report: Report,
    *,
    expected_version: int | None,
    narrative: str,
    progress: int,
    completes: bool,
    sections: dict | None = None,
    now: datetime | None = None,
) -> Report:
    """Edit a draft or returned report (a returned one stays returned until resubmitted).
    A section left out of `sections` keeps its text."""
    now = now or clock.now()
    require(actor, Action.EDIT, report_subject(report), obj=f"report:{report.id}")
    narrative = clean_text(narrative, MAX_NARRATIVE + 1)
    errors = validate_report(narrative, progress, completes, for_submit=False)
    if errors:
        raise ValidationFailed(errors)
    cleaned = clean_sections(sections or {}, report)
    before = report_fields(report)

    def changed(report: Report) -> list[str]:
        after = report_fields(report)
        return [k for k in after if before[k] != after[k]]

    # A returned report stays returned: the table maps EDIT to the state it came from. The
    # journal keeps only the fields that changed, and nothing when none did.
    transition(
        actor,
        report,
        Action.EDIT,
        expected_version=expected_version,
        now=now,
        values={
            "narrative": narrative,
            **cleaned,
            "progress": progress,
            "completes": completes,
            # 代报 keeps its office author: the department may fix it, the mark stays.
            "author_id": report.author_id
            if report.on_behalf
            else getattr(actor, "id", report.author_id),
            "updated_at": now,
        },
        event="report.saved",
        before=lambda r: {k: before[k] for k in changed(r)},
        after=lambda r: {k: getattr(r, k) for k in changed(r)} or None,
        item_id=report.item_id,
    )
    db.session.flush()
    return report


def submit_report(
    actor, report: Report, *, expected_version: int | None, now: datetime | None = None
) -> Report:
    """Send a draft or returned report to the office, or first to the department's approver
    (部门负责人审签) when it has one; every submission is kept as a revision."""
    now = now or clock.now()
    require(actor, Action.SUBMIT, report_subject(report), obj=f"report:{report.id}")
    approvers = approver_ids([report.item.lead_department_id])
    action = Action.SUBMIT_FOR_APPROVAL if approvers else Action.SUBMIT
    errors = validate_report(report.narrative, report.progress, report.completes, for_submit=True)
    if errors:
        raise ValidationFailed(errors)
    before_state = report.state

    def keep_revision(report: Report) -> dict:
        number = (
            db.session.scalar(
                select(func.max(ReportRevision.number)).where(ReportRevision.report_id == report.id)
            )
            or 0
        ) + 1
        db.session.add(
            ReportRevision(
                report_id=report.id,
                number=number,
                narrative=report.narrative,
                problems=report.problems or "",
                next_steps=report.next_steps or "",
                support_needed=report.support_needed or "",
                progress=report.progress,
                completes=report.completes,
                submitted_at=now,
                submitted_by_id=getattr(actor, "id", None),
            )
        )
        return {"revision": number, "progress": report.progress}

    def tell_office(report: Report) -> Notice:
        item = report.item
        return Notice(
            approvers or office_ids(),
            "report_pending_approval" if approvers else "report_submitted",
            {
                "department": item.lead_department.short_name if item.lead_department else "",
                "code": item.code,
                "period": report.period.label,
            },
            link("review.report", report_id=report.id),
        )

    transition(
        actor,
        report,
        action,
        expected_version=expected_version,
        now=now,
        values={"submitted_at": now, "updated_at": now},
        effects=keep_revision,
        event="report.submitted",
        before={"state": before_state},
        after=lambda r: {"state": r.state} | ({"on_behalf": True} if r.on_behalf else {}),
        item_id=report.item_id,
        notice=tell_office,
    )
    db.session.flush()
    return report


def attach_evidence(
    actor,
    target: Report | Contribution,
    uploads,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> list[Attachment]:
    """Add evidence files to an editable report (the lead) or a contribution (its author).

    Files are staged and only kept when the transaction commits (tracker.evidence)."""
    now = now or clock.now()
    if isinstance(target, Report):
        require(actor, Action.EDIT, report_subject(target), obj=f"report:{target.id}")
        item_id, report_id, contribution_id = target.item_id, target.id, None
    else:
        item = db.session.get(WorkItem, target.item_id)
        require(actor, Action.CONTRIBUTE, item_subject(item), obj=f"item:{item.id}")
        if actor is not None and target.department_id != actor.department_id:
            raise PermissionDenied(_("You may not do this."))
        item_id, report_id, contribution_id = target.item_id, None, target.id
    staged = stage_uploads(db.session, uploads)
    if not staged:
        return []
    if isinstance(target, Report):
        # Evidence is part of the report: a stale form or a report that left draft/returned
        # meanwhile refuses the files as it would refuse the text.
        transition(actor, target, Action.EDIT, expected_version=expected_version, now=now)
    rows = [
        f.attachment(
            actor,
            item_id=item_id,
            report_id=report_id,
            contribution_id=contribution_id,
            created_at=now,
        )
        for f in staged
    ]
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        audit(
            actor,
            "evidence.added",
            row,
            now,
            after={"name": row.original_name, "size": row.size, "sha256": row.sha256},
            item_id=item_id,
        )
    db.session.flush()
    return rows


def remove_evidence(actor, attachment: Attachment, *, now: datetime | None = None) -> None:
    """Remove a file from an editable report, but only one added since its last submission:
    what the office has seen stays part of the history."""
    now = now or clock.now()
    report = db.session.get(Report, attachment.report_id) if attachment.report_id else None
    if report is None:
        raise PermissionDenied(_("You may not do this."))
    require(actor, Action.EDIT, report_subject(report), obj=f"report:{report.id}")
    last_submitted = db.session.scalar(
        select(func.max(ReportRevision.submitted_at)).where(ReportRevision.report_id == report.id)
    )
    if last_submitted is not None and attachment.created_at <= last_submitted:
        raise InvalidTransition(_("Evidence the office has already seen cannot be removed."))
    transition(actor, report, Action.EDIT, now=now)
    audit(
        actor,
        "evidence.removed",
        attachment,
        now,
        before={"name": attachment.original_name, "sha256": attachment.sha256},
        item_id=report.item_id,
    )
    delete_after_commit(db.session, attachment.stored_name)
    db.session.delete(attachment)
    db.session.flush()


def add_contribution(
    actor,
    item: WorkItem,
    *,
    body: str,
    uploads=(),
    now: datetime | None = None,
) -> Contribution:
    """A co-department's (or the lead's) comment on an item, with optional evidence."""
    now = now or clock.now()
    require(actor, Action.CONTRIBUTE, item_subject(item), obj=f"item:{item.id}")
    body = clean_text(body, MAX_NARRATIVE + 1)
    if not body:
        raise ValidationFailed({"body": _("Write a comment.")})
    if len(body) > MAX_NARRATIVE:
        raise ValidationFailed({"body": _("Use at most %(n)s characters.", n=MAX_NARRATIVE)})
    contribution = Contribution(
        item_id=item.id,
        department_id=actor.department_id,
        author_id=actor.id,
        body=body,
        created_at=now,
    )
    db.session.add(contribution)
    db.session.flush()
    attach_evidence(actor, contribution, uploads, now=now)
    audit(
        actor,
        "contribution.added",
        contribution,
        now,
        after={"department_id": actor.department_id, "length": len(body)},
        item_id=item.id,
    )
    if actor.department_id != item.lead_department_id:
        recipients = liaison_ids([item.lead_department_id])
        if recipients:
            queue_notice(
                recipients,
                "contribution_added",
                {"department": actor.department.short_name, "code": item.code},
                link("items.detail", item_id=item.id),
            )
    db.session.flush()
    return contribution
