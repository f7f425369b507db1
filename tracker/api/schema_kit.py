"""The pieces every API schema is built from (types, closed objects, pages), in one place."""

from __future__ import annotations

MAX_ID = 2**31 - 1
# PostgreSQL refuses NUL in text; such input is refused up front, not by a database error.
NO_NUL = "^[^\\u0000]*$"


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
