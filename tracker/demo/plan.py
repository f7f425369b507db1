"""The demo plan: the Shaoxing quality plan, imported once from the copy beside this module."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import or_, select

from tracker.extensions import db
from tracker.models import Plan
from tracker.plans.operations import import_plan, source_digest
from tracker.plans.parser import parse_plan
from tracker.plans.tree import flatten

logger = logging.getLogger(__name__)

DEMO_PLAN_FILE = Path(__file__).resolve().parent / "shaoxing-quality-14th-fyp.txt"
DEMO_PLAN_TITLE = "绍兴市质量发展“十四五”规划"
DEMO_PLAN_PERIOD = (2021, 2025)


def import_demo_plan(result, departments, now) -> Plan:  # noqa: ARG001  (the demo step signature)
    """Import the Shaoxing plan unless a plan with its text or its title exists already."""
    text = DEMO_PLAN_FILE.read_text(encoding="utf-8")
    existing = db.session.scalar(
        select(Plan)
        .where(or_(Plan.source_sha256 == source_digest(text), Plan.title == DEMO_PLAN_TITLE))
        .order_by(Plan.id)
        .limit(1)
    )
    if existing is not None:
        result.messages.append(f"plan already imported: #{existing.id} {existing.title}")
        return existing
    parsed = parse_plan(text)
    plan = import_plan(None, parsed, text, title=DEMO_PLAN_TITLE, period=DEMO_PLAN_PERIOD)
    result.messages.append(
        f"imported plan #{plan.id} {plan.title}: {len(flatten(parsed.nodes))} headings, "
        f"{len(parsed.indicators)} indicators"
    )
    return plan
