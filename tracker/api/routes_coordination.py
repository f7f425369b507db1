"""Coordination requests (协调事项): the office's and leaders' list, and resolving one.

Resolving is one call to tracker.coordination.operations.resolve_coordination, which checks
permission, moves the request through the review kernel and writes the audit trail.
"""

from __future__ import annotations

import logging

from flask import jsonify
from flask_login import current_user

from tracker import clock
from tracker.access import require_role
from tracker.api import schemas_coordination  # noqa: F401  (registers the schemas)
from tracker.api.routes_items import PAGE, PER_PAGE
from tracker.api.schemas import ID
from tracker.api.serializers import iso_instant
from tracker.api.spec import Param, operation
from tracker.coordination.operations import resolve_coordination
from tracker.coordination.queries import STATES, coordination_page
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.models import CoordinationRequest
from tracker.web import one_transaction
from tracker.workflow import Action, can

logger = logging.getLogger(__name__)

COORDINATION_QUERY = (
    Param("state", {"type": "string", "enum": list(STATES)}, "open or resolved; default: all."),
    Param("department", ID, "Only this department's requests."),
    PAGE,
    PER_PAGE,
)


def coordination_json(row: CoordinationRequest) -> dict:
    return {
        "id": row.id,
        "item_id": row.item_id,
        "item_code": row.item.code,
        "report_id": row.report_id,
        "department_id": row.department_id,
        "text": row.text,
        "state": row.state,
        "resolution": row.resolution,
        "resolved_by": row.resolved_by.display_name if row.resolved_by else None,
        "resolved_at": iso_instant(row.resolved_at),
        "created_at": iso_instant(row.created_at),
    }


@operation(
    "/coordination",
    "GET",
    summary="Coordination requests (office and leaders)",
    tag="coordination",
    response="CoordinationPage",
    query=COORDINATION_QUERY,
    errors=(403,),
)
def coordination(args):
    """Requests opened by verified reports' 需协调事项, open ones first; liaisons get 403."""
    require_role(current_user, Action.VIEW_COORDINATION)
    page = coordination_page(
        state=args.get("state"),
        department_id=args.get("department"),
        page=args.get("page", 1),
        size=args.get("per_page", 50),
    )
    return jsonify(
        {
            "items": [coordination_json(row) for row in page.items],
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
        }
    )


@operation(
    "/coordination/<int:request_id>/resolve",
    "POST",
    summary="Resolve a coordination request with a note (office)",
    tag="coordination",
    response="Coordination",
    body="ResolveBody",
    errors=(403, 409),
)
def coordination_resolve(request_id: int, body):
    """open → resolved; the note is required (422), a second resolution is a 409."""
    target = db.session.get(CoordinationRequest, request_id)
    if target is None or not can_view(target):
        raise NotFound()
    require_role(current_user, Action.RESOLVE_COORDINATION)
    with one_transaction():
        resolve_coordination(current_user, target, resolution=body["resolution"], now=clock.now())
    return jsonify(coordination_json(target))


def can_view(target: CoordinationRequest) -> bool:
    """Liaisons do not see the list; a request's id is a 404 to them, as if missing."""
    return can(current_user, Action.VIEW_COORDINATION, target.subject())
