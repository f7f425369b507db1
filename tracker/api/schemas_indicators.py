"""The indicator API's schemas: indicators, their yearly values and the value bodies
(joined into tracker.api.schemas.SCHEMAS)."""

from __future__ import annotations

from tracker.api.schema_kit import (
    BOOL,
    DATETIME,
    INT,
    STRING,
    VERSION,
    nullable,
    obj,
    page_of,
    ref,
    text,
)
from tracker.workflow import ReviewState

REVIEW_STATES = [state.value for state in ReviewState]
INDICATOR_STATUSES = [
    "met",
    "not_met",
    "on_track",
    "behind",
    "far_behind",
    "done",
    "not_yet",
    "no_data",
    "not_started",
]

_INDICATOR_FIELDS = {
    "id": INT,
    "plan_id": INT,
    "number": INT,
    "category": STRING,
    "name": STRING,
    "unit": nullable(STRING),
    "kind": {"type": "string", "enum": ["floor", "target", "cumulative", "rank", "milestone"]},
    "attribute": {"type": "string", "enum": ["约束性", "预期性"]},
    "baseline": {"type": ["number", "null"]},
    "baseline_text": nullable(STRING),
    "target": {"type": ["number", "null"]},
    "target_text": nullable(STRING),
    "cumulative": BOOL,
    "department": nullable(ref("Department")),
    "version": INT,
}
INDICATOR = obj(_INDICATOR_FIELDS)
INDICATOR_DETAIL = obj(
    {
        **_INDICATOR_FIELDS,
        "values": {
            "type": "array",
            "items": ref("IndicatorValue"),
            "description": "Yearly values; other departments see verified ones only.",
        },
    }
)
INDICATOR_VALUE = obj(
    {
        "id": INT,
        "indicator_id": INT,
        "year": INT,
        "value": {"type": "string", "description": "As reported (a number, 完成, 前三 …)."},
        "value_number": {"type": ["number", "null"]},
        "note": STRING,
        "state": {"type": "string", "enum": REVIEW_STATES},
        "status": {
            "type": "string",
            "enum": INDICATOR_STATUSES,
            "description": "The indicator's status in this year, judged from verified values.",
        },
        "warning": {"type": "boolean", "description": "A binding indicator behind (预警)."},
        "review_comment": nullable(STRING),
        "submitted_at": nullable(DATETIME),
        "reviewed_at": nullable(DATETIME),
        "version": INT,
    }
)
VALUE_INPUT = {
    "anyOf": [text(60, min_length=1), {"type": "number", "minimum": -1e15, "maximum": 1e15}]
}
INDICATOR_VALUE_CREATE = obj(
    {
        "year": {"type": "integer", "minimum": 1900, "maximum": 2200},
        "value": VALUE_INPUT,
        "note": text(4000),
        "submit": {"type": "boolean", "description": "Submit for review at once."},
    },
    required=["year", "value"],
)
INDICATOR_VALUE_UPDATE = obj(
    {"version": VERSION, "value": VALUE_INPUT, "note": text(4000)}, required=["version"]
)

INDICATOR_SCHEMAS = {
    "Indicator": INDICATOR,
    "IndicatorPage": page_of("Indicator"),
    "IndicatorDetail": INDICATOR_DETAIL,
    "IndicatorValue": INDICATOR_VALUE,
    "IndicatorValueCreate": INDICATOR_VALUE_CREATE,
    "IndicatorValueUpdate": INDICATOR_VALUE_UPDATE,
}
