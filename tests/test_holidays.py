"""Holiday years the office enters: the file format, bad input, precedence, and that every
working-day computation (reminders, report deadlines, counts) uses an entered year at once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select, text

from tracker import workdays
from tracker.errors import StaleVersion
from tracker.extensions import db
from tracker.holidays.operations import clear_holiday_year, set_holiday_year
from tracker.holidays.parsing import HolidayFileError, parse_text
from tracker.models import AuditEvent, HolidayEntry, HolidayYear, Plan, ReportingPeriod
from tracker.notify.rules import reminder_send_day, working_days_left
from tracker.periods import report_deadline

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "docs" / "holidays-2027.example.csv"
TODAY = date(2026, 12, 3)

GOOD = """# 2027, a test arrangement
kind,name,first,last
holiday,元旦,2027-01-01,2027-01-03
holiday,春节,2027-02-05,2027-02-13
workday,春节,2027-01-31
workday,春节,2027-02-20,
"""


def _stored_years() -> int:
    return db.session.scalar(select(func.count(HolidayYear.id)))


def _problems(year: int, body: str, **kwargs) -> list[str]:
    """The problems in English (the command line and jobs speak Chinese by default)."""
    with force_locale("en"), pytest.raises(HolidayFileError) as caught:
        parse_text(year, body, **kwargs)
    return [str(p) for p in caught.value.problems]


# ---------------------------------------------------------------- the file format


def test_csv_with_header_comments_and_an_omitted_last_day():
    entries = parse_text(2027, GOOD)
    assert [(e.kind, e.name, e.first, e.last) for e in entries] == [
        ("holiday", "元旦", date(2027, 1, 1), date(2027, 1, 3)),
        ("workday", "春节", date(2027, 1, 31), date(2027, 1, 31)),
        ("holiday", "春节", date(2027, 2, 5), date(2027, 2, 13)),
        ("workday", "春节", date(2027, 2, 20), date(2027, 2, 20)),
    ]


def test_chinese_kinds_and_date_spellings_are_understood():
    entries = parse_text(2027, "放假,元旦,2027年1月1日,2027/1/3\n调休,春节,2027.1.31\n")
    assert [(e.kind, e.first, e.last) for e in entries] == [
        ("holiday", date(2027, 1, 1), date(2027, 1, 3)),
        ("workday", date(2027, 1, 31), date(2027, 1, 31)),
    ]


def test_json_gives_the_same_entries_as_csv():
    body = json.dumps(
        {
            "year": 2027,
            "entries": [
                {"kind": "holiday", "name": "元旦", "first": "2027-01-01", "last": "2027-01-03"},
                {"kind": "holiday", "name": "春节", "first": "2027-02-05", "last": "2027-02-13"},
                {"kind": "workday", "name": "春节", "first": "2027-01-31"},
                {"kind": "workday", "name": "春节", "first": "2027-02-20"},
            ],
        },
        ensure_ascii=False,
    )

    def plain(entries):
        return [(e.kind, e.name, e.first, e.last) for e in entries]

    assert plain(parse_text(2027, body, filename="2027.json")) == plain(parse_text(2027, GOOD))


def test_the_shipped_example_is_a_valid_2027_file():
    entries = parse_text(2027, EXAMPLE.read_text(encoding="utf-8"))
    assert {e.name for e in entries} >= {"元旦", "春节", "国庆节"}
    assert "EXAMPLE ONLY" in EXAMPLE.read_text(encoding="utf-8")


# ---------------------------------------------------------------- bad input, named by line


def test_overlapping_ranges_name_both_lines():
    body = "holiday,春节,2027-02-05,2027-02-13\nholiday,元宵,2027-02-12,2027-02-14\n"
    assert _problems(2027, body) == ["line 2: 元宵 overlaps 春节 (line 1)."]


def test_a_long_range_swallowing_two_short_ones_is_reported_for_both():
    body = "holiday,国庆节,2027-10-01,2027-10-07\nholiday,甲,2027-10-02\nholiday,乙,2027-10-05\n"
    problems = _problems(2027, body)
    assert problems[0].startswith("line 2:") and problems[1].startswith("line 3:")
    assert all("(line 1)" in p for p in problems)


def test_a_workday_inside_a_holiday_overlaps():
    body = "holiday,国庆节,2027-10-01,2027-10-07\nworkday,国庆节,2027-10-02\n"
    assert _problems(2027, body) == ["line 2: 国庆节 overlaps 国庆节 (line 1)."]


def test_a_date_outside_its_year():
    body = "holiday,元旦,2026-12-31,2027-01-02\nholiday,春节,2027-02-05,2027-02-13\n"
    assert _problems(2027, body) == ["line 1: 2026-12-31 is not in 2027."]


def test_a_tiaoxiu_day_that_is_not_a_weekend():
    body = "holiday,元旦,2027-01-01\nworkday,春节,2027-02-03\n"  # a Wednesday
    problems = _problems(2027, body)
    assert problems == [
        "line 2: 2027-02-03 is not a Saturday or Sunday: a 调休 working day replaces a weekend day."
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("holiday,元旦,2027-13-01\n", 'line 1: "2027-13-01" is not a date (use YYYY-MM-DD).'),
        ("holiday,元旦,tomorrow\n", 'line 1: "tomorrow" is not a date (use YYYY-MM-DD).'),
        ("vacation,元旦,2027-01-01\n", 'line 1: Unknown kind "vacation": use holiday or workday.'),
        ("holiday,2027-01-01\n", "line 1: Expected kind, name, first day and (optional) last day."),
        ("holiday,元旦,2027-01-03,2027-01-01\n", "line 1: The last day is before the first day."),
        ("# nothing\n\n", "The arrangement has no holidays."),
        ('{"entries": [', "line 1: Not valid JSON"),
        ('{"year": 2028, "entries": []}', "The file is for 2028, not 2027."),
        (
            '{"entries": [{"kind": "holiday", "name": "元旦"}]}',
            "entry 1: The first day is missing.",
        ),
    ],
)
def test_malformed_lines_are_named(body, expected):
    problems = _problems(2027, body)
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_is_reported_at_once():
    body = (
        "holiday,元旦,2027-01-01\n"
        "holiday,春节,2027-02-31\n"
        "workday,调休,2027-02-03\n"
        "holiday,又一个元旦,2027-01-01\n"
    )
    problems = _problems(2027, body)
    assert [p.split(":")[0] for p in problems] == ["line 2", "line 3", "line 4"]


# ---------------------------------------------------------------- working days use it at once


def test_entering_2027_changes_reminders_deadlines_and_counts_at_once():
    new_year = date(2027, 1, 1)  # a Friday: Monday-Friday fallback says working
    assert workdays.is_working_day(new_year)
    before = (
        report_deadline(date(2026, 12, 31)),
        reminder_send_day(date(2027, 2, 15), 3),
        working_days_left(date(2027, 2, 1), date(2027, 2, 22)),
    )
    set_holiday_year(None, 2027, parse_text(2027, GOOD), today=TODAY)
    after = (
        report_deadline(date(2026, 12, 31)),
        reminder_send_day(date(2027, 2, 15), 3),
        working_days_left(date(2027, 2, 1), date(2027, 2, 22)),
    )
    assert not workdays.is_working_day(new_year)
    assert workdays.is_working_day(date(2027, 1, 31))  # 调休 Sunday
    # 5 working days after 31 Dec: 4-8 January instead of 1-7 January.
    assert before[0] == date(2027, 1, 7) and after[0] == date(2027, 1, 8)
    # 3 working days before Monday 15 Feb: 10 Feb with Monday-Friday; after entering,
    # 5-13 Feb are off, so 4, 3 and 2 Feb count.
    assert before[1] == date(2027, 2, 10) and after[1] == date(2027, 2, 2)
    # 2-22 Feb: 15 weekdays; with the holiday (6 weekdays off) and a 调休 Saturday: 10.
    assert before[2] == 15 and after[2] == 10
    assert workdays.calendar_coverage(TODAY).missing_years == ()


def test_an_entered_year_takes_precedence_over_the_package():
    national_day = date(2026, 10, 1)  # a holiday in chinese_calendar's 2026
    assert not workdays.is_working_day(national_day)
    set_holiday_year(None, 2026, parse_text(2026, "holiday,元旦,2026-01-01\n"), today=TODAY)
    assert workdays.is_working_day(national_day)
    clear_holiday_year(None, 2026, today=TODAY)
    assert not workdays.is_working_day(national_day)


def test_stored_open_report_deadlines_move_and_passed_ones_stay(factories):
    plan = Plan(
        title="测试规划", start_year=2026, end_year=2030, status="active", source_sha256="0" * 64
    )
    db.session.add(plan)
    db.session.flush()
    open_period = ReportingPeriod(
        plan_id=plan.id,
        label="2026Q4",
        start_date=date(2026, 10, 1),
        end_date=date(2026, 12, 31),
        deadline=report_deadline(date(2026, 12, 31)),
    )
    passed = ReportingPeriod(
        plan_id=plan.id,
        label="2026Q3",
        start_date=date(2026, 7, 1),
        end_date=date(2026, 9, 30),
        deadline=date(2026, 10, 15),
    )
    db.session.add_all([open_period, passed])
    db.session.flush()
    assert open_period.deadline == date(2027, 1, 7)
    _row, moved = set_holiday_year(None, 2027, parse_text(2027, GOOD), today=TODAY)
    assert moved == 1
    assert open_period.deadline == date(2027, 1, 8)
    assert passed.deadline == date(2026, 10, 15)
    assert clear_holiday_year(None, 2027, today=TODAY) == 1
    assert open_period.deadline == date(2027, 1, 7)


def test_a_year_committed_by_another_process_is_used_from_the_next_transaction():
    assert workdays.is_working_day(date(2027, 1, 1))  # cached for this transaction
    with db.engine.begin() as other:  # another process, another connection
        year_id = other.execute(
            text("INSERT INTO holiday_year (year, entered_at) VALUES (2027, :at) RETURNING id"),
            {"at": TODAY},
        ).scalar_one()
        other.execute(
            text(
                "INSERT INTO holiday_entry (holiday_year_id, kind, name, first_day, last_day) "
                "VALUES (:id, 'holiday', '元旦', :d, :d)"
            ),
            {"id": year_id, "d": date(2027, 1, 1)},
        )
    db.session.commit()  # the request or job ends; the next one starts a transaction
    assert not workdays.is_working_day(date(2027, 1, 1))


# ---------------------------------------------------------------- the command line


@pytest.fixture
def csv_file(tmp_path):
    def write(body: str, name: str = "2027.csv") -> str:
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        return str(path)

    return write


@pytest.fixture
def pinned(app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_TODAY", TODAY.isoformat())


def test_cli_set_show_clear_with_audit(runner, csv_file, pinned):
    result = runner.invoke(args=["holidays", "set", "2027", csv_file(GOOD), "--source", "测试"])
    assert result.exit_code == 0, result.output
    assert "2027" in result.output
    db.session.expire_all()
    assert not workdays.is_working_day(date(2027, 1, 1))
    shown = runner.invoke(args=["holidays", "show", "2027"])
    assert "holiday,春节,2027-02-05,2027-02-13" in shown.output
    listed = runner.invoke(args=["holidays", "list"])
    assert "2027" in listed.output
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "holidays.set")).one()
    assert event.after["year"] == 2027 and len(event.after["entries"]) == 4
    assert event.actor_id is None

    result = runner.invoke(args=["holidays", "clear", "2027"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert _stored_years() == 0
    assert db.session.scalar(select(func.count(HolidayEntry.id))) == 0
    assert workdays.is_working_day(date(2027, 1, 1))
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "holidays.cleared")
    )
    again = runner.invoke(args=["holidays", "clear", "2027"])
    assert again.exit_code != 0


def test_cli_json_file(runner, csv_file, pinned):
    body = json.dumps(
        {"year": 2027, "entries": [{"kind": "holiday", "name": "元旦", "first": "2027-01-01"}]}
    )
    result = runner.invoke(args=["holidays", "set", "2027", csv_file(body, "2027.json")])
    assert result.exit_code == 0, result.output
    assert _stored_years() == 1


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("holiday,春节,2027-02-05,2027-02-13\nholiday,元宵,2027-02-12\n", "第 2 行"),
        ("holiday,元旦,2026-12-31\n", "2026-12-31"),
        ("holiday,元旦,2027-01-01\nworkday,春节,2027-02-03\n", "第 2 行"),
        ("holiday,元旦,2027-01-32\n", "第 1 行"),
    ],
)
def test_cli_bad_file_stores_nothing_and_keeps_the_earlier_entry(
    runner, csv_file, pinned, body, needle
):
    runner.invoke(args=["holidays", "set", "2027", csv_file(GOOD, "good.csv")])
    result = runner.invoke(args=["holidays", "set", "2027", csv_file(body)])
    assert result.exit_code == 1
    assert needle in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(HolidayEntry.id))) == 4  # the good file's
    assert not workdays.is_working_day(date(2027, 1, 1))


def test_cli_rejects_a_bad_year_and_a_binary_file(runner, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xff\xfe\x00bad")
    assert runner.invoke(args=["holidays", "set", "abc", str(path)]).exit_code != 0
    assert runner.invoke(args=["holidays", "set", "1999", str(path)]).exit_code != 0
    result = runner.invoke(args=["holidays", "set", "2027", str(path)])
    assert result.exit_code != 0 and "UTF-8" in result.output
    assert _stored_years() == 0


# ---------------------------------------------------------------- the admin page


@pytest.fixture
def admin_client(client, factories, pinned):
    factories.login_as(client, factories.user("admin"))
    return client


def test_only_admins_reach_the_holiday_page(client, factories):
    factories.login_as(client, factories.user("office"))
    assert client.get("/admin/holidays").status_code == 403
    assert client.post("/admin/holidays", data={"year": 2027}).status_code == 403


def test_page_enters_a_year_and_the_outbox_warning_goes(admin_client):
    page = admin_client.get("/admin/outbox?lang=en").get_data(as_text=True)
    assert "arrangement for 2027" in page and "/admin/holidays?year=2027" in page
    form = admin_client.get("/admin/holidays?year=2027&lang=en")
    assert form.status_code == 200 and "No official arrangement for 2027" in form.text
    response = admin_client.post(
        "/admin/holidays", data={"year": "2027", "source": "国办发明电", "arrangement": GOOD}
    )
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.scalars(select(HolidayYear)).one()
    assert row.year == 2027 and row.source == "国办发明电" and row.entered_by_id is not None
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "holidays.set")
    )
    page = admin_client.get("/admin/outbox?lang=en").get_data(as_text=True)
    assert "arrangement for 2027" not in page
    edit = admin_client.get("/admin/holidays?year=2027").get_data(as_text=True)
    assert "holiday,春节,2027-02-05,2027-02-13" in edit
    assert admin_client.post("/admin/holidays/2027/clear").status_code == 302
    assert _stored_years() == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "holiday,春节,2027-02-05,2027-02-13\nholiday,元宵,2027-02-12\n",
            "第 2 行",
        ),
        ("holiday,元旦,2026-12-31\n", "2026-12-31"),
        ("holiday,元旦,2027-01-01\nworkday,春节,2027-02-03\n", "第 2 行"),
        ("holiday,元旦,01/01/2027\n", "第 1 行"),
    ],
)
def test_page_bad_input_is_422_names_the_line_and_stores_nothing(admin_client, body, message):
    response = admin_client.post("/admin/holidays", data={"year": "2027", "arrangement": body})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _stored_years() == 0


def test_page_upload_of_a_json_file(admin_client):
    import io

    body = json.dumps({"entries": [{"kind": "holiday", "name": "元旦", "first": "2027-01-01"}]})
    response = admin_client.post(
        "/admin/holidays",
        data={"year": "2027", "file": (io.BytesIO(body.encode()), "2027.json")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert _stored_years() == 1


def test_the_reminder_job_for_2027_changes_once_the_year_is_entered(runner, csv_file):
    from tests.notify_data import cli_json, department_with_liaisons, make_item

    department, _ = department_with_liaisons("市发改委", "a@fgw.example")
    item = make_item(department, date(2027, 2, 15))  # the Monday after the 春节 holiday

    def due_on(day: str) -> list[str]:
        return [m["dedupe_key"] for m in cli_json(runner, "remind", "--date", day, "--dry-run")]

    # Monday-Friday: on 4 Feb the 7-working-day reminder is due.
    assert due_on("2027-02-04") == [f"remind:item:{item.id}:2027-02-15:7d"]
    runner.invoke(args=["holidays", "set", "2027", csv_file(GOOD)])
    # 5-13 Feb off: 4 Feb is the last working day before the deadline.
    assert due_on("2027-02-04") == [f"remind:item:{item.id}:2027-02-15:1d"]


def test_two_admins_entering_a_new_year_at_once_keep_the_first(monkeypatch):
    set_holiday_year(None, 2027, parse_text(2027, GOOD), today=TODAY)
    db.session.commit()
    # The second admin read "not entered yet" before the first one committed.
    monkeypatch.setattr("tracker.holidays.operations.get_year", lambda year, lock=False: None)
    with pytest.raises(StaleVersion):
        set_holiday_year(None, 2027, parse_text(2027, "holiday,元旦,2027-01-01\n"), today=TODAY)
    db.session.rollback()
    assert db.session.scalar(select(func.count(HolidayEntry.id))) == 4


def test_show_json_reads_back_with_set(runner, csv_file):
    runner.invoke(args=["holidays", "set", "2027", csv_file(GOOD)])
    shown = runner.invoke(args=["holidays", "show", "2027", "--json"]).output
    runner.invoke(args=["holidays", "clear", "2027"])
    result = runner.invoke(args=["holidays", "set", "2027", csv_file(shown, "back.json")])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(HolidayEntry.id))) == 4
