"""The API's JSON schemas, defined once: request bodies are validated with them and the
OpenAPI document publishes them as its components."""

from __future__ import annotations

from tracker.api.schema_kit import (
    BOOL,
    DATE,
    DATETIME,
    ID,
    INT,
    STRING,
    VERSION,
    list_of,
    nullable,
    obj,
    page_of,
    ref,
    text,
)
from tracker.api.schemas_indicators import INDICATOR_SCHEMAS
from tracker.api.schemas_schedule import SCHEDULE_SCHEMAS
from tracker.workflow import AckState, ItemStatus, ReviewState, Role

REVIEW_STATES = [state.value for state in ReviewState]
ITEM_STATUSES = [status.value for status in ItemStatus]
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
        "start_date": nullable(DATE),
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
        "schedule": ref("Schedule"),
        "version": INT,
    }
)

_ITEM_EDITABLE = {
    "title": text(300, min_length=1),
    "code": text(60),
    "description": text(20000),
    "deliverable": text(20000),
    "start_date": DATE,
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
        "problems": STRING,
        "next_steps": STRING,
        "support_needed": STRING,
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "completes": BOOL,
        "on_behalf": {**BOOL, "description": "代报: the office entered it for the department."},
        "entered_by": nullable(
            {**STRING, "description": "Who in the office entered a 代报 report; else null."}
        ),
        "review_comment": nullable(STRING),
        "submitted_at": nullable(DATETIME),
        "reviewed_at": nullable(DATETIME),
        "approved_at": nullable(DATETIME),
        "version": INT,
    }
)
PROGRESS = {"type": "integer", "minimum": 0, "maximum": 100}
# The structured report's optional sections: 存在问题, 下步计划, 需协调事项.
REPORT_SECTIONS = {
    "problems": text(4000),
    "next_steps": text(4000),
    "support_needed": text(4000, description="Opens a coordination request when verified."),
}
REPORT_CREATE = obj(
    {
        "period": text(20, description="Period label; default: the period in focus today."),
        "narrative": text(20000),
        **REPORT_SECTIONS,
        "progress": PROGRESS,
        "completes": BOOL,
        "same_as_last": {**BOOL, "description": "Copy the last verified report (与上期相同)."},
    },
    required=[],
)
REPORT_UPDATE = obj(
    {
        "version": VERSION,
        "narrative": text(20000),
        **REPORT_SECTIONS,
        "progress": PROGRESS,
        "completes": BOOL,
    },
    required=["version"],
)
VERSION_BODY = obj({"version": VERSION})
VERIFY_BODY = obj({"version": VERSION, "comment": text(2000)}, required=["version"])
RETURN_BODY = obj({"version": VERSION, "reason": text(2000, min_length=1)})

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

# 签收 (tracker/signoff): an item's assignment to its lead and a change request.
ASSIGNMENT = obj(
    {
        "id": INT,
        "item_id": INT,
        "department_id": INT,
        "state": {"type": "string", "enum": [state.value for state in AckState]},
        "ack_due": DATE,
        "acknowledged_at": nullable(DATETIME),
        "request_reason": nullable(STRING),
        "suggested_department_id": nullable(INT),
    }
)
REASSIGNMENT_REQUEST = obj(
    {"reason": text(2000, min_length=1), "department_id": ID}, required=["reason"]
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
    **SCHEDULE_SCHEMAS,
    "Report": REPORT,
    "ReportList": list_of("Report"),
    "ReportCreate": REPORT_CREATE,
    "ReportUpdate": REPORT_UPDATE,
    "VersionBody": VERSION_BODY,
    "Assignment": ASSIGNMENT,
    "ReassignmentRequest": REASSIGNMENT_REQUEST,
    "VerifyBody": VERIFY_BODY,
    "ReturnBody": RETURN_BODY,
    **INDICATOR_SCHEMAS,
}
