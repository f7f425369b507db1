"""The item list's ids and rows: a department's items in two halves, rows as plain columns.

A page of the item list shows eleven columns of 25 items, their departments' short names,
the focus-period report and the 序时进度. Loading them as WorkItem and Department objects
(every column, identity map, the co-owners by selectinload) cost 1.8 ms CPU at bench M;
the same values as rows of columns cost 0.3 ms. `ItemRow` has what the item table reads
(tracker/items/cells.py) under the names a WorkItem has them, so the cells serve both.
"""

from __future__ import annotations

from dataclasses import astuple
from datetime import date, datetime
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import bindparam, false, func, select, union_all

from tracker.extensions import db
from tracker.item_predicates import due_soon_days
from tracker.items.queries import ITEM_LIST_ORDER, ItemFilters, apply_filters, focus_report_join
from tracker.models import Department, WorkItem, item_co_department
from tracker.models.work import is_closed
from tracker.pagination import Page, PagedQuery, paged, paginate_kept
from tracker.schedule import ScheduleStatus
from tracker.schedule_query import (
    light_case,
    schedule_columns,
    status_from_columns,
    thresholds,
)
from tracker.workflow import can_see_all


class ItemRow(NamedTuple):
    """One item of a list page, as the item table reads it (a tuple, read by attribute like
    a WorkItem)."""

    id: int
    code: str
    title: str
    is_demo: bool
    lead_department_id: int | None
    lead_name: str | None
    due_date: date | None
    original_due_date: date | None
    status: str
    progress: int
    retired_at: datetime | None
    co_names: tuple[str, ...] = ()

    @property
    def is_closed(self) -> bool:
        return is_closed(self.status, self.retired_at)


_COLUMNS = (
    WorkItem.id,
    WorkItem.code,
    WorkItem.title,
    WorkItem.is_demo,
    WorkItem.lead_department_id,
    Department.short_name,
    WorkItem.due_date,
    WorkItem.original_due_date,
    WorkItem.status,
    WorkItem.progress,
    WorkItem.retired_at,
)
_WIDTH = len(_COLUMNS)


def item_table_query(today: date):
    """The columns of `ItemRow`, the focus report's state and id, and the five 序时进度
    columns of the items in the expanding parameter `ids`, in list order.

    One statement object per day and light thresholds, kept: SQLAlchemy memoises a
    statement's cache key on the object, and walking this one (three CASE columns with
    correlated subqueries) cost ~0.6 ms of every page when it was built anew."""
    return _table_statement(today, *thresholds())


@lru_cache(maxsize=8)
def _table_statement(today: date, yellow: int, red: int):
    focus, on = focus_report_join(today)
    columns = schedule_columns(today)
    columns["light"] = light_case(today, yellow, red).label("schedule_light")
    return (
        select(*_COLUMNS, focus.state, focus.id, *columns.values())
        .select_from(WorkItem)
        .outerjoin(focus, on)
        .outerjoin(Department, Department.id == WorkItem.lead_department_id)
        .where(WorkItem.id.in_(bindparam("ids", expanding=True)))
        .order_by(*ITEM_LIST_ORDER)
    )


def item_ids_query(user, filters: ItemFilters, today: date):
    """The ids of the items item_list_query lists, in list order: what the list pages
    count and page through."""
    see_all = user is None or can_see_all(user)
    return _ids_query(see_all, None if see_all else user.department_id, filters, today)


def item_ids_page(user, filters: ItemFilters, today: date) -> Page:
    """This request's page of the list's ids, and their count (two statements)."""
    return paginate_kept(item_ids_statements(user, filters, today), per_page=25)


def item_ids_statements(user, filters: ItemFilters, today: date) -> PagedQuery:
    """The count and page statements of `item_ids_query`, kept per viewer scope, filters,
    day and the settings they read (building and walking them was ~0.6 ms of a liaison's
    page). Not kept when filtered by a plan heading or 专栏: their headings are read from
    the plan tree while the statement is built."""
    see_all = user is None or can_see_all(user)
    department_id = None if see_all else user.department_id
    if filters.node_id or filters.column:
        return _ids_statements(see_all, department_id, filters, today)
    settings = (due_soon_days(), *thresholds())
    return _kept_ids_statements(see_all, department_id, astuple(filters), today, settings)


@lru_cache(maxsize=512)
def _kept_ids_statements(see_all, department_id, filter_values, today, _settings):
    return _ids_statements(see_all, department_id, ItemFilters(*filter_values), today)


def _ids_statements(see_all, department_id, filters: ItemFilters, today: date) -> PagedQuery:
    query, halves = _ids_query_and_halves(see_all, department_id, filters, today)
    statements = paged(query)
    if halves:
        # A department's count as the sum of its halves' counts (they never overlap): the
        # count over their UNION ALL made SQLite copy the rows first (0.6 → 0.3 ms, bench M).
        counts = [select(func.count()).select_from(half.subquery()) for half in halves]
        total = counts[0].scalar_subquery() + counts[1].scalar_subquery()
        statements = PagedQuery(count=select(total), page=statements.page)
    return statements


def _ids_query(see_all: bool, department_id: int | None, filters: ItemFilters, today: date):
    return _ids_query_and_halves(see_all, department_id, filters, today)[0]


def _ids_query_and_halves(see_all, department_id, filters: ItemFilters, today: date):
    """The ordered ids query, and for a department its two filtered halves."""
    # The focus report is joined only when filtered by (at most one per item, so it never
    # changes the count): the join made the item list's count 35× slower (8.6 ms against
    # 0.23 ms, bench M, SQLite).
    focus, on = focus_report_join(today)

    def filtered(query):
        if filters.review:
            query = query.outerjoin(focus, on)
        return apply_filters(query, focus, None, filters, today)

    if see_all or department_id is None:
        query = select(WorkItem.id) if see_all else select(WorkItem.id).where(false())
        return filtered(query).order_by(*ITEM_LIST_ORDER), ()
    # A department's items as two halves, each filtered on its own: what it leads, and what
    # it co-owns and does not lead. `id IN (led UNION ALL co-owned)` looked up every
    # visible item by key before filtering and sorting them; the halves read their own
    # indexes (a busy department at bench M, SQLite: count 1.0 → 0.3 ms, page 0.9 → 0.5).
    led = select(WorkItem.id, WorkItem.plan_id).where(WorkItem.lead_department_id == department_id)
    co_owned = (
        select(WorkItem.id, WorkItem.plan_id)
        .join(item_co_department, item_co_department.c.item_id == WorkItem.id)
        .where(
            item_co_department.c.department_id == department_id,
            WorkItem.lead_department_id.is_distinct_from(department_id),
        )
    )
    halves = (filtered(led), filtered(co_owned))
    visible = union_all(*halves).subquery("visible")
    return select(visible.c.id).order_by(visible.c.plan_id, visible.c.id), halves


# Kept, like the table's statement: its cache key is memoised on the object.
_CO_OWNER_NAMES = (
    select(item_co_department.c.item_id, Department.short_name)
    .join(Department, Department.id == item_co_department.c.department_id)
    .where(item_co_department.c.item_id.in_(bindparam("ids", expanding=True)))
    .order_by(item_co_department.c.item_id, Department.id)
)


def co_owner_names(item_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """{item id: the co-owners' short names in department order} of those items."""
    if not item_ids:
        return {}
    names: dict[int, list[str]] = {}
    for item_id, name in db.session.execute(_CO_OWNER_NAMES, {"ids": list(item_ids)}):
        names.setdefault(item_id, []).append(name)
    return {item_id: tuple(found) for item_id, found in names.items()}


def table_rows(today: date, ids: list[int]) -> tuple[list[tuple], dict[int, ScheduleStatus]]:
    """The item table's (ItemRow, focus state, focus id) rows of the items `ids` in list
    order, and {item id: ScheduleStatus}: two statements (rows, co-owners)."""
    if not ids:
        return [], {}
    rows = db.session.execute(item_table_query(today), {"ids": list(ids)}).all()
    co_names = co_owner_names([row[0] for row in rows])
    table, schedules = [], {}
    for row in rows:
        item = ItemRow(*row[:_WIDTH], co_names=co_names.get(row[0], ()))
        table.append((item, row[_WIDTH], row[_WIDTH + 1]))
        schedules[item.id] = status_from_columns(*row[_WIDTH + 2 :])
    return table, schedules
