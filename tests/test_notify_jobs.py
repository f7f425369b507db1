"""Reminders, overdue notices and escalations: the right people, the right days, once.

Time travel goes through `flask notify remind --date`, exactly as cron or an operator would.
"""

from datetime import date, timedelta

import pytest

from tests.conftest import make_department, make_user
from tests.notify_data import (
    cli,
    cli_json,
    department_with_liaisons,
    make_item,
    make_period,
    make_plan,
    make_report,
    office,
    outbox_keys,
)
from tracker import clock
from tracker.extensions import db
from tracker.models import OutboxMessage

JSON_KEYS = {"kind", "to", "cc", "department", "subject", "items", "dedupe_key"}


@pytest.fixture
def fgw():
    """市发改委 with two reachable liaisons and three people who must not get reminders."""
    department, (a, b) = department_with_liaisons(
        "市发改委", "a@fgw.example", "b@fgw.example", head_email="head@fgw.example"
    )
    make_user("liaison", department, email="gone@fgw.example", active=False)
    make_user("liaison", department, email=None)  # no email: skipped, not an error
    make_user("leader", department, email="leader@fgw.example")  # leaders get digests only
    return department


def test_reminders_go_to_the_lead_liaisons_on_the_right_days(runner, fgw):
    other, _ = department_with_liaisons("市经信局", "x@jxj.example")
    office("office@office.example")
    item = make_item(fgw, date(2026, 12, 10), code="三.1.(2)", title="质量强企")
    make_item(other, date(2027, 3, 1))  # far away: nothing
    assert cli_json(runner, "remind", "--date", "2026-11-30") == []

    sent = cli_json(runner, "remind", "--date", "2026-12-01")
    assert len(sent) == 1
    message = sent[0]
    assert set(message) == JSON_KEYS
    assert message == {
        "kind": "remind",
        "to": ["a@fgw.example", "b@fgw.example"],
        "cc": [],
        "department": "市发改委",
        "subject": message["subject"],
        "items": ["三.1.(2)"],
        "dedupe_key": f"remind:item:{item.id}:2026-12-10:7d",
    }
    assert "三.1.(2)" in message["subject"] and "质量强企" in message["subject"]
    assert "2026年12月10日" in message["subject"]

    # A real run with the same date twice sends nothing the second time.
    assert cli_json(runner, "remind", "--date", "2026-12-01") == []
    assert cli_json(runner, "remind", "--date", "2026-12-02") == []
    assert [m["dedupe_key"] for m in cli_json(runner, "remind", "--date", "2026-12-07")] == [
        f"remind:item:{item.id}:2026-12-10:3d"
    ]
    assert [m["dedupe_key"] for m in cli_json(runner, "remind", "--date", "2026-12-09")] == [
        f"remind:item:{item.id}:2026-12-10:1d"
    ]
    assert cli_json(runner, "remind", "--date", "2026-12-10") == []

    overdue = cli_json(runner, "remind", "--date", "2026-12-11")
    assert [(m["kind"], m["dedupe_key"], m["to"], m["cc"]) for m in overdue] == [
        (
            "overdue",
            f"overdue:item:{item.id}:2026-12-10",
            ["a@fgw.example", "b@fgw.example"],
            [],
        )
    ]
    assert cli_json(runner, "remind", "--date", "2026-12-16") == []

    escalation = cli_json(runner, "remind", "--date", "2026-12-17")
    assert [(m["kind"], m["to"], m["cc"]) for m in escalation] == [
        (
            "escalate",
            ["a@fgw.example", "b@fgw.example"],
            ["office@office.example", "head@fgw.example"],
        )
    ]
    assert cli_json(runner, "remind", "--date", "2026-12-31") == []
    assert len(outbox_keys()) == 5


def test_a_missed_day_is_made_up_once_with_the_closest_reminder(runner, fgw):
    item = make_item(fgw, date(2026, 12, 10))
    assert len(cli_json(runner, "remind", "--date", "2026-12-01")) == 1  # 7 days
    # The scheduler was down 12-07 (the 3-day reminder); it returns on 12-08.
    caught_up = cli_json(runner, "remind", "--date", "2026-12-08")
    assert [m["dedupe_key"] for m in caught_up] == [f"remind:item:{item.id}:2026-12-10:3d"]
    assert cli_json(runner, "remind", "--date", "2026-12-08") == []
    # Down from before the first reminder until the day before the deadline: one mail.
    late = make_item(fgw, date(2026, 12, 10))
    assert [m["dedupe_key"] for m in cli_json(runner, "remind", "--date", "2026-12-09")] == [
        f"remind:item:{item.id}:2026-12-10:1d",
        f"remind:item:{late.id}:2026-12-10:1d",
    ]


def test_a_long_outage_escalates_without_a_stale_overdue_notice(runner, fgw):
    office("office@office.example")
    item = make_item(fgw, date(2026, 11, 2))
    sent = cli_json(runner, "remind", "--date", "2026-11-27")
    assert [m["dedupe_key"] for m in sent] == [f"escalate:item:{item.id}:2026-11-02"]
    assert cli_json(runner, "remind", "--date", "2026-11-30") == []


def test_national_day_and_tiaoxiu_move_reminders_to_working_days(runner, fgw):
    """Every day from 09-18 to 10-12 once, recording the day each reminder goes out."""
    before_holiday = make_item(fgw, date(2026, 10, 8))
    after_holiday = make_item(fgw, date(2026, 10, 9))
    after_saturday = make_item(fgw, date(2026, 10, 12))
    first_seen: dict[str, date] = {}
    day = date(2026, 9, 18)
    while day <= date(2026, 10, 12):
        for message in cli_json(runner, "remind", "--date", day.isoformat()):
            first_seen[message["dedupe_key"]] = day
        day += timedelta(days=1)

    def sent_on(item, offset):
        return first_seen.get(f"remind:item:{item.id}:{item.due_date}:{offset}d")

    # Due the first day back: the last reminder goes out before the holiday, not on 10-07.
    assert sent_on(before_holiday, 1) == date(2026, 9, 30)
    assert sent_on(after_holiday, 3) == date(2026, 9, 29)
    assert sent_on(after_holiday, 1) == date(2026, 10, 8)
    # Saturday 10-10 is a 调休 working day: one working day before Monday 10-12.
    assert sent_on(after_saturday, 1) == date(2026, 10, 10)
    assert sent_on(after_saturday, 3) == date(2026, 10, 8)
    # Sunday 09-20 is a 调休 working day as well: a 7-day reminder can land on it.
    sunday_item = make_item(fgw, date(2026, 9, 29))
    assert [m["dedupe_key"] for m in cli_json(runner, "remind", "--date", "2026-09-20")] == [
        f"remind:item:{sunday_item.id}:2026-09-29:7d"
    ]
    # Nothing ever went out on a day off.
    from tracker.workdays import is_working_day

    assert all(is_working_day(d) for d in first_seen.values())


def test_report_deadline_reminders_list_the_items_still_owing_a_report(runner, fgw):
    plan = make_plan()
    period = make_period(plan, "2026Q3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 13))
    owing = [make_item(fgw, date(2027, 12, 31), plan=plan, code=f"三.{n}.(1)") for n in (1, 2, 3)]
    make_report(owing[1], period, "draft")
    make_report(owing[2], period, "returned")
    done = [make_item(fgw, date(2027, 12, 31), plan=plan, code=f"四.{n}.(1)") for n in (1, 2)]
    make_report(done[0], period, "submitted")
    make_report(done[1], period, "verified")
    make_item(fgw, date(2027, 12, 31), plan=plan, code="五.1.(1)", status="completed")
    make_item(fgw, date(2027, 12, 31), plan=plan, code="五.2.(1)", retired_at=clock.now())

    sent = cli_json(runner, "remind", "--date", "2026-10-12")
    assert [(m["kind"], m["dedupe_key"], m["items"]) for m in sent] == [
        (
            "remind",
            f"remind:report:{period.id}:dept:{fgw.id}:2026-10-13:1d",
            ["三.1.(1)", "三.2.(1)", "三.3.(1)"],
        )
    ]
    assert "2026Q3" in sent[0]["subject"]
    overdue = cli_json(runner, "remind", "--date", "2026-10-14")
    assert [m["dedupe_key"] for m in overdue] == [
        f"overdue:report:{period.id}:dept:{fgw.id}:2026-10-13"
    ]


def test_dry_run_writes_nothing_and_lists_only_new_messages(runner, fgw):
    make_item(fgw, date(2026, 12, 10))
    dry = cli_json(runner, "remind", "--date", "2026-12-01", "--dry-run")
    assert len(dry) == 1
    assert outbox_keys() == []
    real = cli_json(runner, "remind", "--date", "2026-12-01")
    assert real == dry
    assert cli_json(runner, "remind", "--date", "2026-12-01", "--dry-run") == []


def test_human_output_and_summary(runner, fgw):
    make_item(fgw, date(2026, 12, 10), code="三.1.(2)")
    result = cli(runner, "remind", "--date", "2026-12-01")
    assert result.exit_code == 0
    assert "remind:item:" in result.stdout and "a@fgw.example" in result.stdout
    assert "queued 1 message" in result.stdout


@pytest.mark.parametrize("value", ["2026-13-01", "tomorrow", "2026-1-1", "2026/12/01", ""])
def test_an_invalid_date_is_refused_clearly(runner, value):
    result = cli(runner, "remind", "--date", value)
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr
    result = cli(runner, "digest", "--date", value, "--json")
    assert result.exit_code == 2 and result.stdout == ""


def test_a_department_without_liaisons_is_reported_and_nothing_is_lost(runner):
    lonely, _ = department_with_liaisons("市统计局", None)  # a liaison without an email
    item = make_item(lonely, date(2026, 12, 10))
    result = cli(runner, "remind", "--date", "2026-12-01", "--json")
    assert result.exit_code == 0
    assert result.stdout.strip() == "[]"
    assert "市统计局" in result.stderr and "no active liaison" in result.stderr
    assert outbox_keys() == []
    # A liaison with an email is added: the reminder that is still due goes out.
    make_user("liaison", lonely, email="new@tjj.example")
    sent = cli_json(runner, "remind", "--date", "2026-12-02")
    assert [(m["dedupe_key"], m["to"]) for m in sent] == [
        (f"remind:item:{item.id}:2026-12-10:7d", ["new@tjj.example"])
    ]


def test_escalation_without_liaisons_goes_to_the_office(runner):
    office("office@office.example")
    lonely = make_department("市统计局", head_email="head@tjj.example")
    item = make_item(lonely, date(2026, 12, 1))
    sent = cli_json(runner, "remind", "--date", "2026-12-10")
    assert [(m["dedupe_key"], m["to"], m["cc"]) for m in sent] == [
        (
            f"escalate:item:{item.id}:2026-12-01",
            ["office@office.example", "head@tjj.example"],
            [],
        )
    ]


def test_closed_retired_undated_and_archived_items_are_left_alone(runner, fgw):
    make_item(fgw, date(2026, 12, 10), status="completed")
    make_item(fgw, date(2026, 12, 10), retired_at=clock.now())
    make_item(fgw, None)
    make_item(fgw, date(2026, 12, 10), plan=make_plan(status="archived"))
    make_item(None, date(2026, 12, 10))
    assert cli_json(runner, "remind", "--date", "2026-12-01") == []
    assert cli_json(runner, "remind", "--date", "2026-12-20") == []


def test_digest_opt_out_never_switches_off_reminders(runner, fgw):
    for user in fgw.users:
        user.digest_opt_out = True
    make_item(fgw, date(2026, 12, 10))
    sent = cli_json(runner, "remind", "--date", "2026-12-01")
    assert sent[0]["to"] == ["a@fgw.example", "b@fgw.example"]


def test_queued_rows_carry_rendered_bodies_with_links(runner, app, fgw):
    item = make_item(fgw, date(2026, 12, 10), code="三.1.(2)", title="质量强企")
    cli_json(runner, "remind", "--date", "2026-12-01")
    row = db.session.scalars(db.select(OutboxMessage)).one()
    link = f"{app.config['EXTERNAL_URL']}/items/{item.id}"
    assert row.state == "pending" and row.attempts == 0
    assert row.item_codes == ["三.1.(2)"]
    assert row.department_id == fgw.id
    assert link in row.body_text and link in row.body_html
    assert "市发改委" in row.body_text
    assert "7" in row.body_text  # working days left
