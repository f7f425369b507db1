"""The demo's 序时进度: milestone plans on a few Shaoxing items and one item just begun, so
that every light (green, yellow, red, grey, done) and both bases show, whatever day the demo
is loaded on (dates are placed relative to each item's own start and due dates, and `now`).

Through the real operations (the lead's liaison proposes and claims, the office approves and
verifies). Idempotent: it does nothing once the plan has a milestone plan.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from tracker import clock
from tracker.demo.plan import DEMO_PLAN_TITLE
from tracker.extensions import db
from tracker.items.milestones import (
    claim_milestone,
    decide_milestone,
    decide_milestones,
    propose_milestones,
    submit_milestones,
)
from tracker.items.operations import create_item
from tracker.models import MilestonePlan, Plan, User, WorkItem
from tracker.workflow import Action

logger = logging.getLogger(__name__)

NEW_ITEM_TITLE = "建设质量基础设施“一站式”服务站点（演示，新近启动）"
# (share of the way from start to due, weight, title) of each demo milestone.
STEPS = (
    (0.25, 30, "制定实施方案（演示）"),
    (0.7, 40, "主体工作完成（演示）"),
    (1.0, 30, "总结验收（演示）"),
)


def _steps(item: WorkItem) -> list[dict]:
    span = (item.due_date - item.start_date).days
    return [
        {
            "title": title,
            "planned_date": item.start_date + timedelta(days=int(span * share)),
            "weight": weight,
        }
        for share, weight, title in STEPS
    ]


def _liaison(item: WorkItem) -> User | None:
    return db.session.scalar(
        select(User)
        .where(User.role == "liaison", User.department_id == item.lead_department_id)
        .order_by(User.id)
        .limit(1)
    )


def load_schedule_demo(result, departments, now: datetime | None = None) -> None:
    """Milestone plans in several states and one newly started item (grey)."""
    now = now or clock.now()
    today = clock.today(now)
    plan = db.session.scalar(
        select(Plan).where(Plan.title == DEMO_PLAN_TITLE).order_by(Plan.id).limit(1)
    )
    if plan is None:
        return
    planned = db.session.scalar(
        select(MilestonePlan.id).join(WorkItem).where(WorkItem.plan_id == plan.id).limit(1)
    )
    if planned is not None:
        result.messages.append("schedule: the demo has milestone plans already")
        return
    office = db.session.scalar(select(User).where(User.username == "office"))
    # Open items due in the future, the furthest first: they have time left to plan.
    candidates = db.session.scalars(
        select(WorkItem)
        .where(
            WorkItem.plan_id == plan.id,
            WorkItem.status != "completed",
            WorkItem.retired_at.is_(None),
            WorkItem.due_date > today,
            WorkItem.start_date < today,
            WorkItem.lead_department_id.is_not(None),
        )
        .order_by(WorkItem.due_date.desc(), WorkItem.id)
    ).all()
    shaped = []
    for index, item in enumerate(candidates[:3]):
        lead = _liaison(item)
        if lead is None:
            continue
        milestones = propose_milestones(lead, item, _steps(item), now=now)
        submit_milestones(lead, milestones, now=now)
        shaped.append(item.code)
        if index == 2:
            continue  # waits for the office's approval
        decide_milestones(office, milestones, Action.VERIFY, now=now)
        first = milestones.milestones[0]
        if first.planned_date <= today:
            claim_milestone(lead, first, reached_on=first.planned_date, now=now)
            if index == 0:
                decide_milestone(office, first, Action.VERIFY, now=now)
    new = _new_item(plan, departments, office, today, now)
    result.messages.append(
        f"schedule: milestone plans on {', '.join(shaped) or 'no items'}; "
        f"{new.code} started {new.start_date} (not yet judged)"
    )


def _new_item(plan, departments, office, today, now) -> WorkItem:
    lead = departments.get("scjgj")
    return create_item(
        office,
        plan,
        title=NEW_ITEM_TITLE,
        description="新近启动的事项：尚无核实的报告，序时进度暂不评价（演示）。",
        lead_department_id=lead.id if lead is not None else None,
        due_date=today + timedelta(days=300),
        start_date=today - timedelta(days=20),
        is_demo=True,
        now=now,
    )
