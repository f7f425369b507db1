"""Supervision letters: the list (filters, paginated), one letter, the department's reply
and the office's 办结. Each change is one call to tracker.letters.operations."""

from __future__ import annotations

import logging

from flask import jsonify
from flask_login import current_user

from tracker.api.routes_items import PAGE, PER_PAGE
from tracker.api.schemas import ID
from tracker.api.schemas_letters import LETTER_LEVELS, LETTER_STATES, letter_json
from tracker.api.spec import Param, operation
from tracker.letters.operations import close_letter, reply_to_letter, require_letter
from tracker.letters.queries import letter_with_details, letters_query
from tracker.pagination import paginate
from tracker.web import one_transaction
from tracker.workflow import LetterAction

logger = logging.getLogger(__name__)

LETTER_QUERY = (
    Param("department", ID, "Only letters to this department."),
    Param("level", {"type": "string", "enum": LETTER_LEVELS}, "yellow, orange or red."),
    Param(
        "state",
        {"type": "string", "enum": [*LETTER_STATES, "open"]},
        "A state, or `open` (issued or replied).",
    ),
    PAGE,
    PER_PAGE,
)


def load_letter(letter_id: int):
    return require_letter(current_user, LetterAction.VIEW, letter_with_details(letter_id))


@operation(
    "/letters",
    "GET",
    summary="Supervision letters",
    tag="letters",
    response="LetterPage",
    query=LETTER_QUERY,
)
def letters(args):
    """Newest first; a liaison sees only letters to their own department."""
    query = letters_query(
        current_user,
        department_id=args.get("department"),
        level=args.get("level"),
        state=args.get("state"),
    )
    page = paginate(query, page=args.get("page", 1), size=args.get("per_page", 50))
    return jsonify(
        {
            "items": [letter_json(letter) for letter in page.items],
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
        }
    )


@operation(
    "/letters/<int:letter_id>", "GET", summary="One letter", tag="letters", response="Letter"
)
def letter(letter_id: int):
    """One letter the caller may see, with its reasons, reply and decision."""
    return jsonify(letter_json(load_letter(letter_id)))


@operation(
    "/letters/<int:letter_id>/reply",
    "POST",
    summary="Reply to a letter (the addressed department)",
    tag="letters",
    response="Letter",
    body="LetterReply",
    errors=(403, 409),
)
def letter_reply(letter_id: int, body):
    """issued → replied; the reply text is required (evidence files: the letter page)."""
    target = load_letter(letter_id)
    with one_transaction():
        reply_to_letter(current_user, target, body["reply"], expected_version=body["version"])
    return jsonify(letter_json(load_letter(letter_id)))


@operation(
    "/letters/<int:letter_id>/close",
    "POST",
    summary="Accept the reply: 办结 (office)",
    tag="letters",
    response="Letter",
    body="LetterClose",
    errors=(403, 409),
)
def letter_close(letter_id: int, body):
    """replied → closed; the note is required."""
    target = load_letter(letter_id)
    with one_transaction():
        close_letter(current_user, target, body["note"], expected_version=body["version"])
    return jsonify(letter_json(load_letter(letter_id)))
