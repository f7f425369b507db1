"""The milestone plan pages: the lead's liaison writes and submits the plan and says when a
milestone was reached; the office approves or returns both. Services: items/milestones.py."""

from __future__ import annotations

import logging

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import clock
from tracker.access import require
from tracker.errors import (
    InvalidTransition,
    NotFound,
    StaleVersion,
    ValidationFailed,
    flash_form_errors,
)
from tracker.items import bp
from tracker.items.access import item_subject, load_item
from tracker.items.milestone_forms import BLANK_ROWS, DecisionForm, MilestonesForm, ReachedForm
from tracker.items.milestones import (
    claim_milestone,
    decide_milestone,
    decide_milestones,
    load_milestone,
    milestone_plan_of,
    propose_milestones,
    submit_milestones,
)
from tracker.web import conflict_page, form_page, one_transaction
from tracker.workflow import Action, ReviewState

logger = logging.getLogger(__name__)

DECISIONS = {"verify": Action.VERIFY, "return": Action.RETURN}


def _back(item_id: int):
    return redirect(url_for("items.detail", item_id=item_id, _anchor="milestones"), 303)


@bp.route("/items/<int:item_id>/milestones", methods=["GET", "POST"])
@login_required
def milestones_edit(item_id: int):
    """Write or change the milestone plan (draft or returned), one row per milestone; on an
    approved plan, write a revision of it (starting from its rows)."""
    item = load_item(current_user, item_id)
    plan = milestone_plan_of(item.id)
    revising = plan is not None and plan.state == ReviewState.VERIFIED.value
    state = plan.state if plan is not None and not revising else ReviewState.DRAFT.value
    require(current_user, Action.EDIT, item_subject(item, state), obj=f"item:{item.id}")
    form = MilestonesForm()
    if not form.is_submitted():
        form.version.data = plan.version if plan is not None else ""
        steps = plan.milestones if plan is not None else []
        while len(form.rows):
            form.rows.pop_entry()
        for step in steps:
            form.rows.append_entry(
                {
                    "title": step.title,
                    "planned_date": step.planned_date.isoformat(),
                    "weight": str(step.weight),
                }
            )
        for _blank in range(BLANK_ROWS):
            form.rows.append_entry()

    def operation():
        version = form.loaded_version() if plan is not None else None
        return propose_milestones(
            current_user, item, form.steps(), expected_version=version, now=clock.now()
        )

    def done(_plan):
        flash(_("The milestone plan of %(code)s was saved.", code=item.code), "success")
        return _back(item.id)

    return form_page(
        form,
        operation,
        done=done,
        template="items/milestones_form.html",
        context={"item": item, "plan": plan, "revising": revising},
        back_url=url_for("items.detail", item_id=item.id),
        label=item.code,
    )


def _run(item_id: int, label: str, form, operation, message: str):
    """A POST button of the item page: run it once, flash what happened, go back."""
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _back(item_id)
    try:
        with one_transaction():
            operation()
    except (StaleVersion, InvalidTransition) as error:
        return conflict_page(error, url_for("items.detail", item_id=item_id), label)
    except ValidationFailed as error:
        for text in error.errors.values():
            flash(text, "danger")
        return _back(item_id)
    flash(message, "success")
    return _back(item_id)


def _plan_of(item_id: int):
    item = load_item(current_user, item_id)
    plan = milestone_plan_of(item.id)
    if plan is None:
        raise NotFound()
    return item, plan


@bp.post("/items/<int:item_id>/milestones/submit")
@login_required
def milestones_submit(item_id: int):
    item, plan = _plan_of(item_id)
    form = DecisionForm()
    return _run(
        item.id,
        item.code,
        form,
        lambda: submit_milestones(
            current_user, plan, expected_version=form.loaded_version(), now=clock.now()
        ),
        _("The milestone plan was sent to the office."),
    )


@bp.post("/items/<int:item_id>/milestones/<decision>")
@login_required
def milestones_decide(item_id: int, decision: str):
    if decision not in DECISIONS:
        raise NotFound()
    item, plan = _plan_of(item_id)
    form = DecisionForm()
    action = DECISIONS[decision]
    return _run(
        item.id,
        item.code,
        form,
        lambda: decide_milestones(
            current_user,
            plan,
            action,
            expected_version=form.loaded_version(),
            reason=form.reason.data or "",
            now=clock.now(),
        ),
        _("The milestone plan was approved.")
        if action is Action.VERIFY
        else _("The milestone plan was returned."),
    )


@bp.post("/milestones/<int:milestone_id>/reached")
@login_required
def milestone_reached(milestone_id: int):
    milestone = load_milestone(current_user, milestone_id)
    form = ReachedForm()
    return _run(
        milestone.item_id,
        milestone.title,
        form,
        lambda: claim_milestone(
            current_user,
            milestone,
            reached_on=getattr(form.reached_on, "parsed", None),
            expected_version=form.loaded_version(),
            now=clock.now(),
        ),
        _("The office will check that the milestone was reached."),
    )


@bp.post("/milestones/<int:milestone_id>/<decision>")
@login_required
def milestone_decide(milestone_id: int, decision: str):
    if decision not in DECISIONS:
        raise NotFound()
    milestone = load_milestone(current_user, milestone_id)
    form = DecisionForm()
    action = DECISIONS[decision]
    return _run(
        milestone.item_id,
        milestone.title,
        form,
        lambda: decide_milestone(
            current_user,
            milestone,
            action,
            expected_version=form.loaded_version(),
            reason=form.reason.data or "",
            now=clock.now(),
        ),
        _("The milestone was verified as reached.")
        if action is Action.VERIFY
        else _("The milestone claim was returned."),
    )
