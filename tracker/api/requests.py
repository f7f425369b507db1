"""Reading API input: JSON bodies and query strings, checked against the same JSON schemas
the OpenAPI document publishes, with one error shape for everything refused."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import date
from functools import cache

from flask import request
from flask_babel import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.api.schemas import SCHEMAS
from tracker.errors import DomainError, NotFound, ValidationFailed

logger = logging.getLogger(__name__)

MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL; larger ones cannot exist


class MalformedJson(DomainError):
    status = 400
    code = "malformed_json"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


def check_id(value: int) -> int:
    """A path id outside the column's range is simply not there (never a database error)."""
    if not 1 <= value <= MAX_ID:
        raise NotFound()
    return value


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for one component schema; `$ref`s resolve inside the components."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": {"schemas": SCHEMAS}}
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def read_json() -> object:
    """The request body as JSON; an empty body is an empty object."""
    if request.content_length is not None and request.content_length > (
        request.max_content_length or 0
    ):
        raise PayloadTooLarge(_("The request body is too large."))
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise PayloadTooLarge(_("The request body is too large.")) from None
    if not raw.strip():
        return {}
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(_("Send the body as application/json."))
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        # "\ud800" is valid JSON but no text a database can store.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeError, RecursionError):
        raise MalformedJson(_("The request body is not valid JSON.")) from None
    return data


def _field_path(error) -> str:
    path = ".".join(str(part) for part in error.absolute_path)
    return path or "_"


def _message(error) -> tuple[str, str]:
    """(field, translated message) for one schema violation."""
    field = _field_path(error)
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else field
        return (f"{field}.{missing}" if field != "_" else missing), _("This field is required.")
    if kind == "additionalProperties":
        return field, _("Unknown field.")
    if kind == "type":
        return field, _("Wrong type: expected %(type)s.", type=_type_name(error.validator_value))
    if kind in ("maxLength", "maxItems"):
        return field, _("Too long: at most %(n)s.", n=error.validator_value)
    if kind in ("minLength", "minItems"):
        return field, _("Too short: at least %(n)s.", n=error.validator_value)
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        return field, _("Out of range.")
    if kind == "enum":
        choices = ", ".join(str(v) for v in error.validator_value)
        return field, _("Choose one of: %(choices)s.", choices=choices)
    if kind == "format":
        return field, _("Enter a date as YYYY-MM-DD.")
    if kind == "pattern":
        return field, _("The text contains characters that are not allowed.")
    if kind == "uniqueItems":
        return field, _("Give each value once.")
    return field, _("This value is not accepted.")


def _type_name(value) -> str:
    return " | ".join(value) if isinstance(value, list) else str(value)


def schema_errors(name: str, data) -> dict[str, str]:
    """field → message for every violation of component schema `name` (first per field)."""
    errors: dict[str, str] = {}
    for error in sorted(validator(name).iter_errors(data), key=lambda e: list(e.absolute_path)):
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            prefix = _field_path(error)
            for key in error.instance:
                if key not in allowed:
                    errors.setdefault(
                        f"{prefix}.{key}" if prefix != "_" else key, _("Unknown field.")
                    )
            continue
        field, message = _message(error)
        errors.setdefault(field, message)
    return errors


def json_body(name: str) -> dict:
    """The body, validated against component schema `name`; 400/413/415/422 otherwise."""
    data = read_json()
    errors = schema_errors(name, data)
    if errors:
        raise ValidationFailed(errors)
    return data


class LazyBody(Mapping):
    """The validated JSON body, read on first use.

    A view with an object in its path loads it and checks visibility first, then reads
    `body["version"]`: so a stranger gets the 404 of a missing object whatever the body
    says, never a 422 or 409 about an object they may not know exists (issue 24)."""

    def __init__(self, schema: str):
        self._schema = schema
        self._data: dict | None = None

    def _body(self) -> dict:
        if self._data is None:
            self._data = json_body(self._schema)
        return self._data

    def __getitem__(self, key):
        return self._body()[key]

    def __iter__(self):
        return iter(self._body())

    def __len__(self) -> int:
        return len(self._body())


# ---------------------------------------------------------------- query strings


def query_args(parameters) -> dict:
    """Typed query arguments for the operation's declared parameters (others are ignored).

    Each parameter is a `Param`; a value that does not fit its schema is a 422 naming it.
    """
    values: dict = {}
    errors: dict[str, str] = {}
    for param in parameters:
        raw = request.args.get(param.name)
        if raw is None:
            continue
        try:
            value = _coerce(param.schema, raw)
        except ValueError:
            errors[param.name] = _("This value is not accepted.")
            continue
        problems = list(_param_validator(param.name, param.schema).iter_errors(value))
        if problems:
            errors[param.name] = _message(problems[0])[1]
            continue
        if param.schema.get("format") == "date":
            value = date.fromisoformat(value)
        values[param.name] = value
    if errors:
        raise ValidationFailed(errors)
    return values


_PARAM_VALIDATORS: dict[str, Draft202012Validator] = {}


def _param_validator(name: str, schema: dict) -> Draft202012Validator:
    key = f"{name}:{json.dumps(schema, sort_keys=True)}"
    if key not in _PARAM_VALIDATORS:
        _PARAM_VALIDATORS[key] = Draft202012Validator(schema, format_checker=FormatChecker())
    return _PARAM_VALIDATORS[key]


def _coerce(schema: dict, raw: str):
    """Integers and booleans from their text; strings (dates too) stay text for the schema."""
    kind = schema.get("type")
    if kind == "integer":
        if not raw.strip().lstrip("+-").isdigit() or len(raw) > 12:
            raise ValueError(raw)
        return int(raw)
    if kind == "boolean":
        lowered = raw.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise ValueError(raw)
    return raw
