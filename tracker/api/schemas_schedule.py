"""The API's JSON schemas for 序时进度: an item's schedule and its milestone plan (joined
into tracker.api.schemas.SCHEMAS; kept apart to keep that module short)."""

from __future__ import annotations

from tracker.api.schema_kit import DATE, DATETIME, INT, STRING, VERSION, nullable, obj, ref, text
from tracker.schedule import BASES, LIGHTS
from tracker.workflow import ReviewState

REVIEW_STATES = [state.value for state in ReviewState]


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
MILESTONE_REVISION = obj(
    {
        "revision": INT,
        "state": {"type": "string", "enum": REVIEW_STATES},
        "version": INT,
        "review_comment": nullable(STRING),
        "in_force_from": nullable(DATETIME),
        "in_force_until": nullable(DATETIME),
        "milestones": {"type": "array", "items": ref("Milestone")},
    },
    description="One revision of the plan: under review, or once in force (from–until).",
)
MILESTONE_PLAN = obj(
    {
        "item_id": INT,
        "state": {"type": ["string", "null"], "enum": [*REVIEW_STATES, None]},
        "version": nullable(INT),
        "review_comment": nullable(STRING),
        "revision": nullable(INT),
        "milestones": {"type": "array", "items": ref("Milestone")},
        "pending_revision": {
            "anyOf": [ref("MilestoneRevision"), {"type": "null"}],
            "description": "A revision of the approved plan being written or reviewed; the "
            "approved plan stays in force until the office verifies it.",
        },
        "history": {
            "type": "array",
            "items": ref("MilestoneRevision"),
            "description": "Plans that were in force before, newest first.",
        },
    },
    description="The plan in force (else the first one being written), its pending revision "
    "and the superseded ones.",
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
    description="The whole plan; `version` is required once a plan exists: the version of "
    "the plan in force to start a revision of it, else of the plan or revision being edited.",
)
MILESTONE_REACHED = obj({"version": VERSION, "reached_on": DATE})


SCHEDULE_SCHEMAS = {
    "Schedule": SCHEDULE,
    "Milestone": MILESTONE,
    "MilestonePlan": MILESTONE_PLAN,
    "MilestoneRevision": MILESTONE_REVISION,
    "MilestoneInput": MILESTONE_INPUT,
    "MilestonePlanInput": MILESTONE_PLAN_INPUT,
    "MilestoneReached": MILESTONE_REACHED,
}
