"""领导批示 pages: a leader writes one on an item (on a coordination request: the
coordination page); the open ones are listed (the office and leaders: all; a department:
its own, with the answer form)."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import clock
from tracker.errors import ValidationFailed
from tracker.items.access import load_item
from tracker.numbers import int_param
from tracker.pagination import paginate
from tracker.signoff import bp
from tracker.signoff.forms import AnswerInstructionForm, InstructionForm
from tracker.signoff.instructions import (
    answer_instruction,
    instructions_query,
    load_instruction,
    write_instruction,
)
from tracker.web import department_choices, form_page, one_transaction
from tracker.workflow import can_see_all

logger = logging.getLogger(__name__)


@bp.get("/instructions")
@login_required
def instructions():
    """领导批示: open ones by answer day (`?all=1`: answered ones too; `?overdue=1`: open
    and past the answer day; `?department=`: one department's), paginated."""
    open_only = request.args.get("all") != "1"
    overdue = request.args.get("overdue") == "1"
    department_id = request.args.get("department", 0, type=int_param) or None
    today = clock.today()
    query = instructions_query(
        current_user,
        open_only=open_only,
        department_id=department_id,
        overdue_on=today if overdue else None,
    )
    return render_template(
        "signoff/instructions.html",
        page=paginate(query, per_page=25),
        open_only=open_only,
        overdue=overdue,
        department_id=department_id,
        departments=department_choices() if can_see_all(current_user) else [],
        answer_form=AnswerInstructionForm(),
        today=today,
    )


@bp.route("/items/<int:item_id>/instructions/new", methods=["GET", "POST"])
@login_required
def new_instruction(item_id: int):
    item = load_item(current_user, item_id)
    form = InstructionForm()
    return form_page(
        form,
        lambda: write_instruction(current_user, item, text=form.text.data or "", now=clock.now()),
        done=lambda _row: _done(_("The instruction on %(code)s was sent.", code=item.code)),
        template="signoff/instruction_new.html",
        context={"item": item},
        back_url=url_for("items.detail", item_id=item.id),
        label=item.code,
    )


@bp.post("/instructions/<int:instruction_id>/answer")
@login_required
def answer(instruction_id: int):
    row = load_instruction(current_user, instruction_id)
    if row.coordination_id is None:
        load_item(current_user, row.item_id)  # 404 for whoever may not see the item
    form = AnswerInstructionForm()
    if not form.validate_on_submit():
        raise ValidationFailed({name: "; ".join(map(str, e)) for name, e in form.errors.items()})
    with one_transaction():
        answer_instruction(
            current_user,
            row,
            answer=form.answer.data or "",
            expected_version=form.version.data or None,
            now=clock.now(),
        )
    return _done(_("Your answer was recorded."))


def _done(message: str):
    flash(message, "success")
    return redirect(url_for("signoff.instructions"))
