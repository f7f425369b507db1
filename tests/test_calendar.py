"""The calendar feed: a secret, revocable URL with the department's and report deadlines."""

import re
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.conftest import login_as
from tests.dashboard_support import count_statements, make_item, make_period, make_plan
from tracker import clock
from tracker.calendar_feed.operations import token_hash
from tracker.extensions import db
from tracker.models import AuditEvent, User


@pytest.fixture
def world(app, factories):
    with app.app_context():
        today = clock.today()
    fgw = factories.department("市发改委")
    jxj = factories.department("市经信局")
    plan, nodes = make_plan()
    items = {
        "lead": make_item(plan, "三.1.(1)", fgw, due=today + timedelta(days=10)),
        "co": make_item(plan, "三.1.(2)", jxj, co=[fgw], due=today + timedelta(days=40)),
        "overdue": make_item(plan, "三.1.(3)", fgw, due=today - timedelta(days=100)),
        "done": make_item(
            plan,
            "三.1.(4)",
            fgw,
            due=today - timedelta(days=5),
            status="completed",
            completed_at=datetime(2026, 1, 1),
        ),
        "other": make_item(plan, "三.2.(1)", jxj, due=today + timedelta(days=3)),
        "retired": make_item(
            plan, "三.2.(2)", fgw, due=today + timedelta(days=3), retired_at=datetime(2026, 1, 1)
        ),
    }
    past = make_period(
        plan,
        "P0",
        today - timedelta(days=200),
        today - timedelta(days=110),
        today - timedelta(days=100),
    )
    current = make_period(
        plan,
        "P1",
        today - timedelta(days=20),
        today + timedelta(days=70),
        today + timedelta(days=80),
    )
    following = make_period(
        plan,
        "P2",
        today + timedelta(days=71),
        today + timedelta(days=160),
        today + timedelta(days=170),
    )
    later = make_period(
        plan,
        "P3",
        today + timedelta(days=161),
        today + timedelta(days=250),
        today + timedelta(days=260),
    )
    liaison = factories.user("liaison", fgw, locale="zh_Hans_CN")
    return dict(
        today=today,
        items=items,
        periods=(past, current, following, later),
        liaison=liaison,
        fgw=fgw,
    )


def _token(client, user):
    login_as(client, user)
    response = client.post("/calendar/token")
    assert response.status_code == 200
    url = re.search(r'value="(http[^"]+\.ics)"', response.get_data(as_text=True)).group(1)
    return url[url.index("/calendar/") :]


def test_feed_lists_department_deadlines_and_report_deadlines(client, world):
    path = _token(client, world["liaison"])
    anonymous = client.application.test_client()
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.data)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    items = world["items"]
    for key in ("lead", "co", "overdue"):
        assert f"item-{items[key].id}-due@plan-tracker" in events, key
    for key in ("done", "other", "retired"):
        assert f"item-{items[key].id}-due@plan-tracker" not in events, key
    overdue = events[f"item-{items['overdue'].id}-due@plan-tracker"]
    assert str(overdue["summary"]).startswith("【逾期】")
    assert overdue.decoded("dtstart") == items["overdue"].due_date
    assert overdue.decoded("dtend") == items["overdue"].due_date + timedelta(days=1)
    past, current, following, later = world["periods"]
    period_uids = {uid for uid in events if uid.startswith("period-")}
    assert period_uids == {
        f"period-{current.id}-deadline@plan-tracker",
        f"period-{following.id}-deadline@plan-tracker",
    }
    assert "规划督办 · 市发改委" in response.get_data(as_text=True)


def test_only_the_hash_is_stored_and_regenerating_kills_the_old_link(client, world):
    first = _token(client, world["liaison"])
    token = first.rsplit("/", 1)[1].removesuffix(".ics")
    db.session.expire_all()
    user = db.session.get(User, world["liaison"].id)
    assert user.calendar_token_hash == token_hash(token) and token not in user.calendar_token_hash
    second = _token(client, world["liaison"])
    assert second != first
    anonymous = client.application.test_client()
    assert anonymous.get(first).status_code == 404
    assert anonymous.get(second).status_code == 200
    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["calendar.token_issued", "calendar.token_regenerated"]


def test_revoked_unknown_and_inactive_tokens_are_404(client, world):
    path = _token(client, world["liaison"])
    anonymous = client.application.test_client()
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404
    assert client.post("/calendar/token/revoke").status_code == 302
    assert anonymous.get(path).status_code == 404
    path = _token(client, world["liaison"])
    user = db.session.get(User, world["liaison"].id)
    user.active = False
    db.session.commit()
    assert anonymous.get(path).status_code == 404


def test_profile_shows_the_calendar_section(client, world):
    login_as(client, world["liaison"])
    html = client.get("/profile").get_data(as_text=True)
    assert "日历订阅" in html and 'action="/calendar/token"' in html
    _token(client, world["liaison"])
    html = client.get("/profile").get_data(as_text=True)
    assert 'action="/calendar/token/revoke"' in html


def test_managing_the_link_needs_a_login(client, world):
    assert client.post("/calendar/token").status_code in (302, 401)
    assert client.post("/calendar/token/revoke").status_code in (302, 401)


def test_feed_runs_a_bounded_number_of_statements(app, client, world, factories):
    path = _token(client, world["liaison"])
    anonymous = app.test_client()
    with count_statements(db.engine) as small:
        anonymous.get(path)
    plan = world["items"]["lead"].plan
    for n in range(40):
        make_item(plan, f"多{n}", world["fgw"], due=world["today"] + timedelta(days=n))
    db.session.commit()
    with count_statements(db.engine) as large:
        response = anonymous.get(path)
    assert len(Calendar.from_ical(response.data).walk("VEVENT")) > 40
    assert small["n"] == large["n"]


def test_feed_in_english_for_an_english_user(client, world, factories):
    user = factories.user("liaison", world["fgw"], locale="en")
    path = _token(client, user)
    body = client.application.test_client().get(path).get_data(as_text=True)
    assert "[Overdue]" in body
