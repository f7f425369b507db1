"""Test rows, one factory per kind: plans, items, periods and reports made with the models.

The area support modules (dashboard_support, items_support, indicators_support, notify_data)
build their scenes on these; `items_support` also drives the real operations when a test
needs rows exactly as production writes them. Departments and users: `make_department`,
`make_user` (also on the `factories` fixture).
"""

from __future__ import annotations

import itertools
from datetime import date

from tests.conftest import make_department, make_user
from tracker.extensions import db
from tracker.models import (
    Plan,
    Report,
    ReportingPeriod,
    ReportRevision,
    WorkItem,
    item_co_department,
)

__all__ = [
    "make_department",
    "make_item",
    "make_period",
    "make_plan",
    "make_report",
    "make_user",
    "plan_from_text",
]

PLAN_TITLE = "绍兴市质量发展“十四五”规划"
_numbers = itertools.count(1)


def make_plan(
    title: str = PLAN_TITLE,
    *,
    start_year: int = 2021,
    end_year: int = 2025,
    status: str = "active",
    **fields,
) -> Plan:
    """A plan row without nodes (the callers add the tree their tests need)."""
    plan = Plan(
        title=title,
        start_year=start_year,
        end_year=end_year,
        status=status,
        source_sha256=fields.pop("source_sha256", "0" * 64),
        **fields,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def plan_from_text(text: str, title: str | None = None) -> Plan:
    """A plan parsed and imported by the real plan import, from its text."""
    from tracker.plans.operations import import_plan
    from tracker.plans.parser import parse_plan

    plan = import_plan(None, parse_plan(text), text, title=title)
    db.session.flush()
    return plan


def make_item(
    plan=None,
    lead=None,
    *,
    co=(),
    due: date | None = None,
    code: str | None = None,
    title: str | None = None,
    **fields,
) -> WorkItem:
    """A work item row owned by `lead` (a department or None) with co-departments `co`."""
    number = next(_numbers)
    code = code or f"三.{number}.(1)"
    item = WorkItem(
        plan_id=(plan or make_plan()).id,
        code=code,
        title=title or f"任务{code}",
        lead_department_id=lead.id if lead is not None else None,
        due_date=due,
        status=fields.pop("status", "in_progress"),
        **fields,
    )
    db.session.add(item)
    db.session.flush()
    if co:
        db.session.execute(
            item_co_department.insert(),
            [{"item_id": item.id, "department_id": d.id} for d in co],
        )
        db.session.expire(item, ["co_departments"])
    return item


def make_period(plan, label: str, start: date, end: date, deadline: date) -> ReportingPeriod:
    period = ReportingPeriod(
        plan_id=plan.id, label=label, start_date=start, end_date=end, deadline=deadline
    )
    db.session.add(period)
    db.session.flush()
    return period


def make_report(item, period, state: str = "submitted", *, revisions=(), **fields) -> Report:
    """A report row in `state`; `revisions` are (submitted_at, outcome) pairs, oldest first."""
    report = Report(item_id=item.id, period_id=period.id, state=state, **fields)
    db.session.add(report)
    db.session.flush()
    for number, (at, outcome) in enumerate(revisions, start=1):
        db.session.add(
            ReportRevision(report_id=report.id, number=number, submitted_at=at, outcome=outcome)
        )
    if revisions:
        db.session.flush()
    return report
