"""形象进度计划: the lead's liaison proposes an item's milestones, the office approves them;
a reached milestone counts once the office has verified the claim. All through the kernel."""

from __future__ import annotations

import logging
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import delete, insert

from tracker import clock
from tracker.access import liaison_ids, link, office_ids, require
from tracker.audit import audit
from tracker.errors import InvalidTransition, NotFound, StaleVersion, ValidationFailed
from tracker.extensions import db
from tracker.items.access import item_subject
from tracker.items.milestone_revisions import lock_plan, open_plan, plan_in_force, supersede
from tracker.locking import version_expected
from tracker.models import Milestone, MilestonePlan, WorkItem
from tracker.schedule import milestone_problems
from tracker.security import log_security_event
from tracker.text import clean_text, required_reason
from tracker.transitions import Notice, transition
from tracker.workflow import Action, ReviewState, can

logger = logging.getLogger(__name__)

MAX_STEPS = 30
MAX_TITLE = 300


def _notice(item: WorkItem, kind: str, to_office: bool, **params) -> Notice:
    """Office on a submission, the lead's liaisons on a decision; linked to the item page."""
    recipients = office_ids() if to_office else liaison_ids({item.lead_department_id} - {None})
    department = item.lead_department.short_name if item.lead_department else ""
    return Notice(
        recipients,
        kind,
        {"code": item.code, "department": department, **params},
        link("items.detail", item_id=item.id),
    )


def plan_fields(plan: MilestonePlan) -> dict:
    return {
        "state": plan.state,
        "milestones": [
            {"title": m.title, "planned_date": m.planned_date.isoformat(), "weight": m.weight}
            for m in plan.milestones
        ],
    }


def milestone_plan_of(item_id: int) -> MilestonePlan | None:
    """The plan the next step acts on: the one being written or reviewed (a first plan or a
    revision), else the plan in force; None while none was proposed."""
    return open_plan(item_id) or plan_in_force(item_id)


def load_milestone(actor, milestone_id: int) -> Milestone:
    """A milestone the actor may see, else NotFound."""
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound()
    item = db.session.get(WorkItem, milestone.item_id)
    if actor is not None and not can(actor, Action.VIEW, item.subject()):
        log_security_event("view", outcome="not_found", obj=f"milestone:{milestone_id}")
        raise NotFound()
    return milestone


def _problem_messages(steps: list[tuple], item: WorkItem) -> dict[str, str]:
    if len(steps) > MAX_STEPS:
        return {"milestones": _("Use at most %(n)s milestones.", n=MAX_STEPS)}
    problems = milestone_problems(steps, item.start_date, item.due_date)

    def rows(key: str) -> str:
        return ", ".join(str(i + 1) for i in problems[key])  # type: ignore[union-attr]

    messages = {
        "empty": lambda: _("Add at least one milestone."),
        "title": lambda: _("Give every milestone a title (rows %(rows)s).", rows=rows("title")),
        "date": lambda: _("Give every milestone a date (rows %(rows)s).", rows=rows("date")),
        "weight": lambda: _(
            "Each weight is a whole number from 1 to 100 (rows %(rows)s).", rows=rows("weight")
        ),
        "before_start": lambda: _(
            "A milestone cannot be planned before the item starts on %(start)s (rows %(rows)s).",
            start=item.start_date.isoformat(),
            rows=rows("before_start"),
        ),
        "after_due": lambda: _(
            "A milestone cannot be planned after the due date %(due)s (rows %(rows)s).",
            due=item.due_date.isoformat(),
            rows=rows("after_due"),
        ),
        "order": lambda: _(
            "List the milestones in date order (rows %(rows)s).", rows=rows("order")
        ),
        "sum": lambda: _(
            "The weights must add up to 100 (they add up to %(sum)s).",
            sum=sum(w for _t, _d, w in steps if isinstance(w, int)),
        ),
    }
    return {key: messages[key]() for key in problems}


def _under_review(plan: MilestonePlan) -> str:
    if plan.state == ReviewState.SUBMITTED.value and plan.revision == 1:
        return _("The milestone plan waits for the office; wait for its decision.")
    if plan.state == ReviewState.SUBMITTED.value:
        return _("A revision of the milestone plan waits for the office; wait for its decision.")
    return _("A revision of the milestone plan is already being written; edit that one.")


def _clean_steps(steps) -> list[tuple[str, date | None, int | None]]:
    cleaned = []
    for step in steps or []:
        weight = step.get("weight")
        planned = step.get("planned_date")
        cleaned.append(
            (
                clean_text(step.get("title") or "", MAX_TITLE),
                planned if isinstance(planned, date) else None,
                weight if isinstance(weight, int) and not isinstance(weight, bool) else None,
            )
        )
    return cleaned


def _write_steps(plan: MilestonePlan, item: WorkItem, steps: list[tuple]) -> None:
    db.session.execute(delete(Milestone).where(Milestone.plan_id == plan.id))
    db.session.execute(
        insert(Milestone),
        [
            {
                "plan_id": plan.id,
                "item_id": item.id,
                "position": position,
                "title": title,
                "planned_date": planned,
                "weight": weight,
                "state": ReviewState.DRAFT.value,
            }
            for position, (title, planned, weight) in enumerate(steps)
        ],
    )
    db.session.expire(plan, ["milestones"])


def propose_milestones(
    actor,
    item: WorkItem,
    steps,
    *,
    expected_version=None,
    now: datetime | None = None,
) -> MilestonePlan:
    """Write the item's milestone plan as a draft (or edit a draft/returned one).

    `steps`: [{"title", "planned_date" (a date), "weight" (int)}], in date order, weights
    adding up to 100, within the item's start and due dates. Nothing is written when any is
    wrong (ValidationFailed, 422)."""
    now = now or clock.now()
    plan = open_plan(item.id)
    in_force = plan_in_force(item.id) if plan is None else None
    if plan is not None and plan.state == ReviewState.SUBMITTED.value:
        # One revision at a time: who may write a plan learns it waits (409), others 403.
        draft = item_subject(item, ReviewState.DRAFT.value)
        require(actor, Action.EDIT, draft, obj=f"item:{item.id}")
        raise InvalidTransition(_under_review(plan))
    state = plan.state if plan is not None else ReviewState.DRAFT.value
    require(actor, Action.EDIT, item_subject(item, state), obj=f"item:{item.id}")
    cleaned = _clean_steps(steps)
    errors = _problem_messages(cleaned, item)
    if errors:
        raise ValidationFailed(errors)
    if plan is None:
        revision = 1
        if in_force is not None:  # a revision: the approved plan stays in force meanwhile
            if version_expected(expected_version, in_force.version) != in_force.version:
                raise StaleVersion(current_version=in_force.version)
            lock_plan(in_force)
            pending = open_plan(item.id)  # another liaison may have started one meanwhile
            if pending is not None:
                raise InvalidTransition(_under_review(pending))
            revision = in_force.revision + 1
        plan = MilestonePlan(
            item_id=item.id,
            revision=revision,
            state=ReviewState.DRAFT.value,
            author_id=getattr(actor, "id", None),
            created_at=now,
            updated_at=now,
        )
        db.session.add(plan)
        db.session.flush()
        _write_steps(plan, item, cleaned)
        event = "milestones.proposed" if revision == 1 else "milestones.revision_proposed"
        audit(actor, event, plan, now, after=plan_fields(plan), item_id=item.id)
        db.session.flush()
        return plan
    before = plan_fields(plan)
    transition(
        actor,
        plan,
        Action.EDIT,
        expected_version=expected_version,
        now=now,
        values={"updated_at": now, "author_id": getattr(actor, "id", None)},
        effects=lambda plan: _write_steps(plan, item, cleaned),
        event="milestones.edited",
        before=before,
        after=plan_fields,
        item_id=item.id,
    )
    db.session.flush()
    return plan


def submit_milestones(
    actor, plan: MilestonePlan, *, expected_version=None, now: datetime | None = None
) -> MilestonePlan:
    """Send the milestone plan to the office for approval."""
    now = now or clock.now()
    item = plan.item
    require(actor, Action.SUBMIT, item_subject(item, plan.state), obj=f"milestones:{plan.id}")
    cleaned = [(m.title, m.planned_date, m.weight) for m in plan.milestones]
    errors = _problem_messages(cleaned, item)  # the dates may have moved since the draft
    if errors:
        raise ValidationFailed(errors)
    transition(
        actor,
        plan,
        Action.SUBMIT,
        expected_version=expected_version,
        now=now,
        values={"submitted_at": now, "updated_at": now},
        event="milestones.submitted",
        before={"state": plan.state},
        after=lambda plan: {"state": plan.state},
        item_id=item.id,
        notice=_notice(item, "milestones_submitted", True),
    )
    db.session.flush()
    return plan


def decide_milestones(
    actor,
    plan: MilestonePlan,
    action: Action,
    *,
    expected_version=None,
    reason: str = "",
    now: datetime | None = None,
) -> MilestonePlan:
    """The office approves (VERIFY) or returns (RETURN, with a reason) a submitted plan."""
    now = now or clock.now()
    item = plan.item
    require(actor, action, item_subject(item, plan.state), obj=f"milestones:{plan.id}")
    comment = _decision_comment(action, reason)
    transition(
        actor,
        plan,
        action,
        expected_version=expected_version,
        now=now,
        values={
            "reviewer_id": getattr(actor, "id", None),
            "reviewed_at": now,
            "review_comment": comment,
            "updated_at": now,
        },
        # Verifying a revision swaps it in: the old plan is superseded in the same transaction.
        effects=(lambda plan: supersede(plan, now)) if action is Action.VERIFY else None,
        event="milestones.verified" if action is Action.VERIFY else "milestones.returned",
        before={"state": plan.state},
        after=lambda plan: {"state": plan.state},
        comment=comment,
        item_id=item.id,
        notice=_notice(
            item,
            "milestones_verified" if action is Action.VERIFY else "milestones_returned",
            False,
            reason=comment or "",
        ),
    )
    db.session.flush()
    return plan


def _decision_comment(action: Action, reason: str) -> str | None:
    if action is Action.RETURN:
        return required_reason(reason, 4000, _("Say why it goes back."))
    return clean_text(reason, 4000) or None


def _require_in_force(plan: MilestonePlan) -> None:
    if plan.superseded_at is not None:
        raise InvalidTransition(
            _("This milestone belongs to a plan that a revision has replaced; use the new plan.")
        )


def claim_milestone(
    actor,
    milestone: Milestone,
    *,
    reached_on: date | None,
    expected_version=None,
    now: datetime | None = None,
) -> Milestone:
    """The lead's liaison says a milestone of an approved plan was reached on `reached_on`;
    it counts toward the actual progress once the office verifies it."""
    now = now or clock.now()
    plan = milestone.plan
    item = plan.item
    require(
        actor, Action.SUBMIT, item_subject(item, milestone.state), obj=f"milestone:{milestone.id}"
    )
    if plan.state != ReviewState.VERIFIED.value:
        raise InvalidTransition(_("The milestone plan has not been approved yet."))
    _require_in_force(plan)
    today = clock.today(now)
    if reached_on is None or reached_on > today:
        raise ValidationFailed(
            {"reached_on": _("Give the day it was reached (not in the future).")}
        )
    transition(
        actor,
        milestone,
        Action.SUBMIT,
        expected_version=expected_version,
        now=now,
        values={"reached_on": reached_on, "submitted_at": now},
        event="milestone.claimed",
        before={"state": milestone.state},
        after=lambda m: {"state": m.state, "reached_on": reached_on.isoformat()},
        item_id=item.id,
        notice=_notice(item, "milestone_claimed", True, title=milestone.title[:80]),
    )
    db.session.flush()
    return milestone


def decide_milestone(
    actor,
    milestone: Milestone,
    action: Action,
    *,
    expected_version=None,
    reason: str = "",
    now: datetime | None = None,
) -> Milestone:
    """The office verifies (its weight now counts) or returns a claimed milestone."""
    now = now or clock.now()
    item = milestone.plan.item
    _require_in_force(milestone.plan)
    require(actor, action, item_subject(item, milestone.state), obj=f"milestone:{milestone.id}")
    comment = _decision_comment(action, reason)
    transition(
        actor,
        milestone,
        action,
        expected_version=expected_version,
        now=now,
        values={
            "reviewer_id": getattr(actor, "id", None),
            "reviewed_at": now,
            "review_comment": comment,
        },
        event="milestone.verified" if action is Action.VERIFY else "milestone.returned",
        before={"state": milestone.state},
        after=lambda m: {"state": m.state},
        comment=comment,
        item_id=item.id,
        notice=_notice(
            item,
            "milestone_verified" if action is Action.VERIFY else "milestone_returned",
            False,
            title=milestone.title[:80],
            reason=comment or "",
        ),
    )
    db.session.flush()
    return milestone
