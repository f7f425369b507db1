"""Model rows to the JSON shapes of schemas.py (one function per component)."""

from __future__ import annotations

import logging
from datetime import date, datetime

logger = logging.getLogger(__name__)


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def iso_instant(value: datetime | None) -> str | None:
    """Stored instants are naive UTC; say so explicitly."""
    return value.isoformat(timespec="seconds") + "Z" if value is not None else None


def department(row) -> dict | None:
    if row is None:
        return None
    return {
        "id": row.id,
        "name": row.name,
        "short_name": row.short_name,
        "kind": row.kind,
        "is_office": bool(row.is_office),
        "active": bool(row.active),
    }


def me(user, auth: str) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "name": user.name or "",
        "email": user.email,
        "role": user.role,
        "department": department(user.department),
        "locale": user.locale,
        "auth": auth,
    }


def plan(row) -> dict:
    return {
        "id": row.id,
        "title": row.title,
        "doc_number": row.doc_number,
        "start_year": row.start_year,
        "end_year": row.end_year,
        "status": row.status,
        "frequency": row.frequency,
    }


def plan_detail(row, nodes) -> dict:
    """The plan with its heading tree, built from one flat list of its nodes."""
    by_id = {
        node.id: {
            "id": node.id,
            "kind": node.kind,
            "number": node.number,
            "code": node.code,
            "title": node.title or "",
            "text": node.text or "",
            "children": [],
        }
        | ({"responsibility": node.responsibility} if node.responsibility else {})
        | ({"deadline": node.deadline} if node.deadline else {})
        for node in nodes
    }
    roots = []
    for node in nodes:  # already in document order
        parent = by_id.get(node.parent_id) if node.parent_id is not None else None
        (parent["children"] if parent is not None else roots).append(by_id[node.id])
    return plan(row) | {"nodes": roots}


def item(row, *, state: str | None, report_id: int | None, today: date, schedule) -> dict:
    """`schedule`: the item's tracker.schedule.ScheduleStatus (from a set query)."""
    return {
        "id": row.id,
        "plan_id": row.plan_id,
        "code": row.code,
        "title": row.title,
        "description": row.description or "",
        "deliverable": row.deliverable or "",
        "section_id": row.section_node_id,
        "lead_department": department(row.lead_department),
        "co_departments": [department(d) for d in row.co_departments],
        "start_date": iso_date(row.start_date),
        "due_date": iso_date(row.due_date),
        "priority": row.priority,
        "indicator_id": row.indicator_id,
        "status": row.status,
        "retired": row.retired_at is not None,
        "state": state,
        "report_id": report_id,
        "progress": row.progress,
        "overdue": row.is_overdue(today),
        "schedule": schedule.as_dict(),
        "version": row.version,
    }


def _milestones(plan) -> list[dict]:
    return [
        {
            "id": m.id,
            "position": m.position,
            "title": m.title,
            "planned_date": iso_date(m.planned_date),
            "weight": m.weight,
            "state": m.state,
            "reached_on": iso_date(m.reached_on),
            "review_comment": m.review_comment,
            "version": m.version,
        }
        for m in (plan.milestones if plan is not None else [])
    ]


def milestone_revision(plan) -> dict:
    """One revision of a plan: the one under way, or one that was in force."""
    return {
        "revision": plan.revision,
        "state": plan.state,
        "version": plan.version,
        "review_comment": plan.review_comment,
        "in_force_from": iso_instant(plan.reviewed_at) if plan.state == "verified" else None,
        "in_force_until": iso_instant(plan.superseded_at),
        "milestones": _milestones(plan),
    }


def milestone_plan(item_id: int, plan, pending=None, history=()) -> dict:
    """An item's 形象进度计划: the plan in force (else the first one being written; state and
    version null while none was proposed), the revision under way and the superseded ones."""
    return {
        "item_id": item_id,
        "state": plan.state if plan is not None else None,
        "version": plan.version if plan is not None else None,
        "review_comment": plan.review_comment if plan is not None else None,
        "revision": plan.revision if plan is not None else None,
        "milestones": _milestones(plan),
        "pending_revision": milestone_revision(pending) if pending is not None else None,
        "history": [milestone_revision(old) for old in history],
    }


def report(row) -> dict:
    period = row.period
    return {
        "id": row.id,
        "item_id": row.item_id,
        "period": period.label,
        "period_start": iso_date(period.start_date),
        "period_end": iso_date(period.end_date),
        "deadline": iso_date(period.deadline),
        "state": row.state,
        "narrative": row.narrative or "",
        "problems": row.problems or "",
        "next_steps": row.next_steps or "",
        "support_needed": row.support_needed or "",
        "progress": row.progress,
        "completes": bool(row.completes),
        "on_behalf": bool(row.on_behalf),
        "entered_by": row.author.display_name if row.on_behalf and row.author else None,
        "review_comment": row.review_comment,
        "quality_grade": row.quality_grade,
        "submitted_at": iso_instant(row.submitted_at),
        "reviewed_at": iso_instant(row.reviewed_at),
        "approved_at": iso_instant(row.approved_at),
        "version": row.version,
    }


def indicator(row) -> dict:
    return {
        "id": row.id,
        "plan_id": row.plan_id,
        "number": row.number,
        "category": row.category or "",
        "name": row.name,
        "unit": row.unit,
        "kind": row.kind,
        "attribute": row.attribute,
        "baseline": row.baseline,
        "baseline_text": row.baseline_text,
        "target": row.target,
        "target_text": row.target_text,
        "cumulative": bool(row.cumulative),
        "department": department(row.department),
        "version": row.version,
    }


def indicator_value(row, *, status: str, warning: bool) -> dict:
    return {
        "id": row.id,
        "indicator_id": row.indicator_id,
        "year": row.year,
        "value": row.value_text,
        "value_number": row.value_number,
        "note": row.note or "",
        "state": row.state,
        "status": status,
        "warning": bool(warning),
        "review_comment": row.review_comment,
        "submitted_at": iso_instant(row.submitted_at),
        "reviewed_at": iso_instant(row.reviewed_at),
        "version": row.version,
    }
