"""Plans and their heading trees (read-only: plans are imported through the pages)."""

from __future__ import annotations

import logging

from flask import jsonify
from sqlalchemy import select

from tracker.api import serializers
from tracker.api.spec import operation
from tracker.errors import NotFound
from tracker.extensions import db
from tracker.models import Plan, PlanNode

logger = logging.getLogger(__name__)


@operation("/plans", "GET", summary="Plans", tag="plans", response="PlanList")
def plans():
    """Every plan, newest first."""
    rows = db.session.scalars(select(Plan).order_by(Plan.start_year.desc(), Plan.id.desc()))
    return jsonify({"items": [serializers.plan(p) for p in rows]})


@operation("/plans/<int:plan_id>", "GET", summary="One plan", tag="plans", response="PlanDetail")
def plan(plan_id: int):
    """The plan with its node tree (chapters, sections, tasks, items, 专栏), two queries."""
    row = db.session.get(Plan, plan_id)
    if row is None:
        raise NotFound()
    nodes = db.session.scalars(
        select(PlanNode).where(PlanNode.plan_id == plan_id).order_by(PlanNode.position, PlanNode.id)
    ).all()
    return jsonify(serializers.plan_detail(row, nodes))
