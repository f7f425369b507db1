"""The API's JSON schemas for 序时进度: an item's schedule and its milestone plan (joined
into tracker.api.schemas.SCHEMAS; kept apart to keep that module short)."""

from __future__ import annotations

from tracker.schedule import BASES, LIGHTS
from tracker.workflow import ReviewState

REVIEW_STATES = [state.value for state in ReviewState]
NO_NUL = "^[^\\u0000]*$"
INT = {"type": "integer"}
STRING = {"type": "string"}
DATE = {"type": "string", "format": "date"}
VERSION = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


def text(max_length: int, *, min_length: int = 0) -> dict:
    schema = {"type": "string", "maxLength": max_length, "pattern": NO_NUL}
    if min_length:
        schema["minLength"] = min_length
    return schema


def obj(properties: dict, required=None, **extra) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else list(required),
        "additionalProperties": False,
        **extra,
    }


SCHEDULE = obj(
    {
        "expected": {"type": "integer", "description": "序时进度: progress due by today (%)."},
        "actual": {"type": "integer", "description": "Verified progress (%)."},
        "lag": {"type": "integer", "description": "expected − actual, in points."},
        "light": {"type": "string", "enum": list(LIGHTS)},
        "basis": {"type": "string", "enum": list(BASES)},
    },
    description="How far along the item should be today and is (docs/architecture.md).",
)
MILESTONE = obj(
    {
        "id": INT,
        "position": INT,
        "title": STRING,
        "planned_date": DATE,
        "weight": INT,
        "state": {
            "type": "string",
            "enum": REVIEW_STATES,
            "description": "The claim that it was reached: draft = not claimed.",
        },
        "reached_on": nullable(DATE),
        "review_comment": nullable(STRING),
        "version": INT,
    }
)
MILESTONE_PLAN = obj(
    {
        "item_id": INT,
        "state": {"type": ["string", "null"], "enum": [*REVIEW_STATES, None]},
        "version": nullable(INT),
        "review_comment": nullable(STRING),
        "milestones": {"type": "array", "items": ref("Milestone")},
    }
)
MILESTONE_INPUT = obj(
    {
        "title": text(300, min_length=1),
        "planned_date": DATE,
        "weight": {"type": "integer", "minimum": 1, "maximum": 100},
    }
)
MILESTONE_PLAN_INPUT = obj(
    {
        "version": VERSION,
        "milestones": {"type": "array", "items": ref("MilestoneInput"), "maxItems": 30},
    },
    required=["milestones"],
    description="The whole plan; `version` is required once a plan exists.",
)
MILESTONE_REACHED = obj({"version": VERSION, "reached_on": DATE})


SCHEDULE_SCHEMAS = {
    "Schedule": SCHEDULE,
    "Milestone": MILESTONE,
    "MilestonePlan": MILESTONE_PLAN,
    "MilestoneInput": MILESTONE_INPUT,
    "MilestonePlanInput": MILESTONE_PLAN_INPUT,
    "MilestoneReached": MILESTONE_REACHED,
}
