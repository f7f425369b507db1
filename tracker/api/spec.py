"""Declaring an API operation once: the route, its inputs and answers, and its OpenAPI entry.

`operation(...)` registers the Flask view on the blueprint, parses and validates its query
string before the view runs and its JSON body when the view first reads it (after the
view has loaded the path's object and checked that the caller may see it), and records
what openapi.py publishes, so the document cannot drift from the routes that exist.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import wraps

from flask import jsonify, url_for

from tracker.api import bp
from tracker.api.requests import LazyBody, check_id, query_args

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Param:
    """A query-string parameter and the JSON schema its (coerced) value must satisfy."""

    name: str
    schema: dict
    description: str = ""


@dataclass
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    response: str | None
    status: int = 200
    query: tuple[Param, ...] = ()
    body: str | None = None
    errors: tuple[int, ...] = ()
    public: bool = False
    description: str = ""
    path_params: list[str] = field(default_factory=list)

    @property
    def error_statuses(self) -> list[int]:
        statuses = set(self.errors)
        if not self.public:
            statuses.add(401)
        if self.path_params:
            statuses.add(404)
        if self.query or self.body:
            statuses.add(422)
        if self.body:
            statuses |= {400, 413, 415}
        return sorted(statuses)


OPERATIONS: list[Operation] = []
_PATH_PARAM = re.compile(r"<(?:int:)?(\w+)>")


def operation(
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    response: str | None,
    status: int = 200,
    query: tuple[Param, ...] = (),
    body: str | None = None,
    errors: tuple[int, ...] = (),
    public: bool = False,
):
    """Register `view` at `rule` for `method` and describe it for the OpenAPI document.

    The view receives its path ids (checked to be in range), `args` (typed query values)
    when `query` is given and `body` (the validated JSON object) when `body` is given.
    """

    def decorator(view):
        op = Operation(
            rule=rule,
            method=method,
            endpoint=f"api.{view.__name__}",
            summary=summary,
            tag=tag,
            response=response,
            status=status,
            query=query,
            body=body,
            errors=errors,
            public=public,
            description=(view.__doc__ or "").strip(),
            path_params=_PATH_PARAM.findall(rule),
        )

        @wraps(view)
        def wrapper(**kwargs):
            for name in op.path_params:
                kwargs[name] = check_id(kwargs[name])
            if op.query:
                kwargs["args"] = query_args(op.query)
            if op.body:
                # With an object in the path the view reads the body after its load and
                # visibility check (LazyBody); without one there is nothing to hide.
                body = LazyBody(op.body)
                kwargs["body"] = body if op.path_params else dict(body)
            return view(**kwargs)

        OPERATIONS.append(op)
        bp.add_url_rule(rule, view.__name__, wrapper, methods=[method])
        return wrapper

    return decorator


def created(document: dict, endpoint: str, **values):
    """The 201 answer to a POST that made something: its JSON and, in `Location`, its URL
    (the header the OpenAPI document promises for every 201)."""
    response = jsonify(document)
    response.headers["Location"] = url_for(endpoint, **values)
    return response, 201
