"""The preview as an editor: the office corrects a parsed upload before importing it."""

from __future__ import annotations

import logging

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.models import PlanImport
from tracker.plans import bp
from tracker.plans.editing import add_correction, undo_correction
from tracker.plans.forms import ApplyForm, ConfirmForm, CorrectionForm
from tracker.plans.routes import _preview_page
from tracker.web import one_transaction, role_required
from tracker.workflow import OFFICE_ROLES

logger = logging.getLogger(__name__)


@bp.post("/import/<int:import_id>/corrections")
@role_required(OFFICE_ROLES, event="plans")
def correct(import_id: int):
    staged = db.get_or_404(PlanImport, import_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        return _preview_page(staged, ApplyForm(), 422, correction_form=form)
    try:
        with one_transaction():
            add_correction(
                current_user, staged, op=form.op.data, code=form.code.data, value=form.value.data
            )
    except ValidationFailed as error:
        form.code.errors = [*form.code.errors, *map(str, error.errors.values())]
        return _preview_page(staged, ApplyForm(), 422, correction_form=form)
    flash(_("Correction saved; it is applied with the import."), "success")
    return redirect(url_for("plans.preview", import_id=staged.id) + "#corrections")


@bp.post("/import/<int:import_id>/corrections/undo")
@role_required(OFFICE_ROLES, event="plans")
def undo(import_id: int):
    staged = db.get_or_404(PlanImport, import_id)
    if not ConfirmForm().validate_on_submit():
        return _preview_page(staged, ApplyForm(), 400)
    with one_transaction():
        removed = undo_correction(current_user, staged)
    if removed is not None:
        flash(_("The last correction was taken back."), "info")
    return redirect(url_for("plans.preview", import_id=staged.id) + "#corrections")
