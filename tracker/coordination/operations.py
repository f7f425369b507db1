"""Opening and resolving coordination requests (协调事项): open_for_report, resolve_coordination.

A verified report whose 需协调事项 (`support_needed`) is not blank opens one request for its
lead department; the office resolves it once, with a note, through the review kernel
(tracker.transitions, `COORDINATION_TRANSITIONS` in tracker.workflow). Other features (a
leader's instruction on a request, say) attach to `CoordinationRequest.id` and ask
`can(actor, action, request.subject())`.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from tracker import clock
from tracker.access import liaison_ids, link, office_ids, require
from tracker.audit import audit
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.models import CoordinationRequest, Report
from tracker.notices import queue_notice
from tracker.text import clean_text
from tracker.transitions import Notice, transition
from tracker.workflow import Action, CoordinationState

logger = logging.getLogger(__name__)

MAX_RESOLUTION = 4000


def open_for_report(actor, report: Report, now: datetime | None = None):
    """Open the coordination request of a report just verified, if it asks for support.

    Called by `review.operations.verify_report` after its transition has won (so once per
    report); returns the request, or None when `support_needed` is blank."""
    now = now or clock.now()
    text = clean_text(report.support_needed)
    if not text:
        return None
    existing = db.session.scalar(
        select(CoordinationRequest).where(CoordinationRequest.report_id == report.id)
    )
    if existing is not None:  # verifying is final; this only guards a replayed call
        return existing
    item = report.item
    request = CoordinationRequest(
        item_id=item.id,
        report_id=report.id,
        department_id=item.lead_department_id,
        text=text,
        state=CoordinationState.OPEN.value,
        created_at=now,
    )
    db.session.add(request)
    db.session.flush()
    audit(
        actor,
        "coordination.opened",
        request,
        now,
        after={"state": request.state, "report_id": report.id, "text": text[:500]},
        item_id=item.id,
    )
    queue_notice(
        office_ids(),
        "coordination_opened",
        {
            "department": item.lead_department.short_name if item.lead_department else "",
            "code": item.code,
        },
        link("coordination.index"),
    )
    return request


def resolve_coordination(
    actor, request: CoordinationRequest, *, resolution: str, now: datetime | None = None
) -> CoordinationRequest:
    """open → resolved with the office's note (required); a second resolution is a 409."""
    now = now or clock.now()
    require(actor, Action.RESOLVE_COORDINATION, request.subject(), obj=f"coordination:{request.id}")
    note = clean_text(resolution, MAX_RESOLUTION)
    if not note:
        raise ValidationFailed({"resolution": _("Say how the request was resolved.")})
    item = request.item
    transition(
        actor,
        request,
        Action.RESOLVE_COORDINATION,
        now=now,
        values={
            "resolution": note,
            "resolved_by_id": getattr(actor, "id", None),
            "resolved_at": now,
        },
        event="coordination.resolved",
        before={"state": CoordinationState.OPEN.value},
        after=lambda r: {"state": r.state},
        comment=note,
        item_id=request.item_id,
        notice=Notice(
            liaison_ids([request.department_id]),
            "coordination_resolved",
            {"code": item.code, "resolution": note[:200]},
            link("items.detail", item_id=request.item_id),
        ),
    )
    db.session.flush()
    return request
