"""Indicators and their yearly values: read, report, edit, submit, verify, return.

Every change is one call to tracker.indicators.operations (permission, guarded UPDATE,
audit event, notices).
"""

from __future__ import annotations

import logging

from flask import jsonify
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.api import serializers
from tracker.api.routes_items import PAGE, PER_PAGE
from tracker.api.schemas import ID, text
from tracker.api.spec import Param, created, operation
from tracker.errors import NotFound
from tracker.indicators.operations import (
    check_value_action,
    report_value,
    return_value,
    save_value_draft,
    submit_value,
    verify_value,
)
from tracker.indicators.queries import (
    indicator_with_plan,
    value_rows,
    value_with_indicator,
    verified_values_by_indicator,
)
from tracker.indicators.specs import spec_for, status_for, value_subject
from tracker.models import Indicator, IndicatorValue
from tracker.pagination import paginate
from tracker.web import one_transaction
from tracker.workflow import Action, ReviewState, can

logger = logging.getLogger(__name__)

INDICATOR_QUERY = (
    Param("plan", ID, "Only this plan's indicators."),
    Param("department", ID, "Only indicators this department is responsible for."),
    Param("category", text(60), "Only this category (质量建设, 标准建设 …)."),
    PAGE,
    PER_PAGE,
)


def load_indicator(indicator_id: int) -> Indicator:
    indicator = indicator_with_plan(indicator_id)
    if indicator is None:
        raise NotFound()
    return indicator


def sees_all_values(indicator: Indicator) -> bool:
    """Drafts and returns are the department's and the reviewers' business (as on the page)."""
    return can(current_user, Action.VIEW, value_subject(indicator))


def load_value(value_id: int) -> IndicatorValue:
    """A value the caller may see: any verified one, others only their department's."""
    row = value_with_indicator(value_id)
    if row is None:
        raise NotFound()
    if row.state != ReviewState.VERIFIED.value and not sees_all_values(row.indicator):
        raise NotFound()
    return row


def value_json(value_id: int) -> dict:
    row = load_value(value_id)
    indicator = row.indicator
    verified = verified_values_by_indicator([indicator.id])[indicator.id]
    status, warning = status_for(spec_for(indicator, indicator.plan), row.year, verified)
    return serializers.indicator_value(row, status=status.value, warning=warning)


@operation(
    "/indicators",
    "GET",
    summary="Indicators",
    tag="indicators",
    response="IndicatorPage",
    query=INDICATOR_QUERY,
)
def indicators(args):
    """The plans' indicators in table order, with their responsible department."""
    query = (
        select(Indicator)
        .options(joinedload(Indicator.department))
        .order_by(Indicator.plan_id, Indicator.number, Indicator.id)
    )
    if "plan" in args:
        query = query.where(Indicator.plan_id == args["plan"])
    if "department" in args:
        query = query.where(Indicator.department_id == args["department"])
    if "category" in args:
        query = query.where(Indicator.category == args["category"])
    page = paginate(query, page=args.get("page", 1), size=args.get("per_page", 50))
    return jsonify(
        {
            "items": [serializers.indicator(i) for i in page.items],
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
        }
    )


@operation(
    "/indicators/<int:indicator_id>",
    "GET",
    summary="One indicator with its yearly values",
    tag="indicators",
    response="IndicatorDetail",
)
def indicator(indicator_id: int):
    """The indicator and its values, each with the year's status (from verified values)."""
    row = load_indicator(indicator_id)
    values = value_rows(row.id, verified_only=not sees_all_values(row))
    verified = verified_values_by_indicator([row.id])[row.id]
    spec = spec_for(row, row.plan)
    data = serializers.indicator(row)
    data["values"] = []
    for value in values:
        status, warning = status_for(spec, value.year, verified)
        data["values"].append(
            serializers.indicator_value(value, status=status.value, warning=warning)
        )
    return jsonify(data)


@operation(
    "/indicators/<int:indicator_id>/values",
    "POST",
    summary="Report a yearly value",
    tag="indicators",
    response="IndicatorValue",
    status=201,
    body="IndicatorValueCreate",
    errors=(403, 409),
)
def report_indicator_value(indicator_id: int, body):
    """The responsible department's liaison reports a year's value as a draft (or submits
    it at once with `submit: true`). One value per indicator and year."""
    target = load_indicator(indicator_id)
    # Who may report, before what the body says (a stranger's answer is the 404).
    check_value_action(
        current_user, Action.CREATE_REPORT, target, None, f"indicator:{indicator_id}"
    )
    with one_transaction():
        row = report_value(
            current_user,
            target,
            year=body["year"],
            value=body["value"],
            note=body.get("note", ""),
            today=clock.today(),
            submit=body.get("submit", False),
            now=clock.now(),
        )
    return created(value_json(row.id), "api.indicator_value", value_id=row.id)


@operation(
    "/indicator-values/<int:value_id>",
    "GET",
    summary="One yearly value",
    tag="indicators",
    response="IndicatorValue",
)
def indicator_value(value_id: int):
    """A verified value, or any value of the caller's own department (reviewers: all)."""
    return jsonify(value_json(value_id))


@operation(
    "/indicator-values/<int:value_id>",
    "PATCH",
    summary="Edit a draft or returned value",
    tag="indicators",
    response="IndicatorValue",
    body="IndicatorValueUpdate",
    errors=(403, 409),
)
def edit_indicator_value(value_id: int, body):
    """Change the value or its note; a returned value stays returned until resubmitted."""
    row = load_value(value_id)
    with one_transaction():
        save_value_draft(
            current_user,
            row,
            value=body.get("value", row.value_text),
            note=body.get("note", row.note),
            expected_version=body["version"],
        )
    return jsonify(value_json(value_id))


@operation(
    "/indicator-values/<int:value_id>/submit",
    "POST",
    summary="Submit a value for review",
    tag="indicators",
    response="IndicatorValue",
    body="VersionBody",
    errors=(403, 409),
)
def submit_indicator_value(value_id: int, body):
    """draft or returned → submitted."""
    row = load_value(value_id)
    with one_transaction():
        submit_value(current_user, row, now=clock.now(), expected_version=body["version"])
    return jsonify(value_json(value_id))


@operation(
    "/indicator-values/<int:value_id>/verify",
    "POST",
    summary="Verify a submitted value (office)",
    tag="indicators",
    response="IndicatorValue",
    body="VerifyBody",
    errors=(403, 409),
)
def verify_indicator_value(value_id: int, body):
    """submitted → verified: the value now counts towards the indicator's status."""
    row = load_value(value_id)
    with one_transaction():
        verify_value(
            current_user,
            row,
            now=clock.now(),
            comment=body.get("comment"),
            expected_version=body["version"],
        )
    return jsonify(value_json(value_id))


@operation(
    "/indicator-values/<int:value_id>/return",
    "POST",
    summary="Return a submitted value with a reason (office)",
    tag="indicators",
    response="IndicatorValue",
    body="ReturnBody",
    errors=(403, 409),
)
def return_indicator_value(value_id: int, body):
    """submitted → returned with the reason the department sees while fixing it."""
    row = load_value(value_id)
    with one_transaction():
        return_value(
            current_user,
            row,
            reason=body["reason"],
            now=clock.now(),
            expected_version=body["version"],
        )
    return jsonify(value_json(value_id))
