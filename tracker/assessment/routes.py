"""Score sheet pages: every department ranked (office, leaders), one department's sheet with
each line's events (its own liaisons too), and the .xlsx/.docx downloads."""

from __future__ import annotations

import logging

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker import clock
from tracker.assessment import bp
from tracker.assessment.documents import ranking_rows, sheets_docx, sheets_xlsx
from tracker.assessment.sheets import ScoreSheets, build_sheets
from tracker.assessment.vocabulary import EVENTS
from tracker.documents import DOCX_MIMETYPE, XLSX_MIMETYPE
from tracker.documents.download import send_download
from tracker.extensions import db
from tracker.models import Department
from tracker.web import role_required
from tracker.workflow import SEE_ALL_ROLES

logger = logging.getLogger(__name__)

FIRST_YEAR = 2000


def requested_range() -> tuple[int, int | None]:
    """?year=YYYY&quarter=N; no year is this year, a year or quarter out of range is a 404."""
    today = clock.today()
    year = request.args.get("year", type=int) or today.year
    quarter = request.args.get("quarter", type=int) or None
    if not FIRST_YEAR <= year <= today.year + 1 or quarter not in (None, 1, 2, 3, 4):
        abort(404)
    return year, quarter


def _build(year: int, quarter: int | None) -> ScoreSheets:
    return build_sheets(year, quarter, clock.today(), current_app.config["TIMEZONE"])


def _choices(year: int, quarter: int | None) -> dict:
    today = clock.today()
    return {
        "year": year,
        "quarter": quarter,
        "years": list(range(today.year, today.year - 6, -1)),
    }


@bp.get("/")
@role_required(SEE_ALL_ROLES)
def index():
    year, quarter = requested_range()
    result = _build(year, quarter)
    headers, rows = ranking_rows(result)
    return render_template(
        "assessment/index.html",
        result=result,
        headers=headers,
        lines=list(zip(result.sheets, rows, strict=True)),
        **_choices(year, quarter),
    )


def _sees_department(department_id: int) -> bool:
    return current_user.role in SEE_ALL_ROLES or current_user.department_id == department_id


@bp.get("/departments/<int:department_id>")
@login_required
def department(department_id: int):
    """One department's sheet; a department the user may not see is a 404, like a missing
    one (liaisons see their own)."""
    if not _sees_department(department_id):
        abort(404)
    found = db.session.get(Department, department_id)
    if found is None:
        abort(404)
    year, quarter = requested_range()
    result = _build(year, quarter)
    sheet = result.for_department(department_id)
    return render_template(
        "assessment/department.html",
        result=result,
        department=found,
        sheet=sheet,
        events=EVENTS,
        **_choices(year, quarter),
    )


@bp.get("/mine")
@login_required
def mine():
    """The user's own department's sheet (the liaison's entry point)."""
    return redirect(
        url_for("assessment.department", department_id=current_user.department_id, **request.args)
    )


def _file_name(result: ScoreSheets, suffix: str) -> str:
    period = f"{result.year}Q{result.quarter}" if result.quarter else str(result.year)
    return f"考核评分-{period}.{suffix}"


@bp.get("/sheets.xlsx")
@role_required(SEE_ALL_ROLES)
def download_xlsx():
    result = _build(*requested_range())
    if result.rule_set is None:
        abort(404)
    return send_download(
        sheets_xlsx(result), filename=_file_name(result, "xlsx"), mimetype=XLSX_MIMETYPE
    )


@bp.get("/sheets.docx")
@role_required(SEE_ALL_ROLES)
def download_docx():
    result = _build(*requested_range())
    if result.rule_set is None:
        abort(404)
    return send_download(
        sheets_docx(result, clock.today()),
        filename=_file_name(result, "docx"),
        mimetype=DOCX_MIMETYPE,
    )
