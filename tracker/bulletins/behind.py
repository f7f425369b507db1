"""The 通报's 欠进度 part: the plan's open items behind schedule today, and their departments.

欠进度 is the schedule class of a yellow or red item (tracker/schedule.py): its verified
progress lags the progress its milestones (or the straight line) call for by at least
SCHEDULE_YELLOW_LAG points, or it is open past its due date. Two statements: the items with
their light (the shared SQL expression), then their statuses (the shared set function).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker.dashboard.queries import departments_by_id
from tracker.extensions import db
from tracker.item_predicates import open_clause
from tracker.models import WorkItem
from tracker.schedule_query import light_case, schedule_for_items

logger = logging.getLogger(__name__)

BEHIND = ("red", "yellow")


@dataclass
class BehindItem:
    item_id: int
    code: str
    title: str
    department_id: int | None
    department: str
    light: str
    expected: int
    actual: int
    lag: int


@dataclass
class BehindDepartment:
    department_id: int | None
    name: str
    items: int = 0
    red: int = 0
    codes: list[str] = field(default_factory=list)


@dataclass
class BehindSchedule:
    today: date
    items: list[BehindItem] = field(default_factory=list)
    departments: list[BehindDepartment] = field(default_factory=list)


def behind_schedule(plan_id: int, today: date) -> BehindSchedule:
    """Red then yellow items, most behind first; departments by red, then all, then name."""
    light = light_case(today).label("light")
    inner = (
        select(WorkItem.id, WorkItem.code, WorkItem.title, WorkItem.lead_department_id, light)
        .where(WorkItem.plan_id == plan_id, WorkItem.retired_at.is_(None), open_clause())
        .subquery()
    )
    rows = db.session.execute(
        select(inner).where(inner.c.light.in_(BEHIND)).order_by(inner.c.code, inner.c.id)
    ).all()
    result = BehindSchedule(today)
    if not rows:
        return result
    statuses = schedule_for_items([row.id for row in rows], today)
    names = departments_by_id({row.lead_department_id for row in rows})
    by_department: dict[int | None, BehindDepartment] = {}
    for row in rows:
        status = statuses[row.id]
        name = names.get(row.lead_department_id, "")
        result.items.append(
            BehindItem(
                row.id,
                row.code,
                row.title,
                row.lead_department_id,
                name,
                row.light,
                status.expected,
                status.actual,
                status.lag,
            )
        )
        unit = by_department.setdefault(
            row.lead_department_id, BehindDepartment(row.lead_department_id, name)
        )
        unit.items += 1
        unit.red += row.light == "red"
        unit.codes.append(row.code)
    result.items.sort(key=lambda i: (i.light != "red", -i.lag, i.code))
    result.departments = sorted(by_department.values(), key=lambda d: (-d.red, -d.items, d.name))
    return result
