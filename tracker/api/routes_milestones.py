"""An item's milestone plan (形象进度计划): read, propose, submit, approve or return, and
the reached claims of its milestones. Every change is one call to tracker.items.milestones."""

from __future__ import annotations

import logging
from datetime import date

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from tracker import clock
from tracker.api import serializers
from tracker.api.spec import operation
from tracker.errors import NotFound, StaleVersion
from tracker.items.access import load_item
from tracker.items.milestone_revisions import open_plan, plan_history, plan_in_force
from tracker.items.milestones import (
    claim_milestone,
    decide_milestone,
    decide_milestones,
    load_milestone,
    milestone_plan_of,
    propose_milestones,
    submit_milestones,
)
from tracker.web import one_transaction
from tracker.workflow import Action

logger = logging.getLogger(__name__)


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def plan_json(item_id: int) -> dict:
    item = load_item(current_user, item_id)
    in_force, pending = plan_in_force(item.id), open_plan(item.id)
    history = [plan for plan in plan_history(item.id) if plan.superseded_at is not None]
    if in_force is None:  # the first plan, still being written or reviewed
        return serializers.milestone_plan(item.id, pending, history=history)
    return serializers.milestone_plan(item.id, in_force, pending, history)


def _plan(item_id: int):
    item = load_item(current_user, item_id)
    plan = milestone_plan_of(item.id)
    if plan is None:
        raise NotFound()
    return plan


@operation(
    "/items/<int:item_id>/milestones",
    "GET",
    summary="An item's milestone plan",
    tag="items",
    response="MilestonePlan",
)
def milestones_get(item_id: int):
    """The plan and its milestones; state and version are null while none was proposed."""
    return jsonify(plan_json(item_id))


@operation(
    "/items/<int:item_id>/milestones",
    "POST",
    summary="Propose, edit or revise the milestone plan (lead liaison)",
    tag="items",
    response="MilestonePlan",
    body="MilestonePlanInput",
    errors=(403, 409),
)
def milestones_propose(item_id: int, body):
    """Write the whole plan as a draft (or edit a draft/returned one: `version` required).
    Once a plan is approved this writes a revision (`version`: the approved plan's, or the
    revision's while it is a draft or returned); the approved plan stays in force until the
    office verifies the revision. 409 while a revision waits for the office; 422 when
    weights do not add up to 100, a date is outside start–due, or out of order."""
    item = load_item(current_user, item_id)
    plan = milestone_plan_of(item.id)
    if plan is not None and "version" not in body:
        raise StaleVersion(
            _("Send the version of the milestone plan you are changing."),
            current_version=plan.version,
        )
    steps = [
        {
            "title": step["title"],
            "planned_date": _date(step["planned_date"]),
            "weight": step["weight"],
        }
        for step in body["milestones"]
    ]
    with one_transaction():
        propose_milestones(
            current_user, item, steps, expected_version=body.get("version"), now=clock.now()
        )
    return jsonify(plan_json(item_id))


@operation(
    "/items/<int:item_id>/milestones/submit",
    "POST",
    summary="Submit the milestone plan to the office",
    tag="items",
    response="MilestonePlan",
    body="VersionBody",
    errors=(403, 409),
)
def milestones_submit(item_id: int, body):
    """draft or returned → submitted (the first plan, or the revision under way)."""
    plan = _plan(item_id)
    with one_transaction():
        submit_milestones(current_user, plan, expected_version=body["version"], now=clock.now())
    return jsonify(plan_json(item_id))


@operation(
    "/items/<int:item_id>/milestones/verify",
    "POST",
    summary="Approve a submitted milestone plan (office)",
    tag="items",
    response="MilestonePlan",
    body="VerifyBody",
    errors=(403, 409),
)
def milestones_verify(item_id: int, body):
    """submitted → verified: the milestones now drive the expected progress; a verified
    revision replaces the plan in force (kept in `history`), reached claims carry over by
    title."""
    plan = _plan(item_id)
    with one_transaction():
        decide_milestones(
            current_user,
            plan,
            Action.VERIFY,
            expected_version=body["version"],
            reason=body.get("comment", ""),
            now=clock.now(),
        )
    return jsonify(plan_json(item_id))


@operation(
    "/items/<int:item_id>/milestones/return",
    "POST",
    summary="Return a submitted milestone plan with a reason (office)",
    tag="items",
    response="MilestonePlan",
    body="ReturnBody",
    errors=(403, 409),
)
def milestones_return(item_id: int, body):
    """submitted → returned; the reason is shown to the liaison."""
    plan = _plan(item_id)
    with one_transaction():
        decide_milestones(
            current_user,
            plan,
            Action.RETURN,
            expected_version=body["version"],
            reason=body["reason"],
            now=clock.now(),
        )
    return jsonify(plan_json(item_id))


@operation(
    "/milestones/<int:milestone_id>/reached",
    "POST",
    summary="Say a milestone was reached (lead liaison)",
    tag="items",
    response="MilestonePlan",
    body="MilestoneReached",
    errors=(403, 409),
)
def milestone_reached(milestone_id: int, body):
    """draft or returned → submitted, with the day it was reached (not in the future)."""
    milestone = load_milestone(current_user, milestone_id)
    with one_transaction():
        claim_milestone(
            current_user,
            milestone,
            reached_on=_date(body["reached_on"]),
            expected_version=body["version"],
            now=clock.now(),
        )
    return jsonify(plan_json(milestone.item_id))


@operation(
    "/milestones/<int:milestone_id>/verify",
    "POST",
    summary="Verify that a milestone was reached (office)",
    tag="items",
    response="MilestonePlan",
    body="VerifyBody",
    errors=(403, 409),
)
def milestone_verify(milestone_id: int, body):
    """submitted → verified: its weight now counts toward the actual progress."""
    milestone = load_milestone(current_user, milestone_id)
    with one_transaction():
        decide_milestone(
            current_user,
            milestone,
            Action.VERIFY,
            expected_version=body["version"],
            reason=body.get("comment", ""),
            now=clock.now(),
        )
    return jsonify(plan_json(milestone.item_id))


@operation(
    "/milestones/<int:milestone_id>/return",
    "POST",
    summary="Return a milestone claim with a reason (office)",
    tag="items",
    response="MilestonePlan",
    body="ReturnBody",
    errors=(403, 409),
)
def milestone_return(milestone_id: int, body):
    """submitted → returned."""
    milestone = load_milestone(current_user, milestone_id)
    with one_transaction():
        decide_milestone(
            current_user,
            milestone,
            Action.RETURN,
            expected_version=body["version"],
            reason=body["reason"],
            now=clock.now(),
        )
    return jsonify(plan_json(milestone.item_id))
