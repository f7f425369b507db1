"""序时进度 on the home pages: the items furthest behind schedule and the count per light,
each a fixed number of statements (tracker.schedule_query does the arithmetic in SQL)."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.extensions import db
from tracker.item_predicates import open_clause, visibility_clause
from tracker.models import WorkItem
from tracker.schedule import LIGHTS
from tracker.schedule_query import lag_expr, light_case, schedule_columns, status_from_columns

logger = logging.getLogger(__name__)

BEHIND = ("yellow", "red")


def light_counts(user, today: date, *where) -> dict[str, int]:
    """{light: number of visible, not retired items} (every light, 0 when none): one GROUP BY."""
    light = light_case(today)
    rows = db.session.execute(
        select(light, func.count(WorkItem.id))
        .where(visibility_clause(user), WorkItem.retired_at.is_(None), *where)
        .group_by(light)
    ).all()
    counts = dict.fromkeys(LIGHTS, 0)
    counts.update({name: count for name, count in rows})
    return counts


def behind_schedule(user, today: date, *where, limit: int = 20) -> dict:
    """欠进度: open visible items whose light is yellow or red, furthest behind first.

    {"rows": [(item, None, None)] as the item tables take them, "schedules": {id:
    ScheduleStatus}, "counts": light_counts}; three statements (the schedule is read in the
    row query itself)."""
    columns = schedule_columns(today)
    # The first `limit` ids by lag, then the schedule columns and rows of those alone: with
    # the columns in the sorted statement SQLite computed all five (each a handful of
    # correlated subqueries) and loaded the row for every yellow or red item before the LIMIT.
    first = (
        select(WorkItem.id)
        .where(
            visibility_clause(user),
            open_clause(),
            light_case(today).in_(BEHIND),
            *where,
        )
        .order_by(lag_expr(today).desc(), WorkItem.due_date, WorkItem.id)
        .limit(limit)
        .scalar_subquery()
    )
    result = db.session.execute(
        select(WorkItem, *columns.values())
        .where(WorkItem.id.in_(first))
        .options(joinedload(WorkItem.lead_department), selectinload(WorkItem.co_departments))
        .order_by(columns["lag"].desc(), WorkItem.due_date, WorkItem.id)
    ).unique()
    rows, schedules = [], {}
    for item, *values in result:
        rows.append((item, None, None))
        schedules[item.id] = status_from_columns(*values)
    return {"rows": rows, "schedules": schedules, "counts": light_counts(user, today, *where)}
