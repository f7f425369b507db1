"""The OpenAPI 3.1 document, built from the declared operations and the shared schemas."""

from __future__ import annotations

import copy
import logging
import re

from flask import jsonify

from tracker.api.schemas import SCHEMAS, ref
from tracker.api.spec import OPERATIONS, Operation, operation

logger = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
ERROR_DESCRIPTIONS = {
    400: "Malformed JSON (code `malformed_json`).",
    401: "No valid API token and no session (codes `authentication_required`, "
    "`invalid_token`, `token_required` for a write with only a session).",
    403: "The caller may see the object but not take this action (code `forbidden`).",
    404: "No such object, or one the caller may not see (code `not_found`).",
    409: "The version is stale (`stale_version`, with `current_version`), the object's "
    "state does not allow this (`invalid_transition`), or a simultaneous change won "
    "(`conflict`).",
    413: "The body is over 256 KB (code `payload_too_large`).",
    415: "The body is not application/json (code `unsupported_media_type`).",
    422: "Input that cannot be accepted (code `validation_failed`, `fields`: field → message).",
}
TAGS = [
    {"name": "me", "description": "The calling user."},
    {"name": "departments", "description": "Departments (the office is one too)."},
    {"name": "plans", "description": "Plans as issued, with their heading tree."},
    {"name": "items", "description": "Work items owned by departments."},
    {"name": "reports", "description": "Progress reports and their review."},
    {"name": "coordination", "description": "Coordination requests (协调事项) from reports."},
    {"name": "instructions", "description": "Leader instructions (批示) and their answers."},
    {"name": "indicators", "description": "Plan indicators and their yearly values."},
    {"name": "letters", "description": "Supervision letters (催办单/督办单/问责通知) and replies."},
]


def openapi_path(rule: str) -> str:
    return API_PREFIX + re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule)


def _operation_object(op: Operation) -> dict:
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1},
        }
        for name in op.path_params
    ]
    parameters += [
        {
            "name": param.name,
            "in": "query",
            "required": False,
            "schema": copy.deepcopy(param.schema),
            **({"description": param.description} if param.description else {}),
        }
        for param in op.query
    ]
    answer = {"description": op.summary}
    schema = ref(op.response) if op.response else {"type": "object"}
    answer["content"] = {"application/json": {"schema": schema}}
    if op.status == 201:
        answer["headers"] = {
            "Location": {"description": "The new object's URL.", "schema": {"type": "string"}}
        }
    responses = {str(op.status): answer}
    for status in op.error_statuses:
        responses[str(status)] = {
            "description": ERROR_DESCRIPTIONS[status],
            "content": {"application/json": {"schema": ref("Error")}},
        }
    result = {
        "operationId": op.endpoint.removeprefix("api."),
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if op.description:
        result["description"] = op.description
    if op.body:
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(op.body)}},
        }
    if op.public:
        result["security"] = []
    return result


def build_document() -> dict:
    """The whole document; every registered operation appears, nothing else."""
    # The operations are declared when their route modules are imported; import them here so
    # the document is complete without an app (the tests build it at collection time).
    from tracker.api import (  # noqa: F401
        routes_indicators,
        routes_items,
        routes_org,
        routes_plans,
        routes_reports,
    )

    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(openapi_path(op.rule), {})[op.method.lower()] = _operation_object(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "规划督办 Plan Tracker API",
            "version": "1.0.0",
            "description": (
                "Work items, reports and indicators of the plans, with the same permissions "
                "as the pages. Authenticate with a personal API token "
                "(`Authorization: Bearer pt_…`, created on the profile page or with "
                "`flask users token`). A logged-in browser session works for GET only. "
                'Every error is JSON: `{"error": {"code", "message", …}}`.'
            ),
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "tags": TAGS,
        "paths": paths,
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer"},
                "browserSession": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
        "security": [{"bearerToken": []}, {"browserSession": []}],
    }


@operation(
    "/openapi.json",
    "GET",
    summary="This OpenAPI document",
    tag="me",
    response=None,
    public=True,
)
def openapi():
    """The OpenAPI 3.1 description of every endpoint (no authentication needed)."""
    return jsonify(build_document())
