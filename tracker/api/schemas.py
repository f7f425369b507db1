"""The API's JSON schemas, defined once: request bodies are validated with them and the
OpenAPI document publishes them as its components."""

from __future__ import annotations

from tracker.workflow import ItemStatus, QualityGrade, ReviewState, Role

MAX_ID = 2**31 - 1
# PostgreSQL refuses NUL in text; such input is refused up front, not by a database error.
NO_NUL = "^[^\\u0000]*$"

REVIEW_STATES = [state.value for state in ReviewState]
QUALITY_GRADES = [grade.value for grade in QualityGrade]
ITEM_STATUSES = [status.value for status in ItemStatus]
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


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def text(max_length: int, *, min_length: int = 0, **extra) -> dict:
    schema = {"type": "string", "maxLength": max_length, "pattern": NO_NUL, **extra}
    if min_length:
        schema["minLength"] = min_length
    return schema


def nullable(schema: dict) -> dict:
    """The schema or null (OpenAPI 3.1 spells it as a type list)."""
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kind = schema["type"]
    return {**schema, "type": [*(kind if isinstance(kind, list) else [kind]), "null"]}


def obj(properties: dict, required=None, **extra) -> dict:
    """A closed object: unknown fields are refused (requests) or a bug (responses)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else list(required),
        "additionalProperties": False,
        **extra,
    }


ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
VERSION = {
    "type": "integer",
    "minimum": 1,
    "maximum": MAX_ID,
    "description": "The version the object was read at; a stale one answers 409.",
}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
STRING = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}


def page_of(name: str) -> dict:
    return obj(
        {
            "items": {"type": "array", "items": ref(name)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 200},
            "total": {"type": "integer", "minimum": 0},
        }
    )


def list_of(name: str) -> dict:
    return obj({"items": {"type": "array", "items": ref(name)}})


DEPARTMENT = obj(
    {
        "id": INT,
        "name": STRING,
        "short_name": STRING,
        "kind": {"type": "string", "enum": ["government", "vertical", "non_government", "office"]},
        "is_office": BOOL,
        "active": BOOL,
    }
)

ME = obj(
    {
        "id": INT,
        "username": STRING,
        "name": STRING,
        "email": nullable(STRING),
        "role": {"type": "string", "enum": [role.value for role in Role]},
        "department": ref("Department"),
        "locale": STRING,
        "auth": {
            "type": "string",
            "enum": ["token", "session"],
            "description": "How this request was authenticated.",
        },
    }
)

_PLAN_FIELDS = {
    "id": INT,
    "title": STRING,
    "doc_number": nullable(STRING),
    "start_year": INT,
    "end_year": INT,
    "status": {"type": "string", "enum": ["active", "archived"]},
    "frequency": {"type": "string", "enum": ["quarterly", "monthly"]},
}
PLAN = obj(_PLAN_FIELDS)
_NAMES = {"type": "array", "items": STRING}
_PLAN_NODE_FIELDS = {
    "id": INT,
    "kind": {
        "type": "string",
        "enum": ["part", "chapter", "section", "task", "item", "column"],
    },
    "number": STRING,
    "code": STRING,
    "title": STRING,
    "text": STRING,
    "children": {"type": "array", "items": ref("PlanNode")},
}
PLAN_NODE = obj(
    {
        **_PLAN_NODE_FIELDS,
        "responsibility": obj(
            {"lead": _NAMES, "co": _NAMES, "raw": STRING},
            description="From the node's note （牵头单位：A；责任单位：B、C）, names as written; "
            "a note naming no lead gives lead [] and every name in co.",
        ),
        "deadline": obj(
            {"raw": STRING, "date": nullable({"type": "string", "format": "date"})},
            description="From the node's note (2025年底前, 6月底前完成, 长期坚持); date is "
            "the last "
            "day it allows, null when it names none.",
        ),
    },
    required=list(_PLAN_NODE_FIELDS),
)
PLAN_DETAIL = obj(
    {
        **_PLAN_FIELDS,
        "nodes": {
            "type": "array",
            "items": ref("PlanNode"),
            "description": "The plan's top-level headings, each with its children.",
        },
    }
)

ITEM = obj(
    {
        "id": INT,
        "plan_id": INT,
        "code": STRING,
        "title": STRING,
        "description": STRING,
        "deliverable": STRING,
        "section_id": nullable(INT),
        "lead_department": nullable(ref("Department")),
        "co_departments": {"type": "array", "items": ref("Department")},
        "due_date": nullable(DATE),
        "priority": {"type": "integer", "minimum": 1, "maximum": 3},
        "indicator_id": nullable(INT),
        "status": {"type": "string", "enum": ITEM_STATUSES},
        "retired": BOOL,
        "state": {
            "type": ["string", "null"],
            "enum": [*REVIEW_STATES, None],
            "description": "Review state of the current period's report; null when none.",
        },
        "report_id": {
            "type": ["integer", "null"],
            "description": "The current period's report, when there is one.",
        },
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "overdue": {
            "type": "boolean",
            "description": "Open and past its due date (Asia/Shanghai date).",
        },
        "version": INT,
    }
)

_ITEM_EDITABLE = {
    "title": text(300, min_length=1),
    "code": text(60),
    "description": text(20000),
    "deliverable": text(20000),
    "due_date": nullable(DATE),
    "priority": {"type": "integer", "minimum": 1, "maximum": 3},
    "indicator_id": nullable(ID),
    "section_id": nullable(ID),
    "lead_department_id": nullable(ID),
    "co_department_ids": {"type": "array", "items": ID, "maxItems": 100, "uniqueItems": True},
}
ITEM_CREATE = obj({"plan_id": ID, **_ITEM_EDITABLE}, required=["plan_id", "title"])
ITEM_UPDATE = obj({"version": VERSION, **_ITEM_EDITABLE}, required=["version"])

REPORT = obj(
    {
        "id": INT,
        "item_id": INT,
        "period": {"type": "string", "description": "The reporting period, e.g. 2026Q4."},
        "period_start": DATE,
        "period_end": DATE,
        "deadline": DATE,
        "state": {"type": "string", "enum": REVIEW_STATES},
        "narrative": STRING,
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "completes": BOOL,
        "review_comment": nullable(STRING),
        "quality_grade": {"type": ["string", "null"], "enum": [*QUALITY_GRADES, None]},
        "submitted_at": nullable(DATETIME),
        "reviewed_at": nullable(DATETIME),
        "version": INT,
    }
)
PROGRESS = {"type": "integer", "minimum": 0, "maximum": 100}
REPORT_CREATE = obj(
    {
        "period": text(20, description="Period label; default: the period in focus today."),
        "narrative": text(20000),
        "progress": PROGRESS,
        "completes": BOOL,
    },
    required=[],
)
REPORT_UPDATE = obj(
    {"version": VERSION, "narrative": text(20000), "progress": PROGRESS, "completes": BOOL},
    required=["version"],
)
VERSION_BODY = obj({"version": VERSION})
VERIFY_BODY = obj({"version": VERSION, "comment": text(2000)}, required=["version"])
REPORT_VERIFY_BODY = obj(
    {
        "version": VERSION,
        "comment": text(2000),
        "grade": {
            "type": "string",
            "enum": QUALITY_GRADES,
            "description": "Quality grade for the assessment: 优/良/中/差 (optional).",
        },
    },
    required=["version"],
)
RETURN_BODY = obj({"version": VERSION, "reason": text(2000, min_length=1)})

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

ERROR = obj(
    {
        "error": obj(
            {
                "code": {"type": "string", "description": "Stable, machine-readable."},
                "message": STRING,
                "fields": {
                    "type": "object",
                    "additionalProperties": STRING,
                    "description": "422: field → message.",
                },
                "current_version": {"type": ["integer", "null"], "description": "409 stale."},
            },
            required=["code", "message"],
        )
    }
)

SCHEMAS: dict[str, dict] = {
    "Error": ERROR,
    "Department": DEPARTMENT,
    "DepartmentList": list_of("Department"),
    "Me": ME,
    "Plan": PLAN,
    "PlanList": list_of("Plan"),
    "PlanNode": PLAN_NODE,
    "PlanDetail": PLAN_DETAIL,
    "Item": ITEM,
    "ItemPage": page_of("Item"),
    "ItemCreate": ITEM_CREATE,
    "ItemUpdate": ITEM_UPDATE,
    "Report": REPORT,
    "ReportList": list_of("Report"),
    "ReportCreate": REPORT_CREATE,
    "ReportUpdate": REPORT_UPDATE,
    "VersionBody": VERSION_BODY,
    "VerifyBody": VERIFY_BODY,
    "ReportVerifyBody": REPORT_VERIFY_BODY,
    "ReturnBody": RETURN_BODY,
    "Indicator": INDICATOR,
    "IndicatorPage": page_of("Indicator"),
    "IndicatorDetail": INDICATOR_DETAIL,
    "IndicatorValue": INDICATOR_VALUE,
    "IndicatorValueCreate": INDICATOR_VALUE_CREATE,
    "IndicatorValueUpdate": INDICATOR_VALUE_UPDATE,
}
