"""Items newly turned yellow or red (序时进度) since the last weekly digest, and the memory of it.

The digest job remembers each open item's schedule light per digest week (`DigestLight`),
in the transaction that queues the digests. A week's digest compares today's lights with
the previous digest week's rows: an item is news when it is yellow or red now and was
neither (or not yet remembered) then, or when it went from yellow to red. Re-running the
same week's digest compares with the same previous week (and the outbox's dedupe keys keep
it from being queued twice).
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import and_, case, delete, func, insert, literal, or_, select

from tracker.extensions import db
from tracker.item_predicates import open_clause
from tracker.models import DigestLight, Plan, WorkItem
from tracker.notify.messages import item_url
from tracker.schedule_query import actual_expr, expected_expr, light_case

logger = logging.getLogger(__name__)

BEHIND = ("yellow", "red")


def previous_week(week: date):
    """The last digest week before `week` whose lights were remembered (a scalar subquery)."""
    return select(func.max(DigestLight.week)).where(DigestLight.week < week).scalar_subquery()


def _lights(today: date, figures: bool = False):
    """Open items of active plans with today's schedule light, computed once per item (and,
    with `figures`, the expected and actual progress behind it).

    The plan is tested with IN, not joined: the light's plan-frequency subquery correlates
    to `plan`, and a joined `plan` would leave it without a FROM."""
    return (
        select(
            WorkItem.id.label("item_id"),
            WorkItem.code,
            WorkItem.title,
            WorkItem.due_date,
            WorkItem.lead_department_id,
            light_case(today).label("light"),
            *(
                (expected_expr(today).label("expected"), actual_expr().label("actual"))
                if figures
                else ()
            ),
        )
        .where(
            open_clause(),
            WorkItem.lead_department_id.is_not(None),
            WorkItem.plan_id.in_(select(Plan.id).where(Plan.status == "active")),
        )
        .subquery()
    )


def newly_behind(today: date, week: date) -> list[dict]:
    """Items yellow or red today that were not (or were yellow and are now red) when the
    previous digest was planned; red first, then by code (1 statement)."""
    current = _lights(today, figures=True)
    before = (
        select(DigestLight.item_id, DigestLight.light)
        .where(DigestLight.week == previous_week(week))
        .subquery()
    )
    rows = db.session.execute(
        select(current, before.c.light.label("before"))
        .outerjoin(before, before.c.item_id == current.c.item_id)
        .where(
            current.c.light.in_(BEHIND),
            or_(
                before.c.light.is_(None),
                before.c.light.not_in(BEHIND),
                and_(current.c.light == "red", before.c.light == "yellow"),
            ),
        )
        .order_by(case((current.c.light == "red", 0), else_=1), current.c.code, current.c.item_id)
    ).all()
    return [
        {
            "id": row.item_id,
            "code": row.code,
            "title": row.title,
            "due": row.due_date,
            "url": item_url(row.item_id),
            "light": row.light,
            "before": row.before,
            "expected": row.expected,
            "actual": row.actual,
            "department_id": row.lead_department_id,
        }
        for row in rows
    ]


def remember_lights(today: date, week: date) -> bool:
    """Write this week's lights once — at the week's first real run, the one that plans the
    digest — and drop the rows older than the previous digest week (set statements whatever
    the number of items). Later runs of the same week (the job runs daily until the next
    digest day) leave the rows alone, so an item that turns yellow on Tuesday is still news
    next week. Returns whether it wrote."""
    done = db.session.scalar(select(DigestLight.item_id).where(DigestLight.week == week).limit(1))
    if done is not None:
        return False
    current = _lights(today)
    db.session.execute(
        insert(DigestLight).from_select(
            ["item_id", "week", "light"],
            select(current.c.item_id, literal(week), current.c.light),
        )
    )
    db.session.execute(delete(DigestLight).where(DigestLight.week < previous_week(week)))
    db.session.flush()
    return True
