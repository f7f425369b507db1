"""The admin holiday page: which years are known, entering a year, clearing one."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from tracker import clock, workdays
from tracker.extensions import db
from tracker.holidays import bp
from tracker.holidays.forms import HolidayYearForm
from tracker.holidays.operations import clear_holiday_year, get_year, set_holiday_year
from tracker.holidays.parsing import HolidayFileError, Problem, parse_text
from tracker.models import HolidayEntry, HolidayYear, User
from tracker.web import one_transaction, role_required
from tracker.workflow import Role

MAX_UPLOAD_BYTES = 64 * 1024


def _entered_rows():
    return db.session.execute(
        select(
            HolidayYear.year,
            HolidayYear.source,
            HolidayYear.entered_at,
            User.username,
            func.count(HolidayEntry.id).label("entries"),
        )
        .outerjoin(HolidayEntry, HolidayEntry.holiday_year_id == HolidayYear.id)
        .outerjoin(User, User.id == HolidayYear.entered_by_id)
        .group_by(HolidayYear.id, User.username)
        .order_by(HolidayYear.year.desc())
    ).all()


def _as_csv(holiday_year: HolidayYear) -> str:
    lines = ["kind,name,first,last"]
    lines += [
        f"{e.kind},{e.name},{e.first_day.isoformat()},{e.last_day.isoformat()}"
        for e in holiday_year.entries
    ]
    return "\n".join(lines) + "\n"


def _submitted_text(form: HolidayYearForm) -> tuple[str, str]:
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        raw = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            raise HolidayFileError([Problem(None, _("The file is larger than 64 KB."))])
        try:
            return raw.decode("utf-8-sig"), upload.filename
        except UnicodeDecodeError:
            raise HolidayFileError([Problem(None, _("The file is not UTF-8 text."))]) from None
    return form.arrangement.data or "", ""


@bp.route("", methods=["GET", "POST"])
@role_required([Role.ADMIN], event="admin")
def index():
    today = clock.today()
    form = HolidayYearForm()
    problems: list[Problem] = []
    status = 200
    if request.method == "GET":
        year = request.args.get("year", type=int) or today.year + 1
        form.year.data = year
        existing = get_year(year)
        if existing is not None:
            form.source.data = existing.source
            form.arrangement.data = _as_csv(existing)
    elif form.validate_on_submit():
        try:
            text, filename = _submitted_text(form)
            entries = parse_text(form.year.data, text, filename=filename)
        except HolidayFileError as error:
            problems = error.problems
            status = 422
        else:
            with one_transaction():
                _row, moved = set_holiday_year(
                    current_user, form.year.data, entries, today=today, source=form.source.data
                )
            flash(
                _(
                    "%(year)s entered: %(n)s entries; %(moved)s open report deadlines moved.",
                    year=form.year.data,
                    n=len(entries),
                    moved=moved,
                ),
                "success",
            )
            return redirect(url_for("holidays.index", year=form.year.data))
    else:
        status = 422
    known = workdays.library_years()
    return (
        render_template(
            "holidays/index.html",
            form=form,
            problems=problems,
            entered=_entered_rows(),
            library_first=known.start,
            library_last=known.stop - 1,
            coverage=workdays.calendar_coverage(today),
        ),
        status,
    )


@bp.post("/<int:year>/clear")
@role_required([Role.ADMIN], event="admin")
def clear(year: int):
    with one_transaction():
        moved = clear_holiday_year(current_user, year, today=clock.today())
    if moved is None:
        flash(_("%(year)s is not entered.", year=year), "warning")
    else:
        flash(
            _("%(year)s cleared; %(moved)s open report deadlines moved.", year=year, moved=moved),
            "success",
        )
    return redirect(url_for("holidays.index"))
