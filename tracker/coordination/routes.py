"""The coordination requests page (office and leaders) and the office's resolve button."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker import clock
from tracker.access import require
from tracker.coordination import bp
from tracker.coordination.forms import ResolveForm
from tracker.coordination.operations import resolve_coordination
from tracker.coordination.queries import STATES, coordination_page
from tracker.errors import InvalidTransition, NotFound, ValidationFailed, apply_errors
from tracker.extensions import db
from tracker.models import CoordinationRequest
from tracker.numbers import int_param
from tracker.web import conflict_page, department_choices, one_transaction, role_required
from tracker.workflow import SEE_ALL_ROLES, Action

logger = logging.getLogger(__name__)


def _list_page(form, status=200, failed_id=None):
    state = request.args.get("state", "open")
    state = state if state in STATES else ""
    department_id = request.args.get("department", 0, type=int_param) or None
    page = coordination_page(state=state or None, department_id=department_id)
    return render_template(
        "coordination/list.html",
        page=page,
        form=form,
        state=state,
        states=STATES,
        department_id=department_id,
        departments=department_choices(),
        failed_id=failed_id,
    ), status


@bp.get("/coordination")
@role_required(SEE_ALL_ROLES)
def index():
    """协调事项: every department's requests, open ones first (filter by state, department)."""
    return _list_page(ResolveForm())


@bp.post("/coordination/<int:request_id>/resolve")
@role_required(SEE_ALL_ROLES)
def resolve(request_id: int):
    """The office resolves an open request with a note (a leader gets the 403)."""
    target = db.session.get(CoordinationRequest, request_id)
    if target is None:
        raise NotFound()
    # Permission before anything the form says: a leader's empty note is a 403, not a 422.
    require(
        current_user, Action.RESOLVE_COORDINATION, target.subject(), obj=f"coordination:{target.id}"
    )
    form = ResolveForm()
    if not form.validate_on_submit():
        if not form.errors.get("resolution"):
            raise ValidationFailed(_("The form expired. Please reload and try again."))
        return _list_page(form, 422, target.id)
    try:
        with one_transaction():
            resolve_coordination(
                current_user, target, resolution=form.resolution.data or "", now=clock.now()
            )
    except InvalidTransition as error:
        return conflict_page(error, url_for("coordination.index"), target.item.code)
    except ValidationFailed as error:
        apply_errors(form, error)
        return _list_page(form, error.status, target.id)
    flash(
        _("The coordination request for %(code)s was resolved.", code=target.item.code), "success"
    )
    return redirect(url_for("coordination.index"))
