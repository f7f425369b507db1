"""Reporting periods: quarter/month boundaries, deadlines in working days, the focus period."""

from datetime import date

import pytest

from tests.items_support import TODAY, make_plan
from tracker.models import ReportingPeriod
from tracker.periods import (
    ensure_all_periods,
    ensure_periods,
    focus_period,
    focus_span,
    period_containing,
    periods_between,
    report_deadline,
)


@pytest.mark.parametrize(
    ("day", "label", "start", "end"),
    [
        (date(2026, 1, 1), "2026Q1", date(2026, 1, 1), date(2026, 3, 31)),
        (date(2026, 5, 31), "2026Q2", date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 9, 30), "2026Q3", date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 12, 31), "2026Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ],
)
def test_quarters(day, label, start, end):
    span = period_containing(day)
    assert (span.label, span.start, span.end) == (label, start, end)


def test_months_including_february_of_a_leap_year():
    span = period_containing(date(2024, 2, 10), "monthly")
    assert (span.label, span.start, span.end) == ("2024-02", date(2024, 2, 1), date(2024, 2, 29))
    assert period_containing(date(2025, 12, 5), "monthly").end == date(2025, 12, 31)
    with pytest.raises(ValueError):
        period_containing(date(2025, 1, 1), "weekly")


def test_periods_between_covers_both_ends():
    spans = periods_between(date(2021, 1, 1), date(2026, 11, 27))
    assert spans[0].label == "2021Q1" and spans[-1].label == "2026Q4"
    assert len(spans) == 24
    assert all(a.end.toordinal() + 1 == b.start.toordinal() for a, b in zip(spans, spans[1:]))
    assert periods_between(date(2026, 1, 1), date(2025, 1, 1)) == []


def test_deadline_counts_official_working_days():
    # 2026: National Day holidays run 1–8 October; the 5th working day after 30 September
    # is therefore well into October, not 7 October.
    assert report_deadline(date(2026, 9, 30), 5) == date(2026, 10, 13)
    # Saturday 2026-01-03 is a holiday; the new year starts counting on the 5th.
    assert report_deadline(date(2025, 12, 31), 5) == date(2026, 1, 8)
    assert report_deadline(date(2026, 3, 31), 0) == date(2026, 3, 31)


def test_focus_is_the_period_whose_report_is_being_written():
    assert focus_span(date(2026, 11, 27)).label == "2026Q4"
    assert focus_span(date(2026, 10, 9)).label == "2026Q3"  # Q3's report still due
    assert focus_span(date(2026, 10, 14)).label == "2026Q4"
    assert focus_span(date(2026, 1, 5)).label == "2025Q4"
    assert focus_span(date(2026, 1, 9)).label == "2026Q1"


def test_ensure_periods_is_idempotent_and_goes_past_the_plan_end(db_session):
    plan = make_plan(start_year=2021, end_year=2025)
    first = ensure_periods(plan, TODAY)
    assert [p.label for p in first][:2] == ["2021Q1", "2021Q2"]
    assert first[-1].label == "2026Q4"  # reporting continues after 2025 for open items
    assert ensure_periods(plan, TODAY) == first
    assert db_session.query(ReportingPeriod).count() == 24
    assert focus_period(plan.id, TODAY).label == "2026Q4"
    assert focus_period(plan.id, date(2026, 10, 9)).label == "2026Q3"
    assert focus_period(plan.id, date(2030, 1, 1)) is None


def test_monthly_plan_and_deadline_setting(db_session):
    plan = make_plan()
    plan.frequency, plan.report_deadline_working_days = "monthly", 3
    rows = ensure_periods(plan, date(2021, 3, 15))
    assert [p.label for p in rows] == ["2021-01", "2021-02", "2021-03"]
    assert rows[0].deadline == report_deadline(date(2021, 1, 31), 3)


def test_ensure_all_periods_counts_what_it_created(db_session):
    make_plan()
    assert ensure_all_periods(date(2021, 6, 1)) == 2
    assert ensure_all_periods(date(2021, 6, 1)) == 0


def test_the_daily_periods_job_creates_every_active_plans_rows_once(app, db_session):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tracker.items.jobs import periods_job
    from tracker.models import SchedulerRun
    from tracker.scheduler.runner import record_run
    from tracker.scheduler.schedule import JOBS

    active, other = make_plan(), make_plan(title="另一规划", start_year=2026, end_year=2030)
    archived = make_plan(title="已归档规划")
    archived.status = "archived"
    db_session.commit()
    # 00:05 on 1 April in Shanghai is still 31 March in UTC: the job counts the local day.
    fire = datetime(2026, 4, 1, 0, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    spec = next(job for job in JOBS if job.id == "items.periods")
    with app.app_context():
        record_run(spec.id, spec.func, fire)
    db_session.expire_all()

    def labels(plan):
        return [
            p.label
            for p in db_session.query(ReportingPeriod)
            .filter_by(plan_id=plan.id)
            .order_by(ReportingPeriod.start_date)
        ]

    assert labels(active)[0] == "2021Q1" and labels(active)[-1] == "2026Q2"
    assert len(labels(active)) == 22
    assert labels(other) == ["2026Q1", "2026Q2"]
    assert labels(archived) == []
    run = db_session.query(SchedulerRun).one()
    assert (run.job_id, run.outcome) == ("items.periods", "ok")
    assert run.detail == "2026-04-01: 24 reporting periods created"
    # Again (a catch-up at start, a second scheduler): nothing new.
    with app.app_context():
        assert periods_job(fire) == "2026-04-01: 0 reporting periods created"
    db_session.expire_all()
    assert db_session.query(ReportingPeriod).count() == 24
