"""The coordination requests pages (office and leaders): the list with the office's resolve
button, and one request with its leaders' instructions (批示) and the leader's form."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.access import require
from tracker.coordination import bp
from tracker.coordination.forms import ResolveForm
from tracker.coordination.operations import resolve_coordination
from tracker.coordination.queries import STATES, coordination_page
from tracker.errors import InvalidTransition, NotFound, ValidationFailed, apply_errors
from tracker.extensions import db
from tracker.models import CoordinationRequest, Instruction
from tracker.numbers import int_param
from tracker.signoff.forms import InstructionForm
from tracker.signoff.instructions import write_coordination_instruction
from tracker.web import conflict_page, department_choices, form_page, one_transaction, role_required
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


def _load(request_id: int) -> CoordinationRequest:
    target = db.session.get(CoordinationRequest, request_id)
    if target is None:
        raise NotFound()
    return target


def _detail_context(target: CoordinationRequest) -> dict:
    instructions = db.session.scalars(
        select(Instruction)
        .where(Instruction.coordination_id == target.id)
        .options(joinedload(Instruction.author), joinedload(Instruction.answered_by))
        .order_by(Instruction.created_at, Instruction.id)
    ).all()
    return {
        "target": target,
        "instructions": instructions,
        "resolve_form": ResolveForm(),
        "today": clock.today(),
    }


@bp.get("/coordination/<int:request_id>")
@role_required(SEE_ALL_ROLES)
def detail(request_id: int):
    """One request: what was asked, its resolution, the leaders' instructions and answers."""
    target = _load(request_id)
    return render_template(
        "coordination/detail.html", form=InstructionForm(), **_detail_context(target)
    )


@bp.post("/coordination/<int:request_id>/instructions")
@role_required(SEE_ALL_ROLES)
def new_instruction(request_id: int):
    """A leader's instruction on the request (the office gets the 403, a resolved request
    the 409); the owner department answers it on /instructions."""
    target = _load(request_id)
    form = InstructionForm()
    return form_page(
        form,
        lambda: write_coordination_instruction(
            current_user, target, text=form.text.data or "", now=clock.now()
        ),
        done=lambda _row: _sent(target),
        template="coordination/detail.html",
        context=_detail_context(target),
        back_url=url_for("coordination.detail", request_id=target.id),
        label=target.item.code,
        idle_status=422,
    )


def _sent(target: CoordinationRequest):
    flash(_("The instruction on %(code)s was sent.", code=target.item.code), "success")
    return redirect(url_for("coordination.detail", request_id=target.id))
