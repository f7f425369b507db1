"""Spreadsheet pages: downloads for everyone (their own items only), bulk import for the office."""

from __future__ import annotations

import logging

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from tracker import clock
from tracker.dashboard.scope import due_soon_days
from tracker.documents import XLSX_MIMETYPE
from tracker.documents.download import send_download
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.models import ReportingPeriod
from tracker.periods import focus_period
from tracker.plan_lists import find_plan, plan_list, requested_plan
from tracker.spreadsheets import bp, exports, messages, operations
from tracker.spreadsheets.forms import ConfirmForm, UploadForm
from tracker.spreadsheets.reader import Limits, SpreadsheetRejected
from tracker.web import one_transaction, role_required
from tracker.workflow import OFFICE_ROLES, is_office

logger = logging.getLogger(__name__)

_OFFICE_ONLY = _l("Only the leading-group office may import task tables.")


def _limits() -> Limits:
    config = current_app.config
    return Limits(
        max_bytes=config["SPREADSHEET_MAX_BYTES"],
        max_rows=config["SPREADSHEET_MAX_ROWS"],
    )


def _plan_from_args(plans):
    plan = requested_plan(plans)
    if plan is None:
        abort(404)
    return plan


def _periods(plan_id: int) -> list[ReportingPeriod]:
    return list(
        db.session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.plan_id == plan_id)
            .order_by(ReportingPeriod.start_date.desc())
        )
    )


def _download(data: bytes, name: str):
    return send_download(data, filename=name, mimetype=XLSX_MIMETYPE)


@bp.get("/")
@login_required
def index():
    plans = plan_list()
    plan = requested_plan(plans)
    periods = _periods(plan.id) if plan else []
    focus = focus_period(plan.id, clock.today()) if plan else None
    form = None
    if is_office(current_user):
        form = UploadForm()
        form.plan_id.choices = [(p.id, p.title) for p in plans if not p.is_archived]
        if plan:
            form.plan_id.data = plan.id
    return render_template(
        "spreadsheets/index.html",
        plans=plans,
        plan=plan,
        periods=periods,
        focus=focus,
        form=form,
        recent=_recent_imports() if form else [],
    )


def _recent_imports():
    from tracker.models import SpreadsheetImport

    return db.session.scalars(
        select(SpreadsheetImport).order_by(SpreadsheetImport.id.desc()).limit(10)
    ).all()


@bp.get("/export/decomposition.xlsx")
@login_required
def export_decomposition():
    plan = _plan_from_args(plan_list())
    data = exports.decomposition_workbook(current_user, plan, clock.today())
    return _download(data, f"任务分解表-{plan.id}.xlsx")


@bp.get("/export/progress.xlsx")
@login_required
def export_progress():
    plan = _plan_from_args(plan_list())
    period_id = request.args.get("period", type=int)
    if period_id:
        period = db.session.get(ReportingPeriod, period_id)
    else:
        period = focus_period(plan.id, clock.today())
    if period is None or period.plan_id != plan.id:
        abort(404)
    data = exports.progress_workbook(current_user, plan, period, clock.today(), due_soon_days())
    return _download(data, f"进展情况表-{period.label}.xlsx")


@bp.get("/export/indicators.xlsx")
@login_required
def export_indicators():
    plan = _plan_from_args(plan_list())
    data = exports.indicators_workbook(current_user, plan, clock.today())
    return _download(data, f"主要指标-{plan.id}.xlsx")


@bp.post("/import")
@role_required(OFFICE_ROLES, message=_OFFICE_ONLY)
def upload():
    plans = [p for p in plan_list() if not p.is_archived]
    form = UploadForm()
    form.plan_id.choices = [(p.id, p.title) for p in plans]
    if not form.validate_on_submit():
        return _index_with_error(form, _("Choose a plan and a file."))
    plan = find_plan(plans, form.plan_id.data)
    file = form.file.data
    if plan is None or file is None or not getattr(file, "filename", ""):
        return _index_with_error(form, _("Choose a plan and a file."))
    limits = _limits()
    data = file.read(limits.max_bytes + 1)
    try:
        with one_transaction():
            preview = operations.preview_upload(
                current_user, plan, data, file.filename, today=clock.today(), limits=limits
            )
    except SpreadsheetRejected as error:
        logger.info("spreadsheet refused: %s", error.code)
        return _index_with_error(form, messages.refusal_text(error.code, error.params))
    return redirect(url_for("spreadsheets.preview", import_id=preview.id))


def _index_with_error(form, message: str):
    flash(message, "danger")
    plans = plan_list()
    plan = find_plan(plans, form.plan_id.data)
    return (
        render_template(
            "spreadsheets/index.html",
            plans=plans,
            plan=plan,
            periods=_periods(plan.id) if plan else [],
            focus=focus_period(plan.id, clock.today()) if plan else None,
            form=form,
            recent=_recent_imports(),
        ),
        422,
    )


@bp.get("/import/<int:import_id>")
@role_required(OFFICE_ROLES, message=_OFFICE_ONLY)
def preview(import_id: int):
    upload_row = operations.load_import(current_user, import_id)
    data = upload_row.preview_json
    show = request.args.get("show", "changes")
    rows = [
        r
        for r in data["rows"]
        if show == "all" or r["action"] in (operations.CREATE, operations.UPDATE, operations.ERROR)
    ]
    return render_template(
        "spreadsheets/preview.html",
        upload=upload_row,
        preview=data,
        rows=rows,
        show=show,
        form=ConfirmForm(),
        can_apply=operations.can_apply(upload_row, clock.now()),
        problem_text=messages.problem_text,
        column_text=messages.column_text,
        field_labels=messages.FIELD_LABELS,
    )


@bp.post("/import/<int:import_id>/apply")
@role_required(OFFICE_ROLES, message=_OFFICE_ONLY)
def apply(import_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    upload_row = operations.load_import(current_user, import_id)
    try:
        with one_transaction():
            result = operations.apply_import(current_user, upload_row, now=clock.now())
    except DomainError as error:
        logger.info("spreadsheet %s not applied: %s", import_id, error.code)
        flash(error.message or _("Nothing was changed."), "danger")
        return redirect(url_for("spreadsheets.preview", import_id=import_id))
    flash(
        _(
            "Applied: %(created)s work items created, %(updated)s updated.",
            created=result["created"],
            updated=result["updated"],
        ),
        "success",
    )
    return redirect(url_for("spreadsheets.index", plan=upload_row.plan_id))
