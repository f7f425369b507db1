"""The weekly digests: exactly each department's own items, the office's counts, once a week."""

import types
from datetime import date

import pytest

from tests.conftest import make_user
from tests.notify_data import (
    cli,
    cli_json,
    department_with_liaisons,
    make_item,
    make_period,
    make_plan,
    make_report,
    office,
)
from tracker import clock
from tracker.extensions import db
from tracker.models import OutboxMessage
from tracker.notify import digest
from tracker.notify.digest import collect_department_digests

MONDAY = "2026-11-30"


@pytest.fixture
def city():
    """Two departments with news, one without, one without liaisons, and the office."""
    plan = make_plan()
    period = make_period(plan, "2026Q3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 13))
    fgw, (liaison,) = department_with_liaisons("市发改委", "a@fgw.example")
    make_user("leader", fgw, email="leader@fgw.example", digest_opt_out=True)
    jxj, _ = department_with_liaisons("市经信局", "x@jxj.example")
    quiet, _ = department_with_liaisons("市科技局", "k@kjj.example")
    lonely, _ = department_with_liaisons("市统计局", None)
    office_dept, _ = office("office@office.example")
    make_user("office", office_dept, email="opted-out@office.example", digest_opt_out=True)
    make_user("leader", office_dept, email="mayor@office.example")

    items = {
        "fgw-overdue-1": make_item(fgw, date(2026, 11, 20), plan=plan, code="三.1.(1)"),
        "fgw-overdue-2": make_item(fgw, date(2026, 6, 30), plan=plan, code="三.1.(2)"),
        "fgw-soon": make_item(fgw, date(2026, 12, 10), plan=plan, code="三.2.(1)"),
        "fgw-later": make_item(fgw, date(2027, 3, 1), plan=plan, code="三.3.(1)"),
        "fgw-done": make_item(
            fgw, date(2026, 11, 1), plan=plan, code="三.4.(1)", status="completed"
        ),
        "fgw-retired": make_item(
            fgw, date(2026, 11, 1), plan=plan, code="三.5.(1)", retired_at=clock.now()
        ),
        "jxj-overdue": make_item(jxj, date(2026, 11, 27), plan=plan, code="四.1.(1)"),
        "quiet-later": make_item(quiet, date(2027, 6, 30), plan=plan, code="五.1.(1)"),
        "lonely-overdue": make_item(lonely, date(2026, 10, 30), plan=plan, code="六.1.(1)"),
    }
    returned = make_report(items["fgw-later"], period, "returned")
    returned.review_comment = "缺少佐证材料"
    return types.SimpleNamespace(
        fgw=fgw, jxj=jxj, quiet=quiet, lonely=lonely, items=items, liaison=liaison
    )


def test_each_department_digest_lists_exactly_its_own_overdue_items(app, city):
    digests = collect_department_digests(date(2026, 11, 30))
    assert [row["code"] for row in digests[city.fgw.id].overdue] == ["三.1.(2)", "三.1.(1)"]
    assert [row["code"] for row in digests[city.fgw.id].due_soon] == ["三.2.(1)"]
    assert [row["code"] for row in digests[city.fgw.id].returned] == ["三.3.(1)"]
    assert [row["code"] for row in digests[city.jxj.id].overdue] == ["四.1.(1)"]
    assert city.quiet.id not in digests


def test_digest_mails_one_per_department_with_news_and_one_for_the_office(runner, city):
    sent = cli_json(runner, "digest", "--date", MONDAY)
    by_department = {m["department"]: m for m in sent}
    assert set(by_department) == {"市发改委", "市经信局", None}  # 市科技局 has nothing to say
    fgw = by_department["市发改委"]
    assert fgw["kind"] == "digest"
    assert fgw["to"] == ["a@fgw.example"]  # the leader opted out
    assert fgw["dedupe_key"] == f"digest:dept:{city.fgw.id}:2026-11-30"
    assert fgw["items"] == ["三.1.(2)", "三.1.(1)", "三.2.(1)", "三.3.(1)"]
    assert by_department["市经信局"]["items"] == ["四.1.(1)"]

    city_wide = by_department[None]
    assert city_wide["dedupe_key"] == "digest:office:2026-11-30"
    assert sorted(city_wide["to"]) == ["mayor@office.example", "office@office.example"]
    assert sorted(city_wide["items"]) == ["三.1.(1)", "三.1.(2)", "六.1.(1)", "四.1.(1)"]

    rows = {r.dedupe_key: r for r in db.session.scalars(db.select(OutboxMessage))}
    body = rows[fgw["dedupe_key"]].body_text
    for code in ("三.1.(1)", "三.1.(2)", "三.2.(1)", "三.3.(1)", "缺少佐证材料"):
        assert code in body
    for code in ("三.4.(1)", "三.5.(1)", "四.1.(1)", "六.1.(1)"):
        assert code not in body  # closed, retired or another department's
    office_body = rows["digest:office:2026-11-30"].body_text
    assert "市发改委" in office_body and "市经信局" in office_body
    assert "市统计局" in office_body  # the department nobody can be reminded in
    assert "市科技局" not in office_body


def test_digest_goes_once_a_week_and_a_missed_one_is_made_up(runner, city):
    assert cli_json(runner, "digest", "--date", "2026-11-29") != []  # last week's, made up
    assert len(cli_json(runner, "digest", "--date", MONDAY)) == 3
    assert cli_json(runner, "digest", "--date", MONDAY) == []
    assert cli_json(runner, "digest", "--date", "2026-12-03") == []
    assert len(cli_json(runner, "digest", "--date", "2026-12-07")) == 3


def test_holiday_monday_digest_waits_for_the_first_working_day(runner, city):
    assert cli_json(runner, "digest", "--date", "2026-10-05") == []  # National Day
    sent = cli_json(runner, "digest", "--date", "2026-10-08")
    assert {m["dedupe_key"].rsplit(":", 1)[1] for m in sent} == {"2026-10-05"}
    assert cli_json(runner, "digest", "--date", "2026-10-09") == []


def test_no_digest_when_there_is_nothing_to_say(runner):
    department_with_liaisons("市发改委", "a@fgw.example")
    office("office@office.example")
    assert cli_json(runner, "digest", "--date", MONDAY) == []


def test_digest_dry_run_writes_nothing(runner, city):
    assert len(cli_json(runner, "digest", "--date", MONDAY, "--dry-run")) == 3
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_everyone_opted_out_means_no_department_digest_but_a_warning(runner, city):
    city.liaison.digest_opt_out = True
    result = cli(runner, "digest", "--date", MONDAY, "--json")
    assert result.exit_code == 0
    assert "市发改委" in result.stderr
    assert "市发改委" not in [m["department"] for m in __import__("json").loads(result.stdout)]


def test_binding_indicator_warnings_appear_in_the_office_digest(runner, city, monkeypatch):
    # The indicators area's own query is tested with real values in test_indicators_queries;
    # here only how the digest lists what it returns.
    monkeypatch.setattr(
        digest,
        "binding_warnings",
        lambda today: [
            {
                "name": "质量竞争型产业规模以上工业企业新产品产值率",
                "year": today.year - 1,
                "status": "behind",
                "department": "市经信局",
            }
        ],
    )
    cli_json(runner, "digest", "--date", MONDAY)
    row = db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.dedupe_key == "digest:office:2026-11-30")
    ).one()
    assert "质量竞争型产业规模以上工业企业新产品产值率 (2025, 市经信局): 滞后" in row.body_text


def test_the_office_digest_goes_without_the_indicators_section_when_it_fails(
    runner, city, monkeypatch
):
    def broken(today):
        raise RuntimeError("indicators area broken")

    monkeypatch.setattr(digest, "binding_warnings", broken)
    assert "digest:office:2026-12-07" in [
        m["dedupe_key"] for m in cli_json(runner, "digest", "--date", "2026-12-07")
    ]
