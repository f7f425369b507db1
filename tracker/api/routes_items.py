"""Work items: the filtered list, one item, and the office's create and update.

State changes go through tracker.items.operations (permission, conditional version
UPDATE, audit event, notices); this module only reads input and writes JSON.
"""

from __future__ import annotations

import logging
from datetime import date

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.access import require
from tracker.api import serializers
from tracker.api.schemas import DATE, ID, REVIEW_STATES, text
from tracker.api.spec import Param, created, operation
from tracker.errors import PermissionDenied, StaleVersion, ValidationFailed
from tracker.extensions import db
from tracker.item_predicates import (
    overdue_clause,
)
from tracker.items.access import item_subject, load_item
from tracker.items.operations import assign_item, create_item, update_item
from tracker.items.queries import (
    ITEM_STATUSES,
    ItemFilters,
    focus_report_join,
    item_list_query,
)
from tracker.models import Plan, PlanNode, WorkItem
from tracker.pagination import paginate
from tracker.schedule import LIGHTS
from tracker.schedule_query import light_case, schedule_for_item, statuses_of
from tracker.security import log_security_event
from tracker.web import one_transaction
from tracker.workflow import Action, Subject, permitted

logger = logging.getLogger(__name__)

DEFAULT_PER_PAGE = 50
PAGE = Param("page", {"type": "integer", "minimum": 1, "maximum": 100000}, "Page number.")
PER_PAGE = Param(
    "per_page", {"type": "integer", "minimum": 1, "maximum": 200}, "Page size (default 50)."
)
ITEM_QUERY = (
    Param("plan", ID, "Only this plan's items."),
    Param("section", ID, "Only items of this plan section (node id)."),
    Param("department", ID, "Only items this department leads."),
    Param(
        "state",
        {"type": "string", "enum": [*REVIEW_STATES, "missing"]},
        "Review state of the current period's report (missing: none yet).",
    ),
    Param(
        "status",
        {"type": "string", "enum": [*ITEM_STATUSES, "open"]},
        "Item status; retired items are listed only with status=retired.",
    ),
    Param("overdue", {"type": "boolean"}, "true: open and past due; false: not overdue."),
    Param("due_before", DATE, "Due on or before this date."),
    Param("due_after", DATE, "Due on or after this date."),
    Param(
        "light", {"type": "string", "enum": list(LIGHTS)}, "序时进度 light (tracker/schedule.py)."
    ),
    Param("q", text(100), "Words to find in code, title, description or deliverable."),
    PAGE,
    PER_PAGE,
)
DETAIL_FIELDS = (
    "title",
    "code",
    "description",
    "deliverable",
    "start_date",
    "due_date",
    "priority",
)
OWNER_FIELDS = ("lead_department_id", "co_department_ids")


def _as_date(value) -> date | None:
    return date.fromisoformat(value) if value else None


def focus_of(item: WorkItem, today: date) -> tuple[str | None, int | None]:
    """(state, id) of the item's report for the period in focus today."""
    focus, on = focus_report_join(today)
    row = db.session.execute(
        select(focus.state, focus.id)
        .select_from(WorkItem)
        .join(focus, on)
        .where(WorkItem.id == item.id)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def item_json(item_id: int) -> dict:
    """The item as the caller may see it now (after a commit: fresh from the database)."""
    item = load_item(current_user, item_id, joinedload(WorkItem.lead_department))
    today = clock.today()
    state, report_id = focus_of(item, today)
    return serializers.item(
        item,
        state=state,
        report_id=report_id,
        today=today,
        schedule=schedule_for_item(item, today),
    )


@operation(
    "/items", "GET", summary="Work items", tag="items", response="ItemPage", query=ITEM_QUERY
)
def items(args):
    """The items the caller may see, filtered and paginated; a bounded number of queries."""
    today = clock.today()
    filters = ItemFilters(
        plan_id=args.get("plan"),
        section_id=args.get("section"),
        department_id=args.get("department"),
        status=args.get("status"),
        review=args.get("state"),
        q=args.get("q"),
    )
    query = item_list_query(current_user, filters, today)
    if args.get("overdue") is True:
        query = query.where(overdue_clause(today))
    elif args.get("overdue") is False:
        query = query.where(or_(WorkItem.due_date.is_(None), ~overdue_clause(today)))
    if "due_before" in args:
        query = query.where(WorkItem.due_date <= args["due_before"])
    if "due_after" in args:
        query = query.where(WorkItem.due_date >= args["due_after"])
    if "light" in args:
        query = query.where(light_case(today) == args["light"])
    page = paginate(
        query,
        scalars=False,
        page=args.get("page", 1),
        size=args.get("per_page", DEFAULT_PER_PAGE),
    )
    schedules = statuses_of([row[0].id for row in page.items], today)
    return jsonify(
        {
            "items": [
                serializers.item(
                    row[0],
                    state=row[1],
                    report_id=row[2],
                    today=today,
                    schedule=schedules[row[0].id],
                )
                for row in page.items
            ],
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
        }
    )


@operation("/items/<int:item_id>", "GET", summary="One work item", tag="items", response="Item")
def item(item_id: int):
    """One item; 404 when it does not exist or the caller may not see it."""
    return jsonify(item_json(item_id))


def _check_section(plan_id: int, section_id: int | None, errors: dict) -> None:
    if section_id is None:
        return
    owner = db.session.scalar(select(PlanNode.plan_id).where(PlanNode.id == section_id))
    if owner != plan_id:
        errors["section_id"] = _("Choose a part of the same plan.")


@operation(
    "/items",
    "POST",
    summary="Create a work item (office)",
    tag="items",
    response="Item",
    status=201,
    body="ItemCreate",
    errors=(403,),
)
def item_create(body):
    """Add an item to a plan; the office and administrators only."""
    # create_item's own check answers NotFound to a liaison (a subject nobody leads is
    # invisible to them); for creating, "you may not" is the honest answer.
    if not permitted(current_user, Action.EDIT_ITEM, Subject(lead_department_id=None)):
        log_security_event("api.item.create", outcome="denied", obj="item:new")
        raise PermissionDenied(_("You may not do this."))
    plan = db.session.get(Plan, body["plan_id"])
    errors: dict[str, str] = {}
    if plan is None:
        errors["plan_id"] = _("There is no such plan.")
    else:
        _check_section(plan.id, body.get("section_id"), errors)
    if errors:
        raise ValidationFailed(errors)
    with one_transaction():
        new_item = create_item(
            current_user,
            plan,
            title=body["title"],
            code=body.get("code"),
            description=body.get("description", ""),
            deliverable=body.get("deliverable", ""),
            lead_department_id=body.get("lead_department_id"),
            co_department_ids=body.get("co_department_ids", ()),
            due_date=_as_date(body.get("due_date")),
            start_date=_as_date(body.get("start_date")),
            priority=body.get("priority", 2),
            indicator_id=body.get("indicator_id"),
            section_node_id=body.get("section_id"),
            now=clock.now(),
        )
    return created(item_json(new_item.id), "api.item", item_id=new_item.id)


@operation(
    "/items/<int:item_id>",
    "PATCH",
    summary="Update a work item (office)",
    tag="items",
    response="Item",
    body="ItemUpdate",
    errors=(403, 409),
)
def item_update(item_id: int, body):
    """Change the given fields. `version` is the one read; a stale one answers 409."""
    target = load_item(current_user, item_id)
    require(current_user, Action.EDIT_ITEM, item_subject(target), obj=f"item:{item_id}")
    version = body["version"]
    details = any(k in body for k in (*DETAIL_FIELDS, "indicator_id", "section_id"))
    owners = any(k in body for k in OWNER_FIELDS)
    errors: dict[str, str] = {}
    _check_section(target.plan_id, body.get("section_id"), errors)
    if errors:
        raise ValidationFailed(errors)
    now = clock.now()
    with one_transaction():
        if not details and not owners and target.version != version:
            raise StaleVersion(
                _("Someone else saved a newer version since you loaded it."),
                current_version=target.version,
            )
        if details:
            update_item(
                current_user,
                target,
                expected_version=version,
                title=body.get("title", target.title),
                code=body.get("code", target.code),
                description=body.get("description", target.description),
                deliverable=body.get("deliverable", target.deliverable),
                due_date=_as_date(body["due_date"]) if "due_date" in body else target.due_date,
                start_date=_as_date(body.get("start_date")),
                priority=body.get("priority", target.priority),
                indicator_id=body.get("indicator_id", target.indicator_id),
                section_node_id=body.get("section_id"),
                now=now,
            )
        if owners:
            assign_item(
                current_user,
                target,
                # after a detail change in this same request the item is one version on
                expected_version=target.version if details else version,
                lead_department_id=body.get("lead_department_id", target.lead_department_id),
                co_department_ids=body.get(
                    "co_department_ids", [d.id for d in target.co_departments]
                ),
                now=now,
            )
    return jsonify(item_json(item_id))
