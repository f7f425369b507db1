"""Cached fragments of the homes and dashboards (tracker/fragments.py): the data generation
changes with every committed write and only then, the pages are served from the cache until
it does, and a fragment never crosses a scope, a language or a day."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text, update
from sqlalchemy.orm import Session

from tests.conftest import login_as
from tests.dashboard_support import count_statements, make_item, make_plan
from tracker import fragments
from tracker.extensions import db
from tracker.models import Department, LoginThrottle, WorkItem

TODAY = date(2026, 11, 27)
pytestmark = pytest.mark.today(TODAY.isoformat())


def generation():
    db.session.rollback()
    return db.session.scalar(text("SELECT token FROM data_generation WHERE id = 1"))


@pytest.fixture
def world(factories):
    fgw = factories.department("市发改委")
    jxj = factories.department("市经信局")
    office_unit = factories.department("市质量强市办", kind="office")
    plan, nodes = make_plan()
    # Due in 5 days: on the office home's "due soon" list with its lead department.
    for code, unit in (("三.1.(1)", fgw), ("三.1.(2)", jxj)):
        make_item(
            plan, code, unit, due=TODAY + timedelta(days=5), section=nodes["三.(一)"], progress=10
        )
    users = {
        "office": factories.user("office", office_unit),
        "fgw": factories.user("liaison", fgw),
        "jxj": factories.user("liaison", jxj),
    }
    db.session.commit()
    return dict(plan=plan, fgw=fgw, jxj=jxj, users=users)


# ---------------------------------------------------------------- the generation


def test_a_committed_write_replaces_the_generation(app, world):
    before = generation()
    assert before is not None  # the fixture's commit made the row
    world["fgw"].name = "绍兴市发展和改革委员会"
    db.session.commit()
    after = generation()
    assert after != before and len(after) == 32


def test_a_rolled_back_write_and_a_read_keep_it(app, world):
    before = generation()
    world["fgw"].name = "改了又撤回"
    db.session.flush()
    db.session.rollback()
    db.session.scalars(db.select(Department)).all()
    db.session.commit()
    assert generation() == before


def test_bookkeeping_writes_keep_it(app, world):
    before = generation()
    db.session.add(LoginThrottle(key="a" * 64, failures=1))
    db.session.commit()
    assert generation() == before


def test_a_log_in_keeps_it_a_changed_name_does_not(app, client, world):
    from tests.conftest import login

    before = generation()
    assert login(client, world["users"]["fgw"]).status_code == 302
    assert generation() == before  # only last_login_at changed
    world["users"]["fgw"].name = "新名字"
    db.session.commit()
    assert generation() != before


def test_bulk_and_hand_written_writes_replace_it(app, world):
    first = generation()
    db.session.execute(update(WorkItem).values(progress=20))
    db.session.commit()
    second = generation()
    assert second != first
    db.session.execute(text("UPDATE department SET name = name"))
    db.session.commit()
    assert generation() != second


def test_a_write_in_another_session_replaces_it(app, world):
    before = generation()
    with Session(db.engine) as other:  # as the scheduler or a CLI command would
        other.execute(update(Department).values(head_email="head@example.org"))
        other.commit()
    assert generation() != before


# ---------------------------------------------------------------- the pages


@pytest.mark.parametrize(
    ("user", "path"),
    [("office", "/dashboard/"), ("office", "/office"), ("fgw", "/my"), ("office", "dept")],
)
def test_pages_are_served_from_the_cache_until_a_write(app, client, world, user, path):
    login_as(client, world["users"][user])
    if path == "dept":
        path = f"/dashboard/department/{world['fgw'].id}"
    with count_statements(db.engine) as cold:
        first = client.get(path)
    with count_statements(db.engine) as warm:
        second = client.get(path)
    assert first.status_code == second.status_code == 200
    assert second.data == first.data
    assert warm["n"] < cold["n"] - 3, (cold["n"], warm["n"])
    assert "市发改委" in first.get_data(as_text=True)

    world["fgw"].short_name = "发改委新名"
    world["fgw"].name = "发改委新全称"
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    # Names the cached content shows (the navigation and the title are never cached).
    shown = {"/my": "发改委新名 · ", "/office": "发改委新名", "/dashboard/": "发改委新名"}
    assert shown.get(path, '<h1 class="h3 mb-0">发改委新全称</h1>') in page


def test_a_department_never_sees_another_departments_home(app, client, world):
    login_as(client, world["users"]["fgw"])
    assert "市发改委 · " in client.get("/my").get_data(as_text=True)
    login_as(client, world["users"]["jxj"])
    page = client.get("/my").get_data(as_text=True)
    assert "市经信局 · " in page and "市发改委 · " not in page


def test_language_and_day_are_part_of_the_key(app, client, world, pinned_clock):
    login_as(client, world["users"]["office"])
    chinese = client.get("/dashboard/").get_data(as_text=True)
    english = client.get("/dashboard/?lang=en").get_data(as_text=True)
    assert "as of" in english and "as of" not in chinese
    assert "2026年11月27日" in chinese
    pinned_clock.move_to(datetime(2026, 11, 30, 10, 0))
    login_as(client, world["users"]["office"])  # the session of three days ago has expired
    later = client.get("/dashboard/").get_data(as_text=True)
    assert "2026年11月30日" in later and "2026年11月27日" not in later


def test_a_fragment_holding_a_form_token_is_refused(app, world):
    with app.test_request_context("/"), pytest.raises(fragments.FragmentError):
        fragments.cached("bad", ("all", "office"), lambda: '<input name="csrf_token" value="x">')


def test_switched_off_it_renders_every_time(app, client, world):
    login_as(client, world["users"]["office"])
    app.config["FRAGMENT_CACHE"] = False
    try:
        with count_statements(db.engine) as first:
            client.get("/dashboard/")
        with count_statements(db.engine) as second:
            client.get("/dashboard/")
    finally:
        app.config["FRAGMENT_CACHE"] = True
    assert second["n"] >= first["n"] - 1


def test_data_loaded_around_the_app_starts_a_generation(app, client, world):
    # As after a bulk load or a restore: no token yet. The first page makes one.
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM data_generation"))
    login_as(client, world["users"]["office"])
    db.session.rollback()
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM data_generation"))
    with count_statements(db.engine) as cold:
        client.get("/dashboard/")
    token = generation()
    assert token is not None
    with count_statements(db.engine) as warm:
        client.get("/dashboard/")
    assert warm["n"] < cold["n"] - 3
    assert generation() == token
