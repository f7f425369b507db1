"""Which items a figure counts and each item's traffic light, on top of tracker.items.queries
(the one definition of visible, overdue and due soon)."""

from __future__ import annotations

from datetime import date, datetime

from flask import current_app
from sqlalchemy import case, select
from sqlalchemy.orm import aliased

from tracker.items.queries import (
    due_soon_clause,
    is_due_soon,
    overdue_clause,
    visibility_clause,
)
from tracker.items.views import now as page_now
from tracker.items.views import today as page_today
from tracker.models import WorkItem, item_co_department
from tracker.workflow import can_see_all

RED, YELLOW, GREEN = "red", "yellow", "green"

__all__ = [
    "GREEN",
    "RED",
    "YELLOW",
    "department_clause",
    "due_soon_clause",
    "due_soon_days",
    "lead_clause",
    "light_case",
    "light_of",
    "local_now",
    "local_today",
    "overdue_clause",
    "visible_clause",
]


def local_today() -> date:
    """Today as the pages see it: Asia/Shanghai, pinned by TRACKER_TODAY in tests and demos."""
    return page_today()


def local_now() -> datetime:
    """The (naive UTC) instant the pages act at, pinned like `local_today`."""
    return page_now()


def due_soon_days() -> int:
    return int(current_app.config.get("DUE_SOON_DAYS", 14))


def lead_clause(department_id: int):
    """Items a department leads: what it answers for in rankings and bulletins."""
    return WorkItem.lead_department_id == department_id


def department_clause(department_id: int):
    """Items a department leads or co-owns: what its liaisons see.

    The same shape as tracker.items.queries.visibility_clause (id IN a UNION ALL of two
    index lookups), which both databases plan far better than `lead = d OR EXISTS …`."""
    led = aliased(WorkItem, name="department_item")
    return WorkItem.id.in_(
        select(led.id)
        .where(led.lead_department_id == department_id)
        .union_all(
            select(item_co_department.c.item_id).where(
                item_co_department.c.department_id == department_id
            )
        )
    )


def visible_clause(user):
    """What `user` may see (SECURITY case 14); None when that is everything."""
    return None if can_see_all(user) else visibility_clause(user)


def light_case(today: date, days: int):
    """red = overdue, yellow = due within `days`, green = on schedule or completed."""
    return case(
        (overdue_clause(today), RED),
        (due_soon_clause(today, days), YELLOW),
        else_=GREEN,
    )


def light_of(item, today: date, days: int) -> str:
    """The same rule for one loaded item (the Python twin of `light_case`)."""
    if item.is_overdue(today):
        return RED
    if is_due_soon(item, today, days):
        return YELLOW
    return GREEN
