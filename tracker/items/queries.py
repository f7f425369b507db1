"""Set-based queries over work items and reports, shared by pages, dashboards and exports.

Every function takes `today` explicitly and returns a bounded number of statements'
worth of work: filters are SQL clauses, counts are GROUP BY, lists are eager-loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, selectinload

from tracker.extensions import db
from tracker.item_predicates import (
    due_soon_clause,
    due_windows,
    on_schedule_clause,
    open_clause,
    overdue_clause,
    visibility_clause,
)
from tracker.items.headings import column_node_ids, subtree_node_ids
from tracker.models import (
    Department,
    ExtensionRequest,
    Plan,
    Report,
    ReportingPeriod,
    ReportRevision,
    WorkItem,
    item_co_department,
)
from tracker.numbers import int_param
from tracker.periods import focus_period_ids
from tracker.schedule import LIGHTS
from tracker.schedule_query import light_case
from tracker.workflow import ItemStatus, ReviewState

ITEM_STATUSES = (*(status.value for status in ItemStatus), "retired")
REVIEW_FILTERS = ("missing", *(state.value for state in ReviewState))
ITEM_LIST_ORDER = (WorkItem.plan_id, WorkItem.id)


# Built once: building one per call cost ~1 ms of Python each (column proxies).
_FOCUS_REPORT = aliased(Report, name="focus_report")


def items_needing_report(period, *, outstanding_only: bool = False):
    """SELECT of the items that owe a report for `period`: open items of its plan with a
    lead department. With `outstanding_only`, only those whose report for the period is
    missing, a draft or returned (what reminders are about)."""
    query = select(WorkItem).where(
        WorkItem.plan_id == period.plan_id,
        open_clause(),
        WorkItem.lead_department_id.is_not(None),
    )
    if outstanding_only:
        done = select(Report.item_id).where(
            Report.period_id == period.id,
            Report.state.in_((ReviewState.SUBMITTED.value, ReviewState.VERIFIED.value)),
        )
        query = query.where(WorkItem.id.not_in(done))
    return query.order_by(WorkItem.id)


def focus_report_join(today: date):
    """An aliased Report and the ON clause joining each item to its report for the period
    in focus on `today` (outer-join it: no report yet is a state too)."""
    focus = _FOCUS_REPORT
    # The set of every plan's focus period, computed once: an item's reports only name its
    # own plan's periods, so at most one matches. The per-item correlated subquery it
    # replaces cost 35 ms per 10,000 items (bench M, SQLite) in every list and count.
    on = and_(focus.item_id == WorkItem.id, focus.period_id.in_(focus_period_ids(today)))
    return focus, on


# ---------------------------------------------------------------- item lists


@dataclass
class ItemFilters:
    """What the list pages, exports and the API filter by (all optional)."""

    plan_id: int | None = None
    section_id: int | None = None
    department_id: int | None = None  # lead department
    unassigned: bool = False
    status: str | None = None  # not_started / in_progress / completed / retired / open
    review: str | None = None  # state of the focus-period report, or "missing"
    due: str | None = None  # predicates.due_windows(): overdue / N days ahead / later
    q: str | None = None
    node_id: int | None = None  # source node: this plan heading or any under it
    column: bool = False  # source node is a 专栏 or lies inside one
    light: str | None = None  # 序时进度 light (tracker.schedule.LIGHTS)

    @classmethod
    def from_args(cls, args) -> ItemFilters:
        def as_int(name):
            # not a number: no filter; a number no column holds: 400 (tracker.numbers)
            try:
                return int_param(args.get(name) or "") or None
            except ValueError:
                return None

        department = args.get("department") or ""
        status = args.get("status") or None
        review = args.get("review") or None
        due = args.get("due") or None
        return cls(
            plan_id=as_int("plan"),
            section_id=as_int("section"),
            department_id=as_int("department"),
            unassigned=department == "none",
            status=status if status in (*ITEM_STATUSES, "open") else None,
            review=review if review in REVIEW_FILTERS else None,
            due=due if due in due_windows() else None,
            q=(args.get("q") or "").strip()[:100] or None,
            node_id=as_int("node"),
            column=args.get("column") == "1",
            light=args.get("light") if args.get("light") in LIGHTS else None,
        )

    def as_args(self) -> dict:
        names = {
            "plan_id": "plan",
            "section_id": "section",
            "department_id": "department",
            "node_id": "node",
        }
        args = {names.get(f.name, f.name): getattr(self, f.name) for f in fields(self)}
        if args.pop("unassigned"):
            args["department"] = "none"
        args["column"] = 1 if args["column"] else None
        return {k: v for k, v in args.items() if v not in (None, "", False)}


def item_list_query(user, filters: ItemFilters, today: date, *, ids=None):
    """Rows of (WorkItem, focus report state, focus report id) for a list page; with `ids`
    (a page of the ids of tracker.items.table.item_ids_query, in list order), just those rows."""
    focus, on = focus_report_join(today)
    query = (
        select(WorkItem, focus.state, focus.id)
        .outerjoin(focus, on)
        .options(
            joinedload(WorkItem.lead_department),
            selectinload(WorkItem.co_departments),
        )
    )
    if ids is not None:
        # A liaison's page joined every visible item's row, report and department before
        # sorting and keeping 25 (4 ms at bench M); the ids come from indexes alone.
        return query.where(WorkItem.id.in_(ids)).order_by(*ITEM_LIST_ORDER)
    return apply_filters(query, focus, user, filters, today).order_by(*ITEM_LIST_ORDER)


def apply_filters(query, focus, user, f: ItemFilters, today: date):
    """`query` with the filters `f`, and only what `user` may see (None: visibility is
    the caller's)."""
    if user is not None:
        query = query.where(visibility_clause(user))
    if f.plan_id:
        query = query.where(WorkItem.plan_id == f.plan_id)
    if f.section_id:
        query = query.where(WorkItem.section_node_id == f.section_id)
    if f.unassigned:
        query = query.where(WorkItem.lead_department_id.is_(None))
    elif f.department_id:
        query = query.where(WorkItem.lead_department_id == f.department_id)
    if f.status == "retired":
        query = query.where(WorkItem.retired_at.is_not(None))
    elif f.status == "open":
        query = query.where(open_clause())
    elif f.status:
        query = query.where(WorkItem.status == f.status, WorkItem.retired_at.is_(None))
    else:
        query = query.where(WorkItem.retired_at.is_(None))
    if f.review == "missing":  # an open item whose lead still owes this period's report
        query = query.where(
            focus.id.is_(None), open_clause(), WorkItem.lead_department_id.is_not(None)
        )
    elif f.review:
        query = query.where(focus.state == f.review)
    if f.due == "overdue":
        query = query.where(overdue_clause(today))
    elif f.due == "later":
        query = query.where(on_schedule_clause(today))
    elif f.due:
        query = query.where(due_soon_clause(today, int(f.due)))
    if f.node_id:
        query = query.where(WorkItem.source_node_id.in_(subtree_node_ids(f.node_id)))
    if f.column:
        query = query.where(WorkItem.source_node_id.in_(column_node_ids(f.plan_id)))
    if f.light:
        query = query.where(light_case(today) == f.light)
    if f.q:
        words = [w for w in f.q.split() if w]
        for word in words[:5]:
            query = query.where(
                or_(
                    WorkItem.code.contains(word, autoescape=True),
                    WorkItem.title.contains(word, autoescape=True),
                    WorkItem.description.contains(word, autoescape=True),
                    WorkItem.deliverable.contains(word, autoescape=True),
                )
            )
    return query


# ---------------------------------------------------------------- counts


def overdue_by_department(today: date, user=None) -> list[tuple[int | None, str | None, int]]:
    """(department id, short name, overdue count), most overdue first; None = no owner."""
    rows = db.session.execute(
        select(Department.id, Department.short_name, func.count(WorkItem.id))
        .select_from(WorkItem)
        .outerjoin(Department, Department.id == WorkItem.lead_department_id)
        .where(overdue_clause(today), visibility_clause(user))
        .group_by(Department.id, Department.short_name)
        .order_by(func.count(WorkItem.id).desc(), Department.short_name)
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


# ---------------------------------------------------------------- lists for home pages


def deadline_counts(user, today: date, *extra) -> dict[str, int]:
    """How many visible items are overdue and due soon, in one statement.

    Home pages show only the first rows of each list; the cards need the real totals.
    """
    overdue, due_soon = db.session.execute(
        select(
            func.coalesce(func.sum(case((overdue_clause(today), 1), else_=0)), 0),
            func.coalesce(func.sum(case((due_soon_clause(today), 1), else_=0)), 0),
        )
        .select_from(WorkItem)
        .where(visibility_clause(user), *extra)
    ).one()
    return {"overdue": int(overdue), "due_soon": int(due_soon)}


def item_rows(user, today: date, *where, order=None, limit: int = 20):
    """(WorkItem, focus state, focus report id) rows with owners eager-loaded."""
    focus, on = focus_report_join(today)
    order = order if order is not None else (WorkItem.due_date, WorkItem.id)
    # The first `limit` ids, chosen from indexes alone (ix_work_item_id_state), then only
    # their rows joined: joining every candidate's row, report and department before the
    # sort cost a busy department's home ~3 ms per list at bench M (SQLite).
    first = select(WorkItem.id).where(visibility_clause(user), *where).order_by(*order)
    # The LIMIT is inside the id subquery, so the co-owners can be joined in the same
    # statement (a selectinload was one more per list: three on a liaison's home).
    # Joined flat (link table, then department), not by joinedload: its parenthesised
    # `LEFT JOIN (item_co_department JOIN department)` made SQLite materialise every item's
    # co-owners (~10k rows at bench M, ~20 ms) for each list.
    co_owner = aliased(Department, name="co_owner")
    query = (
        select(WorkItem, focus.state, focus.id)
        .outerjoin(focus, on)
        .outerjoin(item_co_department, item_co_department.c.item_id == WorkItem.id)
        .outerjoin(co_owner, co_owner.id == item_co_department.c.department_id)
        .where(WorkItem.id.in_(first.limit(limit).scalar_subquery()))
        .options(
            joinedload(WorkItem.lead_department),
            contains_eager(WorkItem.co_departments.of_type(co_owner)),
        )
        .order_by(*order, co_owner.id)
    )
    return db.session.execute(query).unique().all()


def report_rows(user, *where, order=None, limit: int = 20):
    """Reports with their item, lead department and period eager-loaded."""
    query = (
        select(Report)
        .join(WorkItem, WorkItem.id == Report.item_id)
        .where(visibility_clause(user), *where)
        .options(
            joinedload(Report.item).joinedload(WorkItem.lead_department),
            joinedload(Report.period),
        )
        .order_by(*(order if order is not None else (Report.updated_at.desc(),)))
        .limit(limit)
    )
    return db.session.scalars(query).unique().all()


def report_revisions(report_id: int) -> list[ReportRevision]:
    """A report's history, newest submission first, with who submitted and who reviewed."""
    return db.session.scalars(
        select(ReportRevision)
        .where(ReportRevision.report_id == report_id)
        .options(joinedload(ReportRevision.submitted_by), joinedload(ReportRevision.reviewer))
        .order_by(ReportRevision.number.desc())
    ).all()


def previous_verified_report(
    item_id: int, other_than: int | None, *, not_after: date | None = None
) -> Report | None:
    """The item's latest verified report other than `other_than` (by period), with its period
    and reviewer; with `not_after`, only periods starting on or before that day."""
    where = [
        Report.item_id == item_id,
        Report.state == ReviewState.VERIFIED.value,
        Report.id != (other_than or 0),
    ]
    if not_after is not None:
        where.append(ReportingPeriod.start_date <= not_after)
    return db.session.scalar(
        select(Report)
        .join(ReportingPeriod, ReportingPeriod.id == Report.period_id)
        .where(*where)
        .options(joinedload(Report.period), joinedload(Report.reviewer))
        .order_by(ReportingPeriod.start_date.desc())
        .limit(1)
    )


def reports_to_write(user, today: date, limit: int = 50):
    """Items the user's department leads that still need this period's report: no report
    yet or a draft (returned ones are listed on their own, first)."""
    focus, on = focus_report_join(today)
    # Plans with a period in focus, as one set: the per-item correlated subquery it replaces
    # was most of this list's 8 ms on PostgreSQL (bench M, busiest department).
    has_focus = WorkItem.plan_id.in_(
        select(ReportingPeriod.plan_id).where(ReportingPeriod.id.in_(focus_period_ids(today)))
    )
    query = (
        select(WorkItem, focus.state, focus.id)
        .outerjoin(focus, on)
        .where(
            WorkItem.lead_department_id == user.department_id,
            open_clause(),
            has_focus,
            or_(focus.id.is_(None), focus.state == ReviewState.DRAFT.value),
        )
        .options(joinedload(WorkItem.lead_department))
        .order_by(WorkItem.due_date, WorkItem.id)
        .limit(limit)
    )
    return db.session.execute(query).all()


def pending_extensions(user, limit: int = 50):
    return db.session.scalars(
        select(ExtensionRequest)
        .join(WorkItem, WorkItem.id == ExtensionRequest.item_id)
        .where(ExtensionRequest.state == "pending", visibility_clause(user))
        .options(
            joinedload(ExtensionRequest.item).joinedload(WorkItem.lead_department),
            joinedload(ExtensionRequest.requested_by),
        )
        .order_by(ExtensionRequest.created_at)
        .limit(limit)
    ).all()


def plans_without_focus_period(today: date) -> list[tuple[int, str]]:
    """Active plans whose period rows do not reach `today` (the office can create them)."""
    return db.session.execute(
        select(Plan.id, Plan.title).where(
            Plan.status == "active",
            ~exists().where(
                ReportingPeriod.plan_id == Plan.id,
                ReportingPeriod.start_date <= today,
                ReportingPeriod.deadline >= today,
            ),
            exists().where(WorkItem.plan_id == Plan.id),
        )
    ).all()
