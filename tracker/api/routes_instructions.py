"""领导批示 over the API: a leader writes one on an item or a coordination request (协调事项),
the lead (owner) department answers with 落实情况, and everyone lists what they may see.

Each write is one call to tracker.signoff.instructions, which checks permission, goes
through the review kernel (the answer) and writes the audit trail and notices.
"""

from __future__ import annotations

import logging

from flask import jsonify
from flask_login import current_user

from tracker import clock
from tracker.api import schemas_signoff  # noqa: F401  (registers the schemas)
from tracker.api.routes_coordination import can_view
from tracker.api.routes_items import PAGE, PER_PAGE
from tracker.api.schema_kit import ID
from tracker.api.serializers import iso_instant
from tracker.api.spec import Param, created, operation
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.items.access import load_item
from tracker.models import CoordinationRequest, Instruction
from tracker.pagination import paginate
from tracker.signoff.instructions import (
    STATES,
    answer_instruction,
    instructions_query,
    load_instruction,
    write_coordination_instruction,
    write_instruction,
)
from tracker.web import one_transaction

logger = logging.getLogger(__name__)

INSTRUCTION_QUERY = (
    Param("state", {"type": "string", "enum": list(STATES)}, "open or answered; default: all."),
    Param("department", ID, "Only instructions this department must answer."),
    Param("overdue", {"type": "boolean"}, "true: open and past the answer day."),
    PAGE,
    PER_PAGE,
)


def instruction_json(row: Instruction) -> dict:
    return {
        "id": row.id,
        "item_id": row.item_id,
        "item_code": row.item.code,
        "coordination_id": row.coordination_id,
        "department_id": row.department_id,
        "author": row.author.display_name if row.author else None,
        "text": row.text,
        "created_at": iso_instant(row.created_at),
        "answer_due": row.answer_due.isoformat(),
        "state": row.state,
        "answer": row.answer,
        "answered_by": row.answered_by.display_name if row.answered_by else None,
        "answered_at": iso_instant(row.answered_at),
        "version": row.version,
    }


@operation(
    "/instructions",
    "GET",
    summary="Leader instructions (批示) you may see",
    tag="instructions",
    response="InstructionPage",
    query=INSTRUCTION_QUERY,
)
def instructions(args):
    """Open ones first, by answer day; a liaison or approver sees their department's."""
    query = instructions_query(
        current_user,
        open_only=False,
        state=args.get("state"),
        department_id=args.get("department"),
        overdue_on=clock.today() if args.get("overdue") else None,
    )
    page = paginate(query, page=args.get("page", 1), size=args.get("per_page", 50))
    return jsonify(
        {
            "items": [instruction_json(row) for row in page.items],
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
        }
    )


@operation(
    "/instructions/<int:instruction_id>",
    "GET",
    summary="One leader instruction and its answer",
    tag="instructions",
    response="Instruction",
)
def instruction(instruction_id: int):
    """404 for an instruction on an item (request) you may not see."""
    return jsonify(instruction_json(load_instruction(current_user, instruction_id)))


@operation(
    "/items/<int:item_id>/instructions",
    "POST",
    summary="Write a leader instruction (批示) on an item (leaders)",
    tag="instructions",
    response="Instruction",
    status=201,
    body="InstructionBody",
    errors=(403, 409, 422),
)
def item_instruction(item_id: int, body):
    """The item's lead department answers within INSTRUCTION_WORKING_DAYS working days; a
    closed (completed, retired) item is a 409, blank text a 422."""
    item = load_item(current_user, item_id)
    with one_transaction():
        row = write_instruction(current_user, item, text=body["text"], now=clock.now())
        payload = instruction_json(row)
    return created(payload, "api.instruction", instruction_id=payload["id"])


@operation(
    "/coordination/<int:request_id>/instructions",
    "POST",
    summary="Write a leader instruction (批示) on a coordination request (leaders)",
    tag="instructions",
    response="Instruction",
    status=201,
    body="InstructionBody",
    errors=(403, 409, 422),
)
def coordination_instruction(request_id: int, body):
    """The request's owner department answers; a resolved request (or one whose item was
    retired) is a 409. Liaisons do not see requests: 404."""
    target = db.session.get(CoordinationRequest, request_id)
    if target is None or not can_view(target):
        raise NotFound()
    with one_transaction():
        row = write_coordination_instruction(
            current_user, target, text=body["text"], now=clock.now()
        )
        payload = instruction_json(row)
    return created(payload, "api.instruction", instruction_id=payload["id"])


@operation(
    "/instructions/<int:instruction_id>/answer",
    "POST",
    summary="Answer a leader instruction (落实情况; the lead department's liaison)",
    tag="instructions",
    response="Instruction",
    body="InstructionAnswer",
    errors=(403, 409, 422),
)
def instruction_answer(instruction_id: int, body):
    """open → answered, once; `version` is the one the instruction was read at (stale or
    already answered: 409)."""
    row = load_instruction(current_user, instruction_id)
    with one_transaction():
        answer_instruction(
            current_user,
            row,
            answer=body["answer"],
            expected_version=body["version"],
            now=clock.now(),
        )
        payload = instruction_json(row)
    return jsonify(payload)
