"""Which items a figure counts and each item's traffic light, on top of
tracker.item_predicates (the one definition of visible, overdue and due soon)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case

from tracker.item_predicates import (
    department_clause,
    due_soon_clause,
    due_soon_days,
    is_due_soon,
    overdue_clause,
    visibility_clause,
)
from tracker.models import WorkItem
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
    "overdue_clause",
    "visible_clause",
]


def lead_clause(department_id: int):
    """Items a department leads: what it answers for in rankings and bulletins."""
    return WorkItem.lead_department_id == department_id


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
