"""The item list's filter choices: plans, the sections items hang on, lead departments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tracker.extensions import db
from tracker.item_predicates import visibility_clause
from tracker.models import Department, Plan, PlanNode, WorkItem
from tracker.plan_lists import section_option_label


@dataclass(frozen=True)
class SectionChoice:
    id: int
    plan_id: int
    label: str


def filter_choices(user, plan_id: int | None = None):
    """Plans, sections and departments for the filter form (three queries). With a plan
    chosen, only its sections; without, every plan's, each labelled with its plan."""
    plans = db.session.execute(
        select(Plan.id, Plan.title).order_by(Plan.start_year.desc(), Plan.id)
    ).all()
    section_query = (
        select(PlanNode.id, PlanNode.plan_id, PlanNode.code, PlanNode.title)
        .where(PlanNode.id.in_(select(WorkItem.section_node_id).where(visibility_clause(user))))
        .order_by(PlanNode.plan_id, PlanNode.position)
    )
    if plan_id:
        section_query = section_query.where(PlanNode.plan_id == plan_id)
    rows = db.session.execute(section_query).all()
    titles = dict(plans)
    several = not plan_id and len({row.plan_id for row in rows}) > 1
    sections = [
        SectionChoice(
            row.id,
            row.plan_id,
            section_option_label(
                row.code, row.title, titles.get(row.plan_id, "") if several else None
            ),
        )
        for row in rows
    ]
    departments = db.session.execute(
        select(Department.id, Department.short_name)
        .where(
            Department.id.in_(select(WorkItem.lead_department_id).where(visibility_clause(user)))
        )
        .order_by(Department.short_name)
    ).all()
    return plans, sections, departments
