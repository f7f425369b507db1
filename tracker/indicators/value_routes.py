"""Yearly values: the responsible liaison reports and submits, the office verifies or returns."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker import clock
from tracker.errors import NotFound, ValidationFailed, apply_errors
from tracker.evidence import send_evidence
from tracker.extensions import db
from tracker.indicators import bp
from tracker.indicators.forms import ReturnForm, ValueForm, VerifyForm, VersionForm
from tracker.indicators.labels import target_display
from tracker.indicators.operations import (
    check_value_action,
    report_value,
    return_value,
    save_value_draft,
    submit_value,
    verify_value,
)
from tracker.indicators.queries import (
    value_attachments,
    value_with_indicator,
    verified_values_by_indicator,
)
from tracker.indicators.routes import load_indicator
from tracker.indicators.specs import (
    judged_value,
    plan_years,
    spec_for,
    status_for,
    value_subject,
)
from tracker.models import Attachment, Indicator, IndicatorValue
from tracker.numbers import read_version
from tracker.pagination import paginate
from tracker.review.queue import review_queue_query
from tracker.web import form_page, one_transaction, role_required
from tracker.workflow import OFFICE_ROLES, Action, can

logger = logging.getLogger(__name__)


def _load_value(value_id: int) -> IndicatorValue:
    row = value_with_indicator(value_id)
    if row is None:
        abort(404)
    return row


def _open_years(indicator: Indicator) -> list[int]:
    taken = set(
        db.session.scalars(
            select(IndicatorValue.year).where(IndicatorValue.indicator_id == indicator.id)
        )
    )
    today = clock.today()
    return [y for y in plan_years(indicator.plan) if y <= today.year and y not in taken]


def _wants_submit() -> bool:
    return request.form.get("action") == "submit"


@bp.route("/<int:indicator_id>/values/new", methods=["GET", "POST"])
@login_required
def new_value(indicator_id: int):
    """The responsible department reports a year's value: saved as a draft, or submitted."""
    indicator = load_indicator(indicator_id)
    check_value_action(current_user, Action.CREATE_REPORT, indicator, None, request.path)
    years = _open_years(indicator)
    form = ValueForm()
    if request.method == "GET":
        form.year.data = request.args.get("year", type=int) or (years[-1] if years else None)
    submit = _wants_submit()

    def report():
        return report_value(
            current_user,
            indicator,
            year=form.year.data,
            value=form.value.data,
            note=form.note.data,
            today=clock.today(),
            submit=submit,
            now=clock.now(),
            files=request.files.getlist("files"),
        )

    def done(row):
        message = (
            _("The %(year)s value was submitted for review.", year=row.year)
            if submit
            else _("The %(year)s value was saved as a draft.", year=row.year)
        )
        flash(message, "success")
        return redirect(url_for("indicators.detail", indicator_id=indicator.id))

    return form_page(
        form,
        report,
        done=done,
        template="indicators/value_form.html",
        context={
            "indicator": indicator,
            "row": None,
            "years": years,
            "target_text": target_display(indicator),
            "attachments": [],
        },
        conflicts=(),
    )


@bp.route("/values/<int:value_id>/edit", methods=["GET", "POST"])
@login_required
def edit_value(value_id: int):
    """Change a draft or returned value (the return reason stays in view) and resubmit it."""
    row = _load_value(value_id)
    indicator = row.indicator
    check_value_action(current_user, Action.EDIT, indicator, row.state, request.path)
    form = ValueForm(obj=None if request.method == "POST" else row)
    if request.method == "GET":
        form.value.data = row.value_text
        form.version.data = row.version
    # The year is fixed once reported; a value for another year is a new value.
    del form.year

    def save():
        save_value_draft(
            current_user,
            row,
            value=form.value.data,
            note=form.note.data,
            expected_version=read_version(form.version.data),
            files=request.files.getlist("files"),
        )
        if _wants_submit():
            submit_value(current_user, row, now=clock.now())

    def done(_result):
        flash(
            _("The %(year)s value was submitted for review.", year=row.year)
            if _wants_submit()
            else _("The %(year)s value was saved.", year=row.year),
            "success",
        )
        return redirect(url_for("indicators.detail", indicator_id=indicator.id))

    return form_page(
        form,
        save,
        done=done,
        template="indicators/value_form.html",
        context={
            "indicator": indicator,
            "row": row,
            "years": [row.year],
            "target_text": target_display(indicator),
            "attachments": value_attachments([row.id])[row.id],
        },
        conflicts=(),
    )


@bp.post("/values/<int:value_id>/submit")
@login_required
def submit(value_id: int):
    row = _load_value(value_id)
    form = VersionForm()
    if not form.validate_on_submit():
        abort(400)
    with one_transaction():
        submit_value(
            current_user, row, now=clock.now(), expected_version=read_version(form.version.data)
        )
    flash(_("The %(year)s value was submitted for review.", year=row.year), "success")
    return redirect(url_for("indicators.detail", indicator_id=row.indicator_id))


# --- review (office) ------------------------------------------------------------------------


@bp.get("/review")
@role_required(OFFICE_ROLES, event="indicators.office")
def review_queue():
    """Submitted values waiting for the office, oldest first."""
    page = paginate(review_queue_query(IndicatorValue, current_user), per_page=50)
    return render_template("indicators/review_queue.html", page=page)


def _review_context(row: IndicatorValue, verify_form=None, return_form=None) -> dict:
    indicator = row.indicator
    spec = spec_for(indicator)
    verified = verified_values_by_indicator([indicator.id])[indicator.id]
    # What the status would be once this value counts, so the reviewer sees the consequence.
    status_if_verified, warning_if_verified = status_for(
        spec, row.year, {**verified, row.year: judged_value(row)}
    )
    if verify_form is None:
        verify_form = VerifyForm(formdata=None)
        verify_form.version.data = row.version
    if return_form is None:
        return_form = ReturnForm(formdata=None)
        return_form.version.data = row.version
    return {
        "row": row,
        "indicator": indicator,
        "verified": sorted(verified.items()),
        "status_if_verified": status_if_verified,
        "warning_if_verified": warning_if_verified,
        "verify_form": verify_form,
        "return_form": return_form,
        "target_text": target_display(indicator),
        "attachments": value_attachments([row.id])[row.id],
    }


@bp.get("/values/<int:value_id>/review")
@login_required
def review_value(value_id: int):
    row = _load_value(value_id)
    check_value_action(current_user, Action.VERIFY, row.indicator, row.state, request.path)
    return render_template("indicators/review_value.html", **_review_context(row))


@bp.post("/values/<int:value_id>/verify")
@login_required
def verify(value_id: int):
    row = _load_value(value_id)
    form = VerifyForm()
    if not form.validate_on_submit():
        check_value_action(current_user, Action.VERIFY, row.indicator, row.state, request.path)
        return render_template(
            "indicators/review_value.html", **_review_context(row, verify_form=form)
        ), 422
    with one_transaction():
        verify_value(
            current_user,
            row,
            now=clock.now(),
            comment=form.comment.data,
            expected_version=read_version(form.version.data),
        )
    flash(_("The %(year)s value was verified.", year=row.year), "success")
    return redirect(url_for("indicators.review_queue"))


@bp.post("/values/<int:value_id>/return", endpoint="return")
@login_required
def return_view(value_id: int):
    row = _load_value(value_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            with one_transaction():
                return_value(
                    current_user,
                    row,
                    reason=form.reason.data,
                    now=clock.now(),
                    expected_version=read_version(form.version.data),
                )
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            flash(_("The %(year)s value was returned.", year=row.year), "success")
            return redirect(url_for("indicators.review_queue"))
    else:
        # Someone without the right gets 403/404 here, before any form error is shown.
        check_value_action(current_user, Action.RETURN, row.indicator, row.state, request.path)
    return render_template(
        "indicators/review_value.html", **_review_context(row, return_form=form)
    ), 422


@bp.get("/evidence/<int:attachment_id>")
@login_required
def evidence(attachment_id: int):
    """A value's evidence file, for those who may see the value's drafts and reviews."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.indicator_value_id is None:
        abort(404)
    row = _load_value(attachment.indicator_value_id)
    if not can(current_user, Action.VIEW, value_subject(row.indicator)):
        raise NotFound()
    return send_evidence(attachment)
