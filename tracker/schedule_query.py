"""序时进度 for many items at once: a set query in Python, and the same light as SQL.

Two ways to the one definition in `tracker.schedule` (keep them in step — the agreement
test in tests/test_schedule_query.py compares them item by item on SQLite and PostgreSQL):

- `schedule_for_items(items_or_ids, today)` → {item id: ScheduleStatus}, in a fixed number
  of queries whatever the number of items (items, plans' frequencies, verified reports,
  approved milestones: at most four).
- `light_case(today)` and `schedule_columns(today)` (`statuses_of(ids, today)` reads them for a
  page of items): SQL expressions over `WorkItem` (with
  correlated subqueries for milestones and verified reports) for WHERE, GROUP BY and
  ORDER BY — e.g. `select(light_case(today), func.count()).where(...).group_by(1)` counts
  items by light; `.where(light_case(today) == "red")` filters a list.

Day arithmetic differs by dialect, so `epoch_days(x)` (whole days since 1970-01-01 of a
DATE) is a small construct compiled to julianday() on SQLite and date subtraction on
PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from flask import current_app
from sqlalchemy import Integer, and_, case, exists, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from tracker.extensions import db
from tracker.models import Milestone, MilestonePlan, Plan, Report, WorkItem
from tracker.schedule import (
    DEFAULT_PERIOD_DAYS,
    PERIOD_DAYS,
    ScheduleStatus,
    Step,
    klass_of,
    schedule_status,
)
from tracker.workflow import ItemStatus, ReviewState

logger = logging.getLogger(__name__)

EPOCH = date(1970, 1, 1)
VERIFIED = ReviewState.VERIFIED.value


class epoch_days(FunctionElement):  # noqa: N801 - reads like the SQL function it is
    """Whole days from 1970-01-01 to a DATE expression (an integer)."""

    type = Integer()
    inherit_cache = True
    name = "epoch_days"


@compiles(epoch_days, "sqlite")
def _epoch_days_sqlite(element, compiler, **kw):
    # julianday('YYYY-MM-DD') is N.5 exactly; 1970-01-01 is 2440587.5.
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


@compiles(epoch_days, "postgresql")
def _epoch_days_postgresql(element, compiler, **kw):
    return f"(CAST({compiler.process(element.clauses, **kw)} AS DATE) - DATE '1970-01-01')"


class greatest(FunctionElement):  # noqa: N801
    """The larger of integer expressions: each argument is evaluated once (a CASE comparing
    two subqueries would run them twice, per row)."""

    type = Integer()
    inherit_cache = True
    name = "greatest"


class least(FunctionElement):  # noqa: N801
    type = Integer()
    inherit_cache = True
    name = "least"


@compiles(greatest)
def _greatest(element, compiler, **kw):
    return f"greatest({compiler.process(element.clauses, **kw)})"


@compiles(least)
def _least(element, compiler, **kw):
    return f"least({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(least, "sqlite")
def _least_sqlite(element, compiler, **kw):
    return f"min({compiler.process(element.clauses, **kw)})"


def thresholds() -> tuple[int, int]:
    """(yellow, red) lag thresholds from the settings SCHEDULE_YELLOW_LAG / SCHEDULE_RED_LAG."""
    config = current_app.config
    return int(config.get("SCHEDULE_YELLOW_LAG", 10)), int(config.get("SCHEDULE_RED_LAG", 30))


# ---------------------------------------------------------------- Python, set-based


def schedule_for_items(items_or_ids: Iterable, today: date) -> dict[int, ScheduleStatus]:
    """{item id: ScheduleStatus} for work items (loaded rows or ids), in at most four queries."""
    given = list(items_or_ids)
    items = [i for i in given if isinstance(i, WorkItem)]
    ids = [i for i in given if not isinstance(i, WorkItem)]
    if ids:
        items += db.session.scalars(select(WorkItem).where(WorkItem.id.in_(ids))).all()
    if not items:
        return {}
    item_ids = [item.id for item in items]
    frequencies = dict(
        db.session.execute(
            select(Plan.id, Plan.frequency).where(Plan.id.in_({i.plan_id for i in items}))
        ).all()
    )
    reported = set(
        db.session.scalars(
            select(Report.item_id)
            .where(Report.item_id.in_(item_ids), Report.state == VERIFIED)
            .distinct()
        )
    )
    steps: dict[int, list[Step]] = {}
    rows = db.session.execute(
        select(Milestone.item_id, Milestone.planned_date, Milestone.weight, Milestone.state)
        .join(MilestonePlan, Milestone.plan_id == MilestonePlan.id)
        .where(Milestone.item_id.in_(item_ids), MilestonePlan.in_force())
        .order_by(Milestone.item_id, Milestone.position)
    )
    for item_id, planned, weight, state in rows:
        steps.setdefault(item_id, []).append(Step(planned, weight, state == VERIFIED))
    yellow, red = thresholds()
    return {
        item.id: schedule_status(
            start=item.start_date,
            due=item.due_date,
            today=today,
            closed=item.is_closed,
            verified_progress=item.progress if item.id in reported else None,
            milestones=steps.get(item.id, ()),
            period=PERIOD_DAYS.get(frequencies.get(item.plan_id) or "", DEFAULT_PERIOD_DAYS),
            yellow=yellow,
            red=red,
        )
        for item in items
    }


def schedule_for_item(item: WorkItem, today: date) -> ScheduleStatus:
    """One item's status (the detail page, the API's single item)."""
    return schedule_for_items([item], today)[item.id]


# ---------------------------------------------------------------- SQL twins
#
# The facts from other tables (actual progress, basis, the grey window) are read from the
# columns tracker.schedule_facts keeps; the subqueries below compute them there, on writes.


def approved_plan_exists():
    """EXISTS an approved milestone plan in force for the item (correlated to WorkItem)."""
    return exists(
        select(MilestonePlan.id).where(
            MilestonePlan.item_id == WorkItem.id, MilestonePlan.in_force()
        )
    )


def weights_of(*conditions):
    """Sum of the weights of the item's milestones in force meeting `conditions`."""
    return (
        select(func.coalesce(func.sum(Milestone.weight), 0))
        .join(MilestonePlan, Milestone.plan_id == MilestonePlan.id)
        .where(Milestone.item_id == WorkItem.id, MilestonePlan.in_force(), *conditions)
        .scalar_subquery()
    )


def verified_report_exists():
    return exists(select(Report.id).where(Report.item_id == WorkItem.id, Report.state == VERIFIED))


def period_days_of_plan():
    """Days in one reporting period of the item's plan (PERIOD_DAYS by its frequency)."""
    frequency = select(Plan.frequency).where(Plan.id == WorkItem.plan_id).scalar_subquery()
    return case(
        *((frequency == name, days) for name, days in PERIOD_DAYS.items()),
        else_=DEFAULT_PERIOD_DAYS,
    )


def _begins():
    return func.coalesce(WorkItem.start_date, WorkItem.due_date)


# The expressions below are built once per day (and thresholds) and shared: building them
# cost ~1 ms each (SQLAlchemy's operator overloads), several times per page. They are
# immutable, so every statement may embed the same objects.
_BUILT_DAYS = 8


@lru_cache(maxsize=_BUILT_DAYS)
def expected_expr(today: date):
    """Expected progress today (the twin of the `expected` rule): the weights of milestones
    planned by today when milestones drive the item, else the straight line."""
    day = literal((today - EPOCH).days, Integer)
    begins = _begins()
    linear = case(
        (WorkItem.due_date.is_(None), 0),
        (WorkItem.due_date <= today, 100),
        (begins >= today, 0),
        # `//`: integer division on both dialects (`/` would be true division on SQLite).
        else_=(100 * (day - epoch_days(begins)))
        // (epoch_days(WorkItem.due_date) - epoch_days(begins)),
    )
    return case(
        (WorkItem.schedule_basis == "milestones", weights_of(Milestone.planned_date <= today)),
        else_=linear,
    )


def actual_expr():
    """Actual progress (the twin of the `actual` rule), as stored by tracker.schedule_facts."""
    return WorkItem.schedule_actual


@lru_cache(maxsize=_BUILT_DAYS)
def lag_expr(today: date):
    return expected_expr(today) - actual_expr()


def light_case(today: date, yellow: int | None = None, red: int | None = None):
    """The light as an SQL CASE over WorkItem: 'done', 'red', 'grey', 'yellow' or 'green'.

    Thresholds default to the settings (needs an app context then)."""
    if yellow is None or red is None:
        yellow, red = thresholds()
    return _light_case(today, yellow, red)


@lru_cache(maxsize=_BUILT_DAYS)
def _light_case(today: date, yellow: int, red: int):
    day = literal((today - EPOCH).days, Integer)
    begins = _begins()
    lag = lag_expr(today)
    closed = or_(WorkItem.status == ItemStatus.COMPLETED.value, WorkItem.retired_at.isnot(None))
    # schedule_grey_days is set only while nothing is verified (report or milestone).
    grey = and_(
        WorkItem.schedule_grey_days.isnot(None),
        begins.isnot(None),
        day - epoch_days(begins) < WorkItem.schedule_grey_days,
    )
    if yellow > red:  # a setting out of order: the plain form (lag read twice)
        return case(
            (closed, "done"),
            (WorkItem.due_date < today, "red"),
            (grey, "grey"),
            (lag > red, "red"),
            (lag >= yellow, "yellow"),
            else_="green",
        )
    # The lag read once per item: clamped into [yellow - 1, red + 1], the two ends are green
    # and red and anything between is yellow — the same as `lag > red → red, lag >= yellow
    # → yellow, else green` for the integer lag.
    clamped = least(greatest(func.coalesce(lag, yellow - 1), yellow - 1), red + 1)
    return case(
        (closed, "done"),
        (WorkItem.due_date < today, "red"),
        (grey, "grey"),
        else_=case({red + 1: "red", yellow - 1: "green"}, value=clamped, else_="yellow"),
    )


def basis_expr():
    """'milestones' when an approved milestone plan drives the item, else 'linear'."""
    return WorkItem.schedule_basis


def schedule_columns(today: date) -> dict:
    """Labelled SQL columns {expected, actual, lag, light, basis} to add to a select of
    WorkItem, in the order `status_from_columns` takes them back."""
    return {
        "expected": expected_expr(today).label("schedule_expected"),
        "actual": actual_expr().label("schedule_actual"),
        "lag": lag_expr(today).label("schedule_lag"),
        "light": light_case(today).label("schedule_light"),
        "basis": basis_expr().label("schedule_basis"),
    }


def status_from_columns(expected, actual, lag, light, basis) -> ScheduleStatus:
    """A ScheduleStatus from the five values of `schedule_columns` read in one row."""
    return ScheduleStatus(expected, actual, lag, light, basis, klass_of(light, lag))


def statuses_of(item_ids: Iterable[int], today: date) -> dict[int, ScheduleStatus]:
    """{item id: ScheduleStatus} of a page of items in one statement, from the stored facts
    (the API list's path; the item list's page reads the same columns with its rows,
    tracker/items/table.py; `schedule_for_items` computes the same from the sources in four)."""
    ids = list(item_ids)
    if not ids:
        return {}
    columns = schedule_columns(today)
    rows = db.session.execute(select(WorkItem.id, *columns.values()).where(WorkItem.id.in_(ids)))
    return {row[0]: status_from_columns(*row[1:]) for row in rows}
