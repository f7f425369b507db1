"""The coordination-request API's schemas (added to tracker.api.schemas.SCHEMAS, like the
letters'; kept apart to keep that module short)."""

from __future__ import annotations

from tracker.api.schema_kit import DATETIME, INT, STRING, nullable, obj, page_of, text
from tracker.api.schemas import SCHEMAS

COORDINATION = obj(
    {
        "id": INT,
        "item_id": INT,
        "item_code": STRING,
        "report_id": INT,
        "department_id": INT,
        "text": STRING,
        "state": {"type": "string", "enum": ["open", "resolved"]},
        "resolution": nullable(STRING),
        "resolved_by": nullable(STRING),
        "resolved_at": nullable(DATETIME),
        "created_at": DATETIME,
    }
)

SCHEMAS.update(
    {
        "Coordination": COORDINATION,
        "CoordinationPage": page_of("Coordination"),
        "ResolveBody": obj({"resolution": text(4000, min_length=1)}),
    }
)
