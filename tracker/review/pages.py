"""What the office home and the review page show, in a fixed number of queries."""

from __future__ import annotations

import difflib
from datetime import date

from markupsafe import Markup, escape
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import joinedload

from tracker.evidence import item_attachments
from tracker.extensions import db
from tracker.item_predicates import (
    due_soon_clause,
    open_clause,
)
from tracker.items.counts import counts_by_status, focus_state_counts
from tracker.items.queries import (
    item_rows,
    overdue_by_department,
    pending_extensions,
    previous_verified_report,
    report_revisions,
    report_rows,
)
from tracker.items.schedule_lists import behind_schedule
from tracker.models import Milestone, MilestonePlan, Report, WorkItem
from tracker.review.queue import queue_total, review_queue_query, waiting_item_ids
from tracker.signoff.assignments import unacknowledged_summary
from tracker.signoff.instructions import overdue_instructions_count_query
from tracker.workflow import ReviewState


def office_home_data(user, today: date) -> dict:
    queue = review_queue_query(Report, user)
    # Items without an owner and 领导批示 past their answer day: two counts, one statement.
    unowned_total, instructions_overdue = db.session.execute(
        select(
            select(func.count(WorkItem.id))
            .where(WorkItem.lead_department_id.is_(None), open_clause())
            .scalar_subquery(),
            overdue_instructions_count_query(user, today).scalar_subquery(),
        )
    ).one()
    return {
        "counts": counts_by_status(user),
        "focus_counts": focus_state_counts(user, today),
        "queue_total": queue_total(queue),
        "queue": db.session.scalars(queue.limit(10)).unique().all(),
        "overdue_by_department": overdue_by_department(today, user),
        "due_soon": item_rows(user, today, due_soon_clause(today), limit=20),
        "unowned": item_rows(
            user,
            today,
            WorkItem.lead_department_id.is_(None),
            open_clause(),
            order=(WorkItem.plan_id, WorkItem.id),
            limit=20,
        ),
        "unowned_total": unowned_total or 0,
        "returned": report_rows(
            user,
            Report.state == ReviewState.RETURNED.value,
            order=(Report.reviewed_at.desc(),),
            limit=10,
        ),
        "verified": report_rows(
            user,
            Report.state == ReviewState.VERIFIED.value,
            order=(Report.reviewed_at.desc(),),
            limit=10,
        ),
        "extensions": pending_extensions(user),
        "behind": behind_schedule(user, today, limit=20),
        "milestones_waiting": milestones_waiting(user),
        "unacknowledged": unacknowledged_summary(user, today),
        "instructions_overdue": instructions_overdue or 0,
    }


def milestones_waiting(user, limit: int = 10) -> list[WorkItem]:
    """Items whose milestone plan or a reached claim waits for the office: one statement."""
    ids = union_all(waiting_item_ids(MilestonePlan, user), waiting_item_ids(Milestone, user))
    return (
        db.session.scalars(
            select(WorkItem)
            .where(WorkItem.id.in_(ids))
            .options(joinedload(WorkItem.lead_department))
            .order_by(WorkItem.plan_id, WorkItem.id)
            .limit(limit)
        )
        .unique()
        .all()
    )


def review_page_data(report: Report) -> dict:
    """The submission, the previous verified report of the item, and what changed."""
    revisions = report_revisions(report.id)
    previous = previous_verified_report(
        report.item_id, report.id, not_after=report.period.start_date
    )
    attachments = item_attachments(report.item_id)
    # What changed since the office last saw this report (a returned revision), else since
    # the previous verified report.
    returned_before = next((r for r in revisions if r.outcome == "returned"), None)
    baseline = returned_before or previous
    return {
        "revisions": revisions,
        "previous": previous,
        "report_attachments": [a for a in attachments if a.report_id == report.id],
        "contribution_attachments": [a for a in attachments if a.contribution_id],
        "baseline": baseline,
        "baseline_is_revision": returned_before is not None,
        "narrative_diff": narrative_diff(baseline.narrative if baseline else "", report.narrative),
        "progress_delta": report.progress - (baseline.progress if baseline else 0),
    }


def narrative_diff(before: str, after: str) -> Markup:
    """Sentence-level diff as escaped HTML: <del> for removed, <ins> for added."""
    split = _sentences
    old, new = split(before or ""), split(after or "")
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(Markup("<del>{}</del>").format("".join(old[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(Markup("<ins>{}</ins>").format("".join(new[j1:j2])))
    return Markup("").join(parts)


def _sentences(text: str) -> list[str]:
    pieces, current = [], ""
    for ch in text:
        current += ch
        if ch in "。；！？\n.;!?":
            pieces.append(current)
            current = ""
    if current:
        pieces.append(current)
    return pieces
