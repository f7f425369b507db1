"""Summary counts of the home pages: items by status, open items by focus-report state.

Each is one statement that the database answers from indexes alone (the partial indexes on
live and retired items, the report index by period): at bench M on SQLite the two cost
10.7 and 12 ms as plain GROUP BYs over every item, 0.4 and 3.5 ms in this form.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import func, literal_column, null, select, union_all

from tracker.extensions import db
from tracker.item_predicates import open_clause, visibility_clause
from tracker.items.queries import ITEM_STATUSES, REVIEW_FILTERS, focus_report_join
from tracker.models import Report, ReportingPeriod, WorkItem
from tracker.periods import focus_period_ids
from tracker.workflow import can_see_all

logger = logging.getLogger(__name__)


def counts_by_status(user, *extra) -> dict[str, int]:
    """Items by status (retired separately), one statement. Over every item, live and
    retired ones are counted apart, so each half reads its own partial index; over one
    department's, one GROUP BY of its items is cheaper."""
    if not (user is None or can_see_all(user)):
        rows = db.session.execute(
            select(
                WorkItem.status,
                WorkItem.retired_at.is_not(None).label("retired"),
                func.count(WorkItem.id),
            )
            .where(visibility_clause(user), *extra)
            .group_by(WorkItem.status, WorkItem.retired_at.is_not(None))
        ).all()
        return _status_counts(rows)
    live = (
        select(WorkItem.status, literal_column("0"), func.count(WorkItem.id))
        .where(WorkItem.retired_at.is_(None), visibility_clause(user), *extra)
        .group_by(WorkItem.status)
    )
    retired = (
        select(WorkItem.status, literal_column("1"), func.count(WorkItem.id))
        .where(WorkItem.retired_at.is_not(None), visibility_clause(user), *extra)
        .group_by(WorkItem.status)
    )
    return _status_counts(db.session.execute(union_all(live, retired)).all())


def _status_counts(rows) -> dict[str, int]:
    counts = dict.fromkeys(ITEM_STATUSES, 0)
    for state, is_retired, count in rows:
        counts["retired" if is_retired else state] += count
    counts["open"] = counts["not_started"] + counts["in_progress"]
    return counts


def focus_state_counts(user, today: date, *extra) -> dict[str, int]:
    """Open, owned items by the state of their focus-period report ("missing": none yet).

    Over every item, counted from the reports' side (an item has at most one report in its
    plan's focus period), with the total of such items in the same statement: missing =
    total − reports.
    `item_id + 0` keeps SQLite from probing the report table once per item (6,000 probes
    at bench M); it walks the focus periods' reports instead."""
    owned_open = (
        visibility_clause(user),
        open_clause(),
        WorkItem.lead_department_id.is_not(None),
        *extra,
    )
    every_item = not extra and (user is None or can_see_all(user))
    if not (every_item and db.session.get_bind().dialect.name == "sqlite"):
        # One department's items: joining each to its focus report is as cheap. PostgreSQL
        # hash-joins every item to its report faster than the form below (3.6 against
        # 6.5 ms at bench M); SQLite probes the report index once per item (16 against 3.7).
        focus, on = focus_report_join(today)
        rows = db.session.execute(
            select(focus.state, func.count(WorkItem.id))
            .outerjoin(focus, on)
            .where(*owned_open)
            .group_by(focus.state)
        ).all()
        counts = dict.fromkeys(REVIEW_FILTERS, 0)
        counts.update({state or "missing": count for state, count in rows})
        return counts
    items = select(WorkItem.id).where(*owned_open)
    # From the focus periods to their reports: with `period_id IN (subquery)` SQLite walked
    # every report in state order instead (47 ms).
    states = (
        select(Report.state, func.count(Report.id))
        .select_from(ReportingPeriod)
        .join(Report, Report.period_id == ReportingPeriod.id)
        .where(focus_period_ids(today).whereclause, (Report.item_id + 0).in_(items))
        .group_by(Report.state)
    )
    total = select(null(), func.count()).select_from(items.subquery())
    counts = dict.fromkeys(REVIEW_FILTERS, 0)
    reported = 0
    for state, count in db.session.execute(union_all(states, total)).all():
        if state is None:
            counts["missing"] += count
        else:
            counts[state] = count
            reported += count
    counts["missing"] -= reported
    return counts
