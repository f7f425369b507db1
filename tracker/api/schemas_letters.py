"""The letter API's schemas (added to tracker.api.schemas.SCHEMAS) and its serializer."""

from __future__ import annotations

from tracker.api.schema_kit import (
    DATE,
    DATETIME,
    INT,
    STRING,
    VERSION,
    nullable,
    obj,
    page_of,
    text,
)
from tracker.api.schemas import SCHEMAS
from tracker.api.serializers import iso_instant
from tracker.workflow import LetterLevel, LetterState

LETTER_LEVELS = [str(level) for level in LetterLevel]
LETTER_STATES = [str(state) for state in LetterState]

LETTER_REASON = obj(
    {
        "item_id": INT,
        "code": STRING,
        "title": STRING,
        "kind": STRING,
        "days": nullable(INT),
        "period": nullable(STRING),
    }
)
LETTER = obj(
    {
        "id": INT,
        "number": STRING,
        "level": {"type": "string", "enum": LETTER_LEVELS},
        "state": {"type": "string", "enum": LETTER_STATES},
        "department": STRING,
        "department_id": INT,
        "items": {"type": "array", "items": STRING},
        "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/LetterReason"}},
        "issued_on": DATE,
        "reply_due": DATE,
        "reply": nullable(STRING),
        "replied_at": nullable(DATETIME),
        "decision_note": nullable(STRING),
        "decided_at": nullable(DATETIME),
        "dedupe_key": STRING,
        "version": INT,
    }
)
LETTER_REPLY = obj({"version": VERSION, "reply": text(5000)}, required=["version", "reply"])
LETTER_CLOSE = obj({"version": VERSION, "note": text(5000)}, required=["version", "note"])

SCHEMAS.update(
    {
        "Letter": LETTER,
        "LetterReason": LETTER_REASON,
        "LetterPage": page_of("Letter"),
        "LetterReply": LETTER_REPLY,
        "LetterClose": LETTER_CLOSE,
    }
)


def letter_json(letter) -> dict:
    return {
        "id": letter.id,
        "number": letter.number,
        "level": letter.level,
        "state": letter.state,
        "department": letter.department.short_name,
        "department_id": letter.department_id,
        "items": [item.code for item in letter.items],
        "reasons": [
            {
                "item_id": reason["item_id"],
                "code": reason["code"],
                "title": reason.get("title") or "",
                "kind": reason.get("kind") or "",
                "days": reason.get("days"),
                "period": reason.get("period"),
            }
            for reason in letter.reasons
        ],
        "issued_on": letter.issued_on.isoformat(),
        "reply_due": letter.reply_due.isoformat(),
        "reply": letter.reply_text,
        "replied_at": iso_instant(letter.replied_at),
        "decision_note": letter.decision_note,
        "decided_at": iso_instant(letter.decided_at),
        "dedupe_key": letter.dedupe_key,
        "version": letter.version,
    }
