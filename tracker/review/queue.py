"""The review queue: what waits for the office, for every kind of submission.

One query serves work-item reports (the /review page and the office home), indicator
values (the indicators' review list) and milestone plans and reached claims (the office
home): rows in a state the table lets the office verify (`tracker.transitions.moves(kind,
VERIFY)`: "submitted"), that the user may see, oldest submission first, with what the lists
show eager-loaded. The kinds differ only in how a row reaches its plan, its department and
its searchable text.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import contains_eager, joinedload

from tracker.extensions import db
from tracker.items.queries import visibility_clause
from tracker.models import Indicator, IndicatorValue, Milestone, MilestonePlan, Report, WorkItem
from tracker.transitions import moves
from tracker.workflow import Action, can_see_all


@dataclass(frozen=True)
class QueueKind:
    """How one kind of submission joins its owner and what its list shows."""

    owner: type  # WorkItem or Indicator: where plan and department live
    join_on: object
    plan_column: object
    department_column: object
    search_columns: tuple
    options: tuple

    def visibility(self, user):
        if self.owner is WorkItem:
            return visibility_clause(user)
        if user is None or can_see_all(user):
            return true()
        return Indicator.department_id == user.department_id


KINDS: dict[type, QueueKind] = {
    Report: QueueKind(
        owner=WorkItem,
        join_on=WorkItem.id == Report.item_id,
        plan_column=WorkItem.plan_id,
        department_column=WorkItem.lead_department_id,
        search_columns=(WorkItem.code, WorkItem.title),
        options=(
            joinedload(Report.item).joinedload(WorkItem.lead_department),
            joinedload(Report.period),
            joinedload(Report.author),
        ),
    ),
    IndicatorValue: QueueKind(
        owner=Indicator,
        join_on=Indicator.id == IndicatorValue.indicator_id,
        plan_column=Indicator.plan_id,
        department_column=Indicator.department_id,
        search_columns=(Indicator.name,),
        options=(
            contains_eager(IndicatorValue.indicator).joinedload(Indicator.plan),
            contains_eager(IndicatorValue.indicator).joinedload(Indicator.department),
            joinedload(IndicatorValue.author),
        ),
    ),
    # 形象进度计划 (tracker/items/milestones.py): a submitted plan, a claimed milestone.
    MilestonePlan: QueueKind(
        owner=WorkItem,
        join_on=WorkItem.id == MilestonePlan.item_id,
        plan_column=WorkItem.plan_id,
        department_column=WorkItem.lead_department_id,
        search_columns=(WorkItem.code, WorkItem.title),
        options=(joinedload(MilestonePlan.item).joinedload(WorkItem.lead_department),),
    ),
    Milestone: QueueKind(
        owner=WorkItem,
        # A claim left on a plan a revision replaced waits for nobody (it carried over).
        join_on=and_(
            WorkItem.id == Milestone.item_id,
            Milestone.plan_id.in_(
                select(MilestonePlan.id).where(MilestonePlan.superseded_at.is_(None))
            ),
        ),
        plan_column=WorkItem.plan_id,
        department_column=WorkItem.lead_department_id,
        search_columns=(WorkItem.code, WorkItem.title, Milestone.title),
        options=(joinedload(Milestone.item).joinedload(WorkItem.lead_department),),
    ),
}


def review_queue_query(kind: type, user, *, plan_id=None, department_id=None, q=None):
    """Submissions of `kind` (Report or IndicatorValue) waiting for review, oldest first."""
    spec = KINDS[kind]
    query = (
        select(kind)
        .join(spec.owner, spec.join_on)
        .where(kind.state.in_(list(moves(kind, Action.VERIFY))), spec.visibility(user))
        .options(*spec.options)
        .order_by(kind.submitted_at, kind.id)
    )
    if plan_id:
        query = query.where(spec.plan_column == plan_id)
    if department_id:
        query = query.where(spec.department_column == department_id)
    if q:
        query = query.where(
            or_(*(column.contains(q, autoescape=True) for column in spec.search_columns))
        )
    return query


def waiting_item_ids(kind: type, user):
    """SELECT of the ids of the work items with a submission of `kind` (a kind owned by a
    work item) waiting for review, as `review_queue_query` finds them; for IN (…)."""
    spec = KINDS[kind]
    if spec.owner is not WorkItem:
        raise ValueError(f"{kind.__name__} does not belong to a work item")
    return (
        select(WorkItem.id)
        .select_from(kind)
        .join(WorkItem, spec.join_on)
        .where(kind.state.in_(list(moves(kind, Action.VERIFY))), spec.visibility(user))
    )


def queue_total(query) -> int:
    """How many rows a queue query holds, in one COUNT."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def count_waiting(kind: type, user) -> int:
    """How many submissions of `kind` wait for review (the badge beside the queue link)."""
    return queue_total(review_queue_query(kind, user))
