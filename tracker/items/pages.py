"""What the liaison's home and the item page show, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from tracker.evidence import item_attachments
from tracker.extensions import db
from tracker.item_predicates import (
    due_soon_clause,
    open_clause,
    overdue_clause,
)
from tracker.items.counts import counts_by_status, focus_state_counts
from tracker.items.queries import (
    deadline_counts,
    item_rows,
    pending_extensions,
    report_rows,
    reports_to_write,
)
from tracker.items.schedule_lists import behind_schedule
from tracker.models import (
    AuditEvent,
    Contribution,
    ExtensionRequest,
    PlanNode,
    Report,
    ReportingPeriod,
    ReportRevision,
    WorkItem,
)
from tracker.periods import focus_period
from tracker.signoff.assignments import unacknowledged_summary
from tracker.workflow import ReviewState

# The liaison home shows the first rows of its long lists and links to the full list:
# rendering a busy department's hundreds of rows was most of the page's time (BENCHMARKS.md).
HOME_LIST_LIMIT = 20


def department_home_data(user, today: date) -> dict:
    """本部门: counts, returned reports first, reports to write, overdue, due soon, …"""
    dept = user.department_id
    led = WorkItem.lead_department_id == dept
    return {
        "counts": counts_by_status(user),
        # These counts and the report lists are of items the department leads, all visible
        # to it: passing no user skips the visibility IN (…) that PostgreSQL joined back
        # item by item (bench M, busiest department: verified 36 → 2 ms, returned 25 → 8).
        "focus_counts": focus_state_counts(None, today, led),
        "returned": report_rows(
            None,
            Report.state == ReviewState.RETURNED.value,
            led,
            order=(Report.reviewed_at.desc(),),
            limit=50,
        ),
        "to_write": reports_to_write(user, today),
        "deadline_counts": deadline_counts(user, today),
        "overdue": item_rows(user, today, overdue_clause(today), limit=HOME_LIST_LIMIT),
        "due_soon": item_rows(user, today, due_soon_clause(today), limit=HOME_LIST_LIMIT),
        "submitted": report_rows(
            None,
            Report.state == ReviewState.SUBMITTED.value,
            led,
            order=(Report.submitted_at,),
            limit=50,
        ),
        "verified": report_rows(
            None,
            Report.state == ReviewState.VERIFIED.value,
            led,
            order=(Report.reviewed_at.desc(),),
            limit=10,
        ),
        "co_items": item_rows(
            user,
            today,
            WorkItem.lead_department_id != dept,
            open_clause(),
            order=(WorkItem.due_date, WorkItem.id),
            limit=20,
        ),
        "extensions": pending_extensions(user),
        "behind": behind_schedule(user, today, led, limit=HOME_LIST_LIMIT),
        "unacknowledged": unacknowledged_summary(user, today),
    }


def item_page_data(item: WorkItem, today: date) -> dict:
    """Everything the item page lists, loaded with a constant number of statements."""
    source_children = []
    # A 专栏's numbered entries are part of it; other nodes' children are items of their own.
    if item.source_node is not None and item.source_node.kind == "column":
        source_children = db.session.scalars(
            select(PlanNode)
            .where(PlanNode.parent_id == item.source_node_id)
            .order_by(PlanNode.position)
        ).all()
    reports = db.session.scalars(
        select(Report)
        .join(ReportingPeriod, ReportingPeriod.id == Report.period_id)
        .where(Report.item_id == item.id)
        .options(
            joinedload(Report.period),
            joinedload(Report.author),
            joinedload(Report.reviewer),
            selectinload(Report.revisions).joinedload(ReportRevision.submitted_by),
            selectinload(Report.revisions).joinedload(ReportRevision.reviewer),
        )
        .order_by(ReportingPeriod.start_date.desc())
    ).all()
    attachments = item_attachments(item.id)
    by_report, by_contribution = defaultdict(list), defaultdict(list)
    for attachment in attachments:
        if attachment.report_id:
            by_report[attachment.report_id].append(attachment)
        elif attachment.contribution_id:
            by_contribution[attachment.contribution_id].append(attachment)
    contributions = db.session.scalars(
        select(Contribution)
        .where(Contribution.item_id == item.id)
        .options(joinedload(Contribution.department), joinedload(Contribution.author))
        .order_by(Contribution.created_at.desc())
    ).all()
    extensions = db.session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.item_id == item.id)
        .options(joinedload(ExtensionRequest.requested_by), joinedload(ExtensionRequest.decided_by))
        .order_by(ExtensionRequest.created_at.desc())
    ).all()
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.item_id == item.id)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(200)
    ).all()
    focus = focus_period(item.plan_id, today)
    focus_report = next((r for r in reports if focus and r.period_id == focus.id), None)
    verified = [r for r in reports if r.state == ReviewState.VERIFIED.value]
    return {
        "source_children": source_children,
        "reports": reports,
        "attachments_by_report": by_report,
        "attachments_by_contribution": by_contribution,
        "attachments": attachments,
        "contributions": contributions,
        "extensions": extensions,
        "events": events,
        "focus": focus,
        "focus_report": focus_report,
        "latest_verified": verified[0] if verified else None,
    }
