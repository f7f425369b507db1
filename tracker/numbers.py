"""Integers from outside — path ids, query strings, form fields — bounded to what the
database can store.

SQLite raises OverflowError for an integer beyond 64 bits and PostgreSQL refuses one beyond
its column's type, so `99999999999999999999` in a URL used to be a 500. Here is the one
rule, applied where the text comes in:

- a path `<int:…>` (every route's, through `register`): out of range is simply no such
  object, 404;
- a query or form value read with `type=int` (`request.args.get("plan", type=int)`): text
  that is no number stays "not given" as before, a number out of range is a 400;
- a form's `version`: see `read_version`.
"""

from __future__ import annotations

from flask import Flask, Request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import IntegerConverter

# ids and versions are 32-bit integer columns on PostgreSQL; nothing larger can exist.
MAX_INT = 2**31 - 1
MAX_DIGITS = len(str(MAX_INT))

# What `read_version` answers for a version that cannot be one: every optimistic-locking
# check (tracker/locking.py) treats it as a stale form, after the permission check.
UNREADABLE_VERSION = -1


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` limited to MAX_INT: a larger number is no object, 404.

    It raises NotFound itself rather than werkzeug's ValidationError ("try the next
    rule"): with GET and PATCH on separate rules for one path, the matcher would answer
    405 for the method whose rule it had not converted."""

    def to_python(self, value: str):
        if len(value.lstrip("-")) > MAX_DIGITS:  # never hand int() thousands of digits
            raise NotFound()
        number = super().to_python(value)
        if abs(number) > MAX_INT:
            raise NotFound()
        return number


class NumberOutOfRange(BadRequest):
    """A query or form number no database column could hold."""

    def __init__(self):
        super().__init__(_("A number in the request is too large."))


def int_param(text) -> int:
    """`type=` for query and form values: ValueError (→ the default) for text that is not
    a whole number, NumberOutOfRange (400) for one beyond the columns' range."""
    text = str(text).strip()
    digits = text.lstrip("+-")
    if not digits.isdigit() or not digits.isascii():
        raise ValueError(text)
    if len(digits) > MAX_DIGITS or int(digits) > MAX_INT:
        raise NumberOutOfRange()
    return int(text)


def read_version(value) -> int:
    """The version a form says it was loaded at; UNREADABLE_VERSION when it is missing, not
    a number or out of range. Never raises: the route must first find out whether the user
    may see and change the object at all (404/403), and only then may a bad version answer
    409 — otherwise the conflict page tells a stranger the object exists."""
    try:
        version = int_param(value)
    except (ValueError, NumberOutOfRange):
        return UNREADABLE_VERSION
    return version if version >= 0 else UNREADABLE_VERSION


class BoundedParams(ImmutableMultiDict):
    """Query and form values where `type=int` means `int_param`, so every existing
    `request.args.get(…, type=int)` is bounded without each caller remembering to."""

    def get(self, key, default=None, type=None):  # noqa: A002
        return super().get(key, default, int_param if type is int else type)

    def getlist(self, key, type=None):  # noqa: A002
        return super().getlist(key, int_param if type is int else type)


class TrackerRequest(Request):
    parameter_storage_class = BoundedParams


def register(app: Flask) -> None:
    """Before any blueprint adds a rule: rules bind their converters when added."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.request_class = TrackerRequest
    app.register_error_handler(NumberOutOfRange, _out_of_range)


def _out_of_range(error: NumberOutOfRange):
    from tracker.errors import render_error

    return render_error(400, error.description, "number_out_of_range")
