"""Score sheets read the same number of statements at two data sizes (no query per item,
department or period), and the one-statement report rule agrees with the 通报's per-period
figures. Not timed: bench/assessment.py times a year at size M."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from werkzeug.security import generate_password_hash

from bench.generate import populate
from bench.pages import capture_sql, choose_targets, log_in
from bench.sizes import BENCH_PASSWORD, local_today, tiny
from tests.conftest import truncate_all
from tracker.assessment.operations import import_rules
from tracker.assessment.parsing import parse_rules

SIZES = {
    "small": tiny(11, departments=6, users=16, plans=1),
    "big": tiny(60, departments=14, users=40, plans=3),
}
RULES = """year_from,year_to,base,category,cap,event,points
2000,,100,报送,20,report_on_time,0.1
2000,,100,报送,20,report_late,-1
2000,,100,报送,20,report_missing,-2
2000,,100,报送,20,report_returned,-0.5
2000,,100,质量,5,grade_excellent,0.5
2000,,100,落实,20,item_completed_on_time,1
2000,,100,落实,20,item_overdue,-2
2000,,100,指标,10,indicator_met,0.5
2000,,100,指标,10,binding_indicator_not_met,-3
"""


def _build(app, scale) -> None:
    from tracker.extensions import db

    with app.app_context(), db.engine.begin() as conn:
        populate(conn, scale, local_today(), generate_password_hash(BENCH_PASSWORD))
    with app.app_context():
        import_rules(None, parse_rules(RULES), now=datetime(2000, 1, 1))
        db.session.commit()


def _pages(targets, department_id: int, year: int) -> dict[str, tuple[str, str]]:
    return {
        "sheets": ("office", f"/assessment/?year={year}"),
        "quarter": ("office", f"/assessment/?year={year}&quarter=2"),
        "department": ("liaison", f"/assessment/departments/{department_id}?year={year}"),
        "xlsx": ("office", f"/assessment/sheets.xlsx?year={year}"),
        "rules": ("office", "/assessment/rules"),
    }


def _measure(app) -> dict:
    from tracker.extensions import db
    from tracker.models import User

    year = local_today().year
    with app.app_context():
        targets = choose_targets(db.session)
        department_id = db.session.query(User).filter_by(username=targets.liaison).one()
        department_id = department_id.department_id
        db.session.remove()
    clients = {}
    for role, username in (("liaison", targets.liaison), ("office", targets.office)):
        clients[role] = app.test_client()
        log_in(clients[role], app, username)
    counts = {}
    for name, (role, path) in _pages(targets, department_id, year).items():
        clients[role].get(path)  # warm-up
        with app.app_context():
            engine = db.engine
        with capture_sql(engine) as capture:
            response = clients[role].get(path)
        counts[name] = (
            response.status_code,
            capture.count,
            [s.sql[:200] for s in capture.statements],
        )
    return counts


@pytest.fixture(scope="module")
def measured(app):
    from tracker.extensions import db

    results = {}
    try:
        for label, scale in SIZES.items():
            _build(app, scale)
            results[label] = _measure(app)
            with app.app_context():
                truncate_all(db)
    finally:
        with app.app_context():
            truncate_all(db)
    return results


@pytest.mark.parametrize("page", ["sheets", "quarter", "department", "xlsx", "rules"])
def test_statement_count_does_not_grow_with_the_data(measured, page):
    small, big = measured["small"][page], measured["big"][page]
    assert small[0] == 200 and big[0] == 200, (small[0], big[0])
    assert small[1] == big[1], (
        f"{page}: {small[1]} statements small, {big[1]} big — a query per row?\n"
        + "\n".join(big[2])
    )
    assert big[1] <= 20


def test_report_events_agree_with_the_bulletin_figures(app):
    """Per period and department: on time, late, missing and returned as the 通报 counts."""
    from tracker.assessment.events import periods_in, report_events
    from tracker.dashboard.reporting import reporting_stats
    from tracker.extensions import db

    _build(app, SIZES["big"])
    today = local_today()
    try:
        with app.app_context():
            periods = periods_in(today.replace(year=today.year - 1, month=1, day=1), today)
            assert len(periods) > 4
            events = report_events(periods, today, "Asia/Shanghai")
            # Every plan has a 2026Q1 and so on: compare each label's periods together.
            expected: Counter = Counter()
            for period in periods:
                stats = reporting_stats(period, today, "Asia/Shanghai")
                for department_id, s in stats.items():
                    key = (department_id, period.label)
                    expected[(*key, "report_on_time")] += s.on_time
                    expected[(*key, "report_late")] += s.late
                    expected[(*key, "report_returned")] += s.returned
                    if today > period.deadline:
                        expected[(*key, "report_missing")] += s.missing
            found = Counter(
                (e.department_id, e.label.rsplit(" · ", 1)[1], e.kind)
                for e in events
                if not e.kind.startswith("grade_")
            )
            assert +found == +expected
            assert sum(found.values()) > 50
    finally:
        with app.app_context():
            truncate_all(db)
