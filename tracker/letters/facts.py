"""The facts the letter rules read, gathered set-based: a fixed number of queries per run
whatever the number of items (open items with their late report, returns in a row, the
序时进度 light from tracker.schedule_query, and the letters on file)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select

from tracker.extensions import db
from tracker.item_predicates import open_clause
from tracker.letters.rules import ItemFacts, LetterFacts
from tracker.models import Letter, Plan, Report, ReportingPeriod, ReportRevision, WorkItem
from tracker.models.letters import letter_item
from tracker.notify.deadlines import open_items_filter, unreported_items
from tracker.periods import period_containing
from tracker.schedule_query import light_case
from tracker.workdays import working_days_between
from tracker.workflow import OPEN_LETTER_STATES

logger = logging.getLogger(__name__)

# Report states that still owe the office a submission (as tracker.notify.deadlines).
# Closed, cancelled and escalated letters older than this no longer answer a fact: their
# periods and revisions are long past.
_MEMORY = timedelta(days=400)


def _open_items() -> dict[int, dict]:
    rows = db.session.execute(
        select(WorkItem.id, WorkItem.code, WorkItem.title, WorkItem.lead_department_id)
        .join(Plan, Plan.id == WorkItem.plan_id)
        .where(open_items_filter())
    ).all()
    return {
        row.id: {
            "item_id": row.id,
            "code": row.code,
            "title": row.title,
            "department_id": row.lead_department_id,
        }
        for row in rows
    }


def late_reports(today: date) -> dict[int, tuple[int, int, str]]:
    """item → (working days late, period id, period label) for open items whose report for
    their plan's latest passed deadline is not submitted (two queries)."""
    latest_passed = (
        select(ReportingPeriod.plan_id, func.max(ReportingPeriod.deadline).label("deadline"))
        .where(ReportingPeriod.deadline < today)
        .group_by(ReportingPeriod.plan_id)
        .subquery()
    )
    periods = db.session.execute(
        select(ReportingPeriod.id, ReportingPeriod.label, ReportingPeriod.deadline).join(
            latest_passed,
            and_(
                latest_passed.c.plan_id == ReportingPeriod.plan_id,
                latest_passed.c.deadline == ReportingPeriod.deadline,
            ),
        )
    ).all()
    if not periods:
        return {}
    by_id = {p.id: p for p in periods}
    days = {p.id: working_days_between(p.deadline, today) for p in periods}
    rows = db.session.execute(unreported_items(by_id, WorkItem.id)).all()
    return {
        row.id: (days[row.period_id], row.period_id, by_id[row.period_id].label) for row in rows
    }


def returns_in_a_row() -> dict[int, tuple[int, int]]:
    """item → (how many of its two latest reviews were returns, the latest revision id), for
    open items whose latest review was a return (one query, a window per item)."""
    reviewed = func.coalesce(ReportRevision.reviewed_at, ReportRevision.submitted_at)
    ranked = (
        select(
            Report.item_id,
            ReportRevision.id.label("revision_id"),
            ReportRevision.outcome,
            func.row_number()
            .over(partition_by=Report.item_id, order_by=(reviewed.desc(), ReportRevision.id.desc()))
            .label("position"),
        )
        .join(Report, Report.id == ReportRevision.report_id)
        .join(WorkItem, WorkItem.id == Report.item_id)
        .join(Plan, Plan.id == WorkItem.plan_id)
        .where(ReportRevision.outcome.is_not(None), open_items_filter())
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.item_id, ranked.c.revision_id, ranked.c.outcome, ranked.c.position)
        .where(ranked.c.position <= 2)
        .order_by(ranked.c.item_id, ranked.c.position)
    ).all()
    result: dict[int, tuple[int, int]] = {}
    for row in rows:
        if row.position == 1:
            if row.outcome == "returned":
                result[row.item_id] = (1, row.revision_id)
        elif row.item_id in result and row.outcome == "returned":
            result[row.item_id] = (2, result[row.item_id][1])
    return result


def schedule_lights(today: date) -> dict[int, dict]:
    """item → {"light", "light_period", "red_last_period"} for open items yellow or red on
    序时进度 (issue 16), in one query: the SQL twin of tracker.schedule (light_case), today and
    at the end of the previous quarter. "Red then" is judged with today's verified progress,
    which can only have grown since: an item red both times has been red a whole period.
    The quarter's label is the reason's basis, so a closed letter answers it for the quarter.
    """
    span = period_containing(today)
    before = span.start - timedelta(days=1)
    rows = db.session.execute(
        select(
            WorkItem.id,
            light_case(today).label("light"),
            light_case(before).label("before"),
        ).where(
            # Not a join on Plan: light_case reads the plan's frequency in a subquery
            # correlated to WorkItem, which a Plan in this FROM would swallow.
            open_clause(),
            WorkItem.lead_department_id.is_not(None),
            WorkItem.plan_id.in_(select(Plan.id).where(Plan.status == "active")),
        )
    ).all()
    return {
        row.id: {
            "light": row.light,
            "light_period": span.label,
            "red_last_period": row.light == "red" and row.before == "red",
        }
        for row in rows
        if row.light in ("yellow", "red")
    }


def letter_facts(today: date) -> list[LetterFacts]:
    """Open letters, and recent closed/cancelled/escalated ones (what they answered), with
    their items (two queries)."""
    rows = db.session.execute(
        select(
            Letter.id,
            Letter.level,
            Letter.department_id,
            Letter.state,
            Letter.reply_due,
            Letter.reasons,
        ).where(
            or_(
                Letter.state.in_([str(s) for s in OPEN_LETTER_STATES]),
                Letter.issued_on >= today - _MEMORY,
            )
        )
    ).all()
    if not rows:
        return []
    items: dict[int, set[int]] = {}
    ids = [row.id for row in rows]
    for letter_id, item_id in db.session.execute(
        select(letter_item.c.letter_id, letter_item.c.item_id).where(
            letter_item.c.letter_id.in_(ids)
        )
    ):
        items.setdefault(letter_id, set()).add(item_id)
    return [
        LetterFacts(
            id=row.id,
            level=row.level,
            department_id=row.department_id,
            state=row.state,
            item_ids=frozenset(items.get(row.id, ())),
            reply_due=row.reply_due,
            reasons=tuple(
                (reason["item_id"], reason["basis"])
                for reason in (row.reasons or [])
                if "item_id" in reason and "basis" in reason
            ),
        )
        for row in rows
    ]


def item_facts(today: date) -> list[ItemFacts]:
    """Every open item with a lead department, with what the rules need to know about it."""
    items = _open_items()
    late = late_reports(today)
    returns = returns_in_a_row()
    lights = schedule_lights(today)
    result = []
    for item_id, base in items.items():
        if base["department_id"] is None:
            continue
        facts = dict(base)
        if item_id in late:
            facts["late_days"], facts["late_period_id"], facts["late_period"] = late[item_id]
        if item_id in returns:
            facts["returns_in_a_row"], facts["last_return_id"] = returns[item_id]
        facts.update(lights.get(item_id, {}))
        result.append(ItemFacts(**facts))
    return result
