"""The schemas of 领导批示 over the API and of the office's decision on a request for another
lead department (added to tracker.api.schemas.SCHEMAS, like the coordination ones)."""

from __future__ import annotations

from tracker.api.schema_kit import (
    DATE,
    DATETIME,
    ID,
    INT,
    STRING,
    VERSION,
    nullable,
    obj,
    page_of,
    text,
)
from tracker.api.schemas import SCHEMAS
from tracker.workflow import InstructionState

INSTRUCTION_STATES = [state.value for state in InstructionState]

INSTRUCTION = obj(
    {
        "id": INT,
        "item_id": INT,
        "item_code": STRING,
        # Set when the instruction is on a coordination request (协调事项) of the item.
        "coordination_id": nullable(INT),
        "department_id": INT,
        "author": nullable(STRING),
        "text": STRING,
        "created_at": DATETIME,
        "answer_due": DATE,
        "state": {"type": "string", "enum": INSTRUCTION_STATES},
        "answer": nullable(STRING),
        "answered_by": nullable(STRING),
        "answered_at": nullable(DATETIME),
        "version": INT,
    }
)

SCHEMAS.update(
    {
        "Instruction": INSTRUCTION,
        "InstructionPage": page_of("Instruction"),
        "InstructionBody": obj({"text": text(4000, min_length=1)}),
        "InstructionAnswer": obj({"version": VERSION, "answer": text(4000, min_length=1)}),
        "ReassignmentDecision": obj(
            {
                "decision": {"type": "string", "enum": ["approve", "refuse"]},
                # Approving: the new lead (default: the one the department suggested).
                "lead_department_id": ID,
                # Refusing: why the lead stays (required then).
                "comment": text(2000),
            },
            required=["decision"],
        ),
    }
)
