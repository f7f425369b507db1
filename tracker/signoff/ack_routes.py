"""签收 pages: open assignments (liaison: acknowledge or ask for another lead; office:
decide the requests)."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import clock
from tracker.items.access import load_item
from tracker.pagination import paginate
from tracker.signoff import bp
from tracker.signoff.acknowledge import (
    acknowledge_item,
    decide_reassignment,
    request_reassignment,
)
from tracker.signoff.assignments import unacknowledged_query
from tracker.signoff.forms import AcknowledgeForm, DecideReassignmentForm, ReassignmentRequestForm
from tracker.web import department_choices, form_page, one_transaction
from tracker.workflow import is_office

logger = logging.getLogger(__name__)


@bp.get("/assignments")
@login_required
def assignments():
    """待签收: assignments not yet acknowledged (a liaison's or approver's: their department's)."""
    page = paginate(unacknowledged_query(current_user), per_page=25)
    decide_form = None
    if is_office(current_user):
        decide_form = DecideReassignmentForm()
        decide_form.lead_department_id.choices = department_choices(_("— as suggested —"))
    return render_template(
        "signoff/assignments.html",
        page=page,
        ack_form=AcknowledgeForm(),
        decide_form=decide_form,
        today=clock.today(),
    )


@bp.post("/items/<int:item_id>/acknowledge")
@login_required
def acknowledge(item_id: int):
    item = load_item(current_user, item_id)
    if not AcknowledgeForm().validate_on_submit():
        abort(400)
    with one_transaction():
        acknowledge_item(current_user, item, now=clock.now())
    flash(_("%(code)s acknowledged (签收).", code=item.code), "success")
    return redirect(url_for("signoff.assignments"))


@bp.route("/items/<int:item_id>/reassignment-request", methods=["GET", "POST"])
@login_required
def reassignment_request(item_id: int):
    """申请调整牵头单位: the reason, and the department that should lead instead."""
    item = load_item(current_user, item_id)
    form = ReassignmentRequestForm()
    form.department_id.choices = department_choices(_("— let the office choose —"))
    return form_page(
        form,
        lambda: request_reassignment(
            current_user,
            item,
            reason=form.reason.data or "",
            suggested_department_id=form.department_id.data or None,
            now=clock.now(),
        ),
        done=lambda _row: _done(_("Your request was sent to the office.")),
        template="signoff/reassignment_request.html",
        context={"item": item},
        back_url=url_for("signoff.assignments"),
        label=item.code,
    )


@bp.post("/items/<int:item_id>/reassignment/decide")
@login_required
def decide(item_id: int):
    item = load_item(current_user, item_id)
    form = DecideReassignmentForm()
    form.lead_department_id.choices = department_choices("")
    if not form.validate_on_submit() or form.decision.data not in ("approve", "refuse"):
        abort(400)
    with one_transaction():
        decide_reassignment(
            current_user,
            item,
            approve=form.decision.data == "approve",
            lead_department_id=form.lead_department_id.data or None,
            comment=form.comment.data or "",
            now=clock.now(),
        )
    return _done(_("The request for %(code)s was decided.", code=item.code))


def _done(message: str):
    flash(message, "success")
    return redirect(url_for("signoff.assignments"))
