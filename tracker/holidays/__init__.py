"""Holiday years: the office enters each year's official 放假安排 ahead of chinese_calendar."""

from flask import Blueprint

from tracker import workdays

bp = Blueprint("holidays", __name__, url_prefix="/admin/holidays")


@bp.record_once
def _install_provider(state) -> None:  # noqa: ARG001
    # Registered with the app, so working days consult the database from the first request.
    from tracker.holidays.store import entered_years

    workdays.use_entered_years(entered_years)
