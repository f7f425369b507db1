"""The item list's filter choices: plans, the sections items hang on, lead departments.

The page ships only the chosen ones (`chosen_labels`); the rest come, a few at a time, from
a small JSON endpoint as the user types (`search_choices`, static/choices.js). Shipping every
option made the page 42 KB at bench M (300 departments, the sections of all 10 plans) and
let it grow with the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Integer, and_, bindparam, exists, false, func, select, true

from tracker.extensions import db
from tracker.item_predicates import department_clause, visibility_clause
from tracker.models import Department, Plan, PlanNode, WorkItem
from tracker.plan_lists import section_option_label
from tracker.workflow import can_see_all

CHOICE_KINDS = ("plan", "section", "department")
MAX_CHOICES = 20


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True)
class ChosenLabels:
    plan: Choice | None = None
    section: Choice | None = None
    department: Choice | None = None


def _visible(user, column):
    return select(column).where(visibility_clause(user))


def _like(column, words: list[str]):
    return [column.contains(word, autoescape=True) for word in words]


def search_choices(user, kind: str, q: str = "", plan_id: int | None = None) -> dict:
    """Up to MAX_CHOICES matches of `q` (every word) among what the user's items use; one
    query. Sections are scoped to `plan_id` when given, else each is labelled with its plan
    (三.(一) is a different section in every plan) when there is more than one plan."""
    words = q.split()[:5]
    if kind == "plan":
        query = select(Plan.id, Plan.title).where(*_like(Plan.title, words))
        rows = db.session.execute(
            query.order_by(Plan.start_year.desc(), Plan.id).limit(MAX_CHOICES + 1)
        ).all()
        results = [Choice(row.id, row.title) for row in rows]
    elif kind == "section":
        query = (
            select(
                PlanNode.id,
                PlanNode.plan_id,
                PlanNode.code,
                PlanNode.title,
                Plan.title,
                select(func.count(Plan.id)).scalar_subquery(),
            )
            .join(Plan, Plan.id == PlanNode.plan_id)
            .where(PlanNode.id.in_(_visible(user, WorkItem.section_node_id)))
        )
        for word in words:
            query = query.where(
                PlanNode.code.contains(word, autoescape=True)
                | PlanNode.title.contains(word, autoescape=True)
                | Plan.title.contains(word, autoescape=True)
            )
        if plan_id:
            query = query.where(PlanNode.plan_id == plan_id)
        rows = db.session.execute(
            query.order_by(Plan.start_year.desc(), PlanNode.plan_id, PlanNode.position).limit(
                MAX_CHOICES + 1
            )
        ).all()
        several = not plan_id and bool(rows) and rows[0][5] > 1
        results = [
            Choice(row[0], section_option_label(row.code, row[3], row[4] if several else None))
            for row in rows
        ]
    else:
        query = select(Department.id, Department.short_name).where(
            Department.id.in_(_visible(user, WorkItem.lead_department_id)),
            *_like(Department.short_name, words),
        )
        rows = db.session.execute(
            query.order_by(Department.short_name).limit(MAX_CHOICES + 1)
        ).all()
        results = [Choice(row.id, row.short_name) for row in rows]
    return {
        "results": [{"id": c.id, "label": c.label} for c in results[:MAX_CHOICES]],
        "more": len(results) > MAX_CHOICES,
    }


def chosen_labels(user, plan_id, section_id, department_id) -> ChosenLabels:
    """Labels of the choices the filters name (what the page shows as chosen); one query,
    none when nothing is chosen. An id the user's items do not use has no label."""
    if not (plan_id or section_id or department_id):
        return ChosenLabels()
    see_all = user is None or can_see_all(user)
    statement = _chosen_statement(see_all, None if see_all else user.department_id)
    chosen = {"plan": plan_id or 0, "section": section_id or 0, "department": department_id or 0}
    row = db.session.execute(statement, chosen).one()
    plan_title, code, title, section_plan, plans, department = row
    several = not plan_id and plans > 1
    return ChosenLabels(
        plan=Choice(plan_id, plan_title) if plan_title is not None else None,
        section=Choice(
            section_id, section_option_label(code, title, section_plan if several else None)
        )
        if code is not None
        else None,
        department=Choice(department_id, department) if department is not None else None,
    )


@lru_cache(maxsize=256)
def _chosen_statement(see_all: bool, department_id: int | None):
    """`chosen_labels`' statement for a viewer scope, the ids as parameters: kept, so it is
    neither built nor walked for its cache key on each request (~0.6 ms of a filtered list).
    "Some visible item uses it" is an EXISTS on the one id: an IN over every visible item's
    column read all of them (1 ms for the office at bench M)."""
    if see_all:
        visible = true()
    elif department_id is None:
        visible = false()
    else:
        visible = department_clause(department_id)
    section_id = bindparam("section", type_=Integer)
    visible_section = and_(
        PlanNode.id == section_id,
        exists().where(WorkItem.section_node_id == PlanNode.id, visible),
    )
    return select(
        select(Plan.title).where(Plan.id == bindparam("plan", type_=Integer)).scalar_subquery(),
        select(PlanNode.code).where(visible_section).scalar_subquery(),
        select(PlanNode.title).where(visible_section).scalar_subquery(),
        select(Plan.title)
        .join(PlanNode, PlanNode.plan_id == Plan.id)
        .where(visible_section)
        .scalar_subquery(),
        select(func.count(Plan.id)).scalar_subquery(),
        select(Department.short_name)
        .where(
            Department.id == bindparam("department", type_=Integer),
            exists().where(WorkItem.lead_department_id == Department.id, visible),
        )
        .scalar_subquery(),
    )
