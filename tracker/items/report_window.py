"""Which reporting periods a liaison may still start a report for (LATE_REPORT_PERIODS)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.models import Report, ReportingPeriod, WorkItem

# A liaison may start a report late, but only for the plan's last LATE_REPORT_PERIODS
# started periods (two years of quarters, eight months of monthly periods): the page offers
# those without a report, and the page POST and the API refuse any other
# (`check_report_window`). Older periods have had their 通报 published and their deadlines
# long passed; a report for one would change history nobody reviews any more. Before, the
# page offered the 8 newest periods *without* a report while the server took any started
# period. create_report itself stays open to every started period: the demo, imports and
# test fixtures write history.
LATE_REPORT_PERIODS = 8


def too_late_message() -> str:
    return _(
        "A report can be started late only for the last %(n)s reporting periods.",
        n=LATE_REPORT_PERIODS,
    )


def _window(plan_id: int, today: date):
    return (
        select(ReportingPeriod.id)
        .where(ReportingPeriod.plan_id == plan_id, ReportingPeriod.start_date <= today)
        .order_by(ReportingPeriod.start_date.desc())
        .limit(LATE_REPORT_PERIODS)
    )


def in_report_window(period: ReportingPeriod, today: date) -> bool:
    """Whether a liaison may start a report for `period` today (LATE_REPORT_PERIODS)."""
    return period.id in set(db.session.scalars(_window(period.plan_id, today)))


def check_report_window(period: ReportingPeriod, today: date) -> None:
    """ValidationFailed (422) unless `period` is in the window the report page offers."""
    if not in_report_window(period, today):
        raise ValidationFailed({"period": too_late_message()})


def period_choices(item: WorkItem, today: date) -> list[ReportingPeriod]:
    """Periods the lead may still start a report for: in the window, without a report."""
    taken = select(Report.period_id).where(Report.item_id == item.id)
    return list(
        db.session.scalars(
            select(ReportingPeriod)
            .where(
                ReportingPeriod.id.in_(_window(item.plan_id, today).scalar_subquery()),
                ReportingPeriod.id.not_in(taken),
            )
            .order_by(ReportingPeriod.start_date.desc())
        )
    )
