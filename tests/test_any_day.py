"""The product on days other than the suite's default: a quarter end, a year the holiday
library does not know, and a day after the plan period in a new year.

The demo is told its story relative to the day it is loaded on, so every page, count and job
must agree with that day — not with the machine's date, nor with the day the tests were written.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from werkzeug.security import generate_password_hash

from tests.conftest import login_as
from tracker import clock
from tracker.extensions import db
from tracker.models import Report, User, WorkItem

DAYS = [
    pytest.param("2026-06-30", id="quarter-end", marks=pytest.mark.today("2026-06-30")),
    pytest.param("2027-01-04", id="unknown-holiday-year", marks=pytest.mark.today("2027-01-04")),
    pytest.param("2031-02-10", id="after-the-plan", marks=pytest.mark.today("2031-02-10")),
]


@pytest.fixture
def demo(app, monkeypatch):
    import tracker.admin.operations as admin_operations
    from tracker.demo import load_demo

    monkeypatch.setattr(
        admin_operations, "hash_password", lambda p: generate_password_hash(p, "pbkdf2:sha256:1")
    )
    with app.test_request_context():
        load_demo(now=clock.now())
        db.session.commit()


def _user(username: str) -> User:
    return db.session.query(User).filter_by(username=username).one()


@pytest.mark.slow
@pytest.mark.parametrize("day", DAYS)
def test_demo_pages_and_counts_follow_the_day(app, client, demo, day):
    today = date.fromisoformat(day)
    assert clock.today() == today == date.today()

    items = db.session.query(WorkItem).all()
    overdue = [i for i in items if i.is_overdue(today)]
    assert overdue, "the demo always has overdue items, whatever the day"
    # Demo reports sit in periods that have started by then: nothing reported from the future.
    assert all(r.period.start_date <= today for r in db.session.query(Report))

    login_as(client, _user("office"))
    for url in ("/", "/office", "/items", "/review", "/dashboard/", "/indicators/", "/plans/"):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
    html = client.get("/dashboard/").get_data(as_text=True)
    data = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', html, re.S).group(1))
    # The red light counts exactly the items overdue on this day.
    assert data["lights"]["values"][0] == len(overdue)
    listed = client.get("/items?due=overdue").get_data(as_text=True)
    assert f"共{len(overdue)}条" in listed

    login_as(client, _user("liaison-fgw"))
    assert client.get("/my").status_code == 200


@pytest.mark.parametrize("day", DAYS)
def test_jobs_plan_for_the_day(app, demo, runner, day):
    today = date.fromisoformat(day)
    for command in ("remind", "digest"):
        result = runner.invoke(args=["notify", command, "--dry-run", "--json"])
        assert result.exit_code == 0, result.output
        assert f"{day}: would queue" in result.output
        drafts = json.loads(result.stdout[: result.stdout.rindex("]") + 1])
        if command == "remind":
            # Reminders look ahead a few working days from *this* day; escalations look
            # back. Periods keep coming after the plan's end, so there is always a deadline
            # near the day, and none far ahead of it.
            deadlines = [
                date.fromisoformat(re.search(r"\d{4}-\d{2}-\d{2}", d["dedupe_key"]).group())
                for d in drafts
            ]
            ahead = [(x - today).days for x in deadlines]
            assert drafts and max(ahead) <= 31
            assert min(abs(x) for x in ahead) <= 100
