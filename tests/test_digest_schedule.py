"""The weekly digests list the items newly turned yellow or red (序时进度) since the last one."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import make_user
from tests.notify_data import cli_json
from tests.schedule_rollup_support import schedule_world
from tracker.extensions import db
from tracker.models import DigestLight, OutboxMessage
from tracker.notify.digest import plan_digests
from tracker.notify.jobs import digest

MONDAY = date(2026, 11, 30)
NEXT_MONDAY = date(2026, 12, 7)
TUESDAY = date(2026, 12, 8)


@pytest.fixture
def world(factories):
    world = schedule_world(factories)
    make_user("liaison", world["fgw"], email="a@fgw.example")
    make_user("liaison", world["jxj"], email="x@jxj.example")
    make_user("office", world["office"], email="office@office.example")
    return world


def _news(planned) -> dict:
    """Department (None: the city-wide digest) → codes listed as newly behind schedule."""
    news = {}
    for draft in planned.drafts:
        if draft.department_id is None:
            news[None] = [row["code"] for row in draft.context["newly_behind"]]
        else:
            news[draft.department] = [row["code"] for row in draft.context["digest"].newly_behind]
    return news


def _weeks():
    return dict(
        db.session.execute(select(DigestLight.week, func.count()).group_by(DigestLight.week)).all()
    )


@pytest.mark.today("2026-11-30")
def test_the_first_digest_lists_everything_behind_and_remembers_the_lights(app, world):
    news = _news(digest(MONDAY))
    assert news["市发改委"] == ["三.1.(1)", "三.1.(2)", "三.2.(3)"]  # red first, then by code
    assert news["市经信局"] == ["三.1.(3)"]
    assert news[None] == ["三.1.(1)", "三.1.(3)", "三.1.(2)", "三.2.(3)"]
    # Every open item's light, for next week (the completed one is not remembered).
    lights = dict(db.session.execute(select(DigestLight.item_id, DigestLight.light)).all())
    items = world["items"]
    assert lights == {
        items["far"].id: "red",
        items["behind"].id: "yellow",
        items["overdue"].id: "red",
        items["fine"].id: "green",
        items["new"].id: "grey",
        items["staged"].id: "yellow",
    }


@pytest.mark.today("2026-12-07")
def test_next_week_lists_only_what_turned_yellow_or_red_since(app, world):
    digest(MONDAY)
    items = world["items"]
    items["fine"].progress = 30  # green → yellow (lag 16)
    world["milestones"][0].state = "returned"  # staged: 40 reached → 0, yellow → red (lag 70)
    db.session.flush()
    planned = digest(NEXT_MONDAY)
    news = _news(planned)
    assert news["市发改委"] == ["三.2.(3)"]
    assert news["市经信局"] == ["三.2.(1)"]
    assert news[None] == ["三.2.(3)", "三.2.(1)"]
    fgw = next(d for d in planned.drafts if d.department == "市发改委")
    row = fgw.context["digest"].newly_behind[0]
    assert (row["light"], row["before"], row["expected"], row["actual"]) == ("red", "yellow", 70, 0)
    assert _weeks() == {MONDAY: 6, NEXT_MONDAY: 6}


@pytest.mark.today("2026-12-08")
def test_a_later_run_in_the_same_week_keeps_the_weeks_memory(app, world):
    """The job runs daily until the next digest day: what turns yellow on Tuesday must still
    be news next Monday, and a catch-up run compares with the same previous week."""
    digest(MONDAY)
    digest(NEXT_MONDAY)
    world["items"]["fine"].progress = 30
    db.session.flush()
    again = _news(plan_digests(TUESDAY))  # (what a re-run plans; the outbox has them already)
    assert again["市经信局"] == ["三.2.(1)"]  # compared with 30 November, not with Monday
    assert digest(TUESDAY).drafts == []
    fine = world["items"]["fine"].id
    remembered = db.session.scalar(
        select(DigestLight.light).where(
            DigestLight.item_id == fine, DigestLight.week == NEXT_MONDAY
        )
    )
    assert remembered == "green"  # Monday's light stays
    news = _news(digest(date(2026, 12, 14)))
    assert news["市经信局"] == ["三.2.(1)"]
    assert _weeks() == {NEXT_MONDAY: 6, date(2026, 12, 14): 6}  # older weeks dropped


@pytest.mark.today("2026-11-30")
def test_a_dry_run_remembers_nothing(app, world):
    digest(MONDAY, dry_run=True)
    assert _weeks() == {}


@pytest.mark.today("2026-11-30")
def test_the_mails_name_the_newly_behind_items(runner, world):
    sent = cli_json(runner, "digest", "--date", "2026-11-30")
    by_department = {m["department"]: m for m in sent}
    assert "三.2.(3)" in by_department["市发改委"]["items"]
    assert by_department["市发改委"]["subject"].endswith("退回0项，新增滞后3项")
    rows = {r.dedupe_key: r for r in db.session.scalars(select(OutboxMessage))}
    fgw_body = rows[by_department["市发改委"]["dedupe_key"]].body_text
    assert "自上期周报以来新增滞后事项（3项）" in fgw_body
    assert "转为红灯（严重滞后） · 序时进度91%，实际进度20%" in fgw_body and "三.2.(3)" in fgw_body
    office = rows["digest:office:2026-11-30"]
    assert "自上期周报以来新增滞后事项（4项）" in office.body_text
    assert "三.1.(2)" in office.body_html and "市发改委" in office.body_html
    assert db.session.scalar(select(func.count()).select_from(DigestLight)) == 6
