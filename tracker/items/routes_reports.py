"""The lead liaison's report pages, contributions, and extension requests."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.access import require
from tracker.errors import InvalidTransition, StaleVersion, ValidationFailed, apply_errors
from tracker.evidence import owned_attachment
from tracker.extensions import db
from tracker.items import bp
from tracker.items.access import (
    has_pending_extension,
    item_subject,
    load_item,
    load_report,
    report_subject,
)
from tracker.items.deadlines import request_extension
from tracker.items.forms import (
    ConfirmForm,
    ContributionForm,
    ExtensionForm,
    ReportForm,
    parse_version,
)
from tracker.items.queries import previous_verified_report, report_revisions
from tracker.items.report_content import SECTIONS, same_as_last
from tracker.items.report_window import in_report_window, period_choices, too_late_message
from tracker.items.reports import (
    add_contribution,
    attach_evidence,
    create_report,
    remove_evidence,
    save_draft,
    submit_report,
)
from tracker.models import Attachment, Report, ReportingPeriod
from tracker.periods import ensure_periods, focus_period
from tracker.web import conflict_page, form_page, one_transaction
from tracker.workflow import Action, ReviewState, permitted


def _files():
    return [f for f in request.files.getlist("files") if f and f.filename]


def _sections(form) -> dict:
    return {name: getattr(form, name).data or "" for name in SECTIONS}


def _report_page(form, item, report, status=200):
    attachments = []
    revisions = []
    if report is not None:
        attachments = db.session.scalars(
            select(Attachment).where(Attachment.report_id == report.id).order_by(Attachment.id)
        ).all()
        revisions = report_revisions(report.id)
    previous = previous_verified_report(item.id, report.id if report else None)
    return (
        render_template(
            "items/report_form.html",
            form=form,
            item=item,
            report=report,
            attachments=attachments,
            revisions=revisions,
            previous=previous,
            confirm=ConfirmForm(),
        ),
        status,
    )


def _save_report(form, item, shown_report, write):
    """Save a report from its page in one transaction: `write()` creates or updates it, the
    uploaded files are attached, and with the "submit" button it goes to the office."""
    submit = request.form.get("action") == "submit"
    try:
        with one_transaction():
            report = write()
            attach_evidence(current_user, report, _files(), now=clock.now())
            if submit:
                submit_report(
                    current_user, report, expected_version=report.version, now=clock.now()
                )
    except (StaleVersion, InvalidTransition) as error:
        return conflict_page(error, url_for("items.detail", item_id=item.id), item.code)
    except ValidationFailed as error:
        apply_errors(form, error)
        return _report_page(form, item, shown_report, error.status)
    if submit:
        flash(_submitted_message(report), "success")
        return redirect(url_for("items.detail", item_id=item.id))
    flash(_("Draft saved."), "success")
    return redirect(url_for("items.edit_report", report_id=report.id))


@bp.route("/items/<int:item_id>/report", methods=["GET", "POST"])
@login_required
def new_report(item_id: int):
    """Start this period's report (or an earlier period's, late): a draft, or submit at once."""
    item = load_item(current_user, item_id)
    subject = item_subject(item)
    on_behalf = permitted(current_user, Action.REPORT_ON_BEHALF, subject)
    require(current_user, Action.REPORT_ON_BEHALF if on_behalf else Action.CREATE_REPORT, subject)
    day = clock.today()
    focus = focus_period(item.plan_id, day)
    if request.method == "GET" and focus is not None:
        existing = db.session.scalar(
            select(Report.id).where(Report.item_id == item.id, Report.period_id == focus.id)
        )
        if existing is not None:
            return redirect(url_for("items.edit_report", report_id=existing))
    form = ReportForm()
    choices = period_choices(item, day)
    form.period_id.choices = [(p.id, p.label) for p in choices]
    if request.method == "GET":
        form.progress.data = str(item.progress)
        if focus is not None and any(p.id == focus.id for p in choices):
            form.period_id.data = focus.id
    if not form.validate_on_submit():
        return _report_page(form, item, None, 422 if form.errors else 200)
    period = db.session.get(ReportingPeriod, form.period_id.data or 0)
    if period is None or period.plan_id != item.plan_id or period.start_date > day:
        form.period_id.errors = [_("Choose a reporting period that has started.")]
        return _report_page(form, item, None, 422)
    if not in_report_window(period, day):  # the same rule as the choices offered
        form.period_id.errors = [too_late_message()]
        return _report_page(form, item, None, 422)

    content = {
        "narrative": form.narrative.data or "",
        "progress": form.progress.parsed,
        "sections": _sections(form),
    }
    copying = request.form.get("action") == "same_as_last"
    if copying:  # 与上期相同，无新进展: a draft to check and submit
        previous = previous_verified_report(item.id, None, not_after=period.start_date)
        if previous is None:
            form.narrative.errors = [_("There is no verified report to start from.")]
            return _report_page(form, item, None, 422)
        copied = same_as_last(previous)
        content = {
            "narrative": copied.pop("narrative"),
            "progress": copied.pop("progress"),
            "sections": copied,
        }

    def write():
        ensure_periods(item.plan, day)
        return create_report(
            current_user,
            item,
            period,
            completes=bool(form.completes.data) and not copying,
            now=clock.now(),
            **content,
        )

    return _save_report(form, item, None, write)


@bp.route("/reports/<int:report_id>/edit", methods=["GET", "POST"])
@login_required
def edit_report(report_id: int):
    """Edit a draft or returned report; save it again or submit it."""
    report = load_report(current_user, report_id, joinedload(Report.period))
    item = report.item
    if request.method == "GET" and report.state not in ("draft", "returned"):
        return redirect(url_for("review.report", report_id=report.id))
    require(current_user, Action.EDIT, report_subject(report))
    form = ReportForm()
    form.period_id.choices = [(report.period_id, report.period.label)]
    if request.method == "GET":
        form.version.data = report.version
        form.period_id.data = report.period_id
        form.narrative.data = report.narrative
        form.progress.data = str(report.progress)
        form.completes.data = report.completes
        for name in SECTIONS:
            getattr(form, name).data = getattr(report, name)
    if not form.validate_on_submit():
        return _report_page(form, item, report, 422 if form.errors else 200)

    def write():
        save_draft(
            current_user,
            report,
            expected_version=form.loaded_version(),
            narrative=form.narrative.data or "",
            progress=form.progress.parsed,
            completes=bool(form.completes.data),
            sections=_sections(form),
            now=clock.now(),
        )
        return report

    return _save_report(form, item, report, write)


@bp.post("/reports/<int:report_id>/submit")
@login_required
def submit(report_id: int):
    """Submit a draft as it is (the button on the item page)."""
    report = load_report(current_user, report_id, joinedload(Report.period))
    require(current_user, Action.SUBMIT, report_subject(report))
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise ValidationFailed(_("The form expired. Please reload and try again."))
    try:
        with one_transaction():
            submit_report(
                current_user,
                report,
                expected_version=parse_version(request.form.get("version")),
                now=clock.now(),
            )
    except (StaleVersion, InvalidTransition) as error:
        return conflict_page(error, url_for("items.detail", item_id=report.item_id), "")
    except ValidationFailed as error:
        apply_errors(None, error)
        return redirect(url_for("items.edit_report", report_id=report.id)), 303
    flash(_submitted_message(report), "success")
    return redirect(url_for("items.detail", item_id=report.item_id))


def _submitted_message(report) -> str:
    if report.state == ReviewState.PENDING_APPROVAL.value:  # tracker/signoff
        return _("The report was sent to your department head for sign-off.")
    return _("The report was submitted to the office.")


@bp.post("/reports/<int:report_id>/evidence/<int:attachment_id>/delete")
@login_required
def delete_evidence(report_id: int, attachment_id: int):
    report = load_report(current_user, report_id)
    attachment = owned_attachment(attachment_id, report_id=report.id)
    if not ConfirmForm().validate_on_submit():
        raise ValidationFailed(_("The form expired. Please reload and try again."))
    try:
        with one_transaction():
            remove_evidence(current_user, attachment, now=clock.now())
    except (StaleVersion, InvalidTransition) as error:
        return conflict_page(error, url_for("items.edit_report", report_id=report.id), "")
    flash(_("The file was removed."), "success")
    return redirect(url_for("items.edit_report", report_id=report.id))


@bp.post("/items/<int:item_id>/contributions")
@login_required
def contribute(item_id: int):
    item = load_item(current_user, item_id)
    require(current_user, Action.CONTRIBUTE, item_subject(item))
    form = ContributionForm()

    def done(_result):
        flash(_("Your contribution was added."), "success")
        return redirect(url_for("items.detail", item_id=item.id) + "#contributions")

    return form_page(
        form,
        lambda: add_contribution(
            current_user, item, body=form.body.data or "", uploads=_files(), now=clock.now()
        ),
        done=done,
        template="items/contribution_form.html",
        context={"item": item},
        back_url=url_for("items.detail", item_id=item.id),
        label=item.code,
        idle_status=422,
    )


@bp.post("/items/<int:item_id>/extensions")
@login_required
def ask_extension(item_id: int):
    item = load_item(current_user, item_id)
    pending = has_pending_extension(item.id)
    require(current_user, Action.REQUEST_EXTENSION, item_subject(item, pending_extension=pending))
    form = ExtensionForm()

    def done(_result):
        flash(_("Your extension request was sent to the office."), "success")
        return redirect(url_for("items.detail", item_id=item.id))

    return form_page(
        form,
        lambda: request_extension(
            current_user,
            item,
            requested_due_date=form.requested_due_date.parsed,
            reason=form.reason.data or "",
            now=clock.now(),
        ),
        done=done,
        template="items/extension_form.html",
        context={"item": item},
        back_url=url_for("items.detail", item_id=item.id),
        label=item.code,
        conflicts=(InvalidTransition,),
        idle_status=422,
    )
