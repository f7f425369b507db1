"""The daily letter run: `flask letters run`, numbering, idempotence, mail and escalation."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from tests.letters_support import run, scene
from tracker.extensions import db
from tracker.letters.facts import item_facts, returns_in_a_row
from tracker.letters.issue import next_serial
from tracker.models import AuditEvent, Letter, LetterCounter, Notice, OutboxMessage

pytestmark = pytest.mark.today("2026-11-27")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_run_issues_one_letter_per_department_and_level(runner):
    s = scene()
    letters = run(runner)
    assert letters == [
        {
            "level": "orange",
            "number": "〔2026〕督办第1号",
            "department": "发改委",
            "items": ["二.1"],
            "reply_due": "2026-12-04",
            "dedupe_key": f"auto:orange:{s.dept.id}:2026-11-27",
        },
        {
            "level": "yellow",
            "number": "〔2026〕催办第1号",
            "department": "发改委",
            "items": ["一.1"],
            "reply_due": "2026-12-04",
            "dedupe_key": f"auto:yellow:{s.dept.id}:2026-11-27",
        },
    ]
    db.session.expire_all()
    rows = db.session.scalars(select(Letter).order_by(Letter.id)).all()
    assert [(r.level, r.state, [i.code for i in r.items]) for r in rows] == [
        ("orange", "issued", ["二.1"]),
        ("yellow", "issued", ["一.1"]),
    ]
    assert rows[1].reasons[0]["kind"] == "late_report" and rows[1].reasons[0]["days"] == 4
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "letter")).all()
    assert len(mails) == 2
    assert all(m.to_addrs == ["a@fgw.example"] for m in mails)
    assert all(m.cc_addrs == ["head@fgw.example", "office@office.example"] for m in mails)
    assert "〔2026〕督办第1号" in mails[0].subject or "〔2026〕督办第1号" in mails[1].subject
    assert db.session.scalar(select(func.count()).where(Notice.user_id == s.liaison.id)) == 2
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "letter.issued"))
    assert {e.item_id for e in events} == {s.yellow_item.id, s.orange_item.id}


def test_a_second_run_for_the_same_day_issues_nothing(runner):
    scene()
    assert len(run(runner)) == 2
    assert run(runner) == []
    db.session.expire_all()
    assert count(Letter) == 2
    assert count(OutboxMessage) == 2


def test_a_dry_run_writes_nothing_and_takes_no_number(runner):
    scene()
    letters = run(runner, "2026-11-27", "--dry-run")
    assert [(x["level"], x["number"], x["items"]) for x in letters] == [
        ("orange", None, ["二.1"]),
        ("yellow", None, ["一.1"]),
    ]
    db.session.expire_all()
    assert count(Letter) == count(LetterCounter) == count(OutboxMessage) == count(AuditEvent) == 0
    assert [x["number"] for x in run(runner)] == ["〔2026〕督办第1号", "〔2026〕催办第1号"]


def test_an_unanswered_orange_letter_turns_red_and_is_escalated(runner):
    s = scene()
    run(runner)
    letters = run(runner, "2026-12-07")
    # 二.1's orange letter went unanswered past 12-04; 一.1's report is now 10 working days
    # late, so its yellow letter gives way to an orange one.
    assert [(x["level"], x["number"], x["items"]) for x in letters] == [
        ("red", "〔2026〕问责第1号", ["二.1"]),
        ("orange", "〔2026〕督办第2号", ["一.1"]),
    ]
    db.session.expire_all()
    orange = db.session.scalar(select(Letter).where(Letter.number == "〔2026〕督办第1号"))
    red = db.session.scalar(select(Letter).where(Letter.level == "red"))
    assert (orange.state, orange.superseded_by_id) == ("escalated", red.id)
    assert red.reasons[0]["kind"] == "reply_late"
    escalated = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "letter.escalated")
    ).all()
    assert sorted(e.item_id for e in escalated) == sorted([s.orange_item.id, s.yellow_item.id])
    yellow = db.session.scalar(select(Letter).where(Letter.level == "yellow"))
    assert yellow.state == "escalated"
    assert run(runner, "2026-12-08") == []


def test_numbers_count_per_year_and_level(app):
    assert [next_serial(2026, "yellow") for _ in range(3)] == [1, 2, 3]
    assert next_serial(2026, "orange") == 1
    assert next_serial(2027, "yellow") == 1


def test_returned_twice_in_a_row_is_found_set_based(factories):
    dept = factories.department()
    plan = factories.plan()
    period = factories.period(
        plan,
        "2026Q3",
        *(datetime(2026, 7, 1).date(), datetime(2026, 9, 30).date(), datetime(2026, 12, 20).date()),
    )
    twice = factories.item(plan, dept)
    once = factories.item(plan, dept)
    fixed = factories.item(plan, dept)
    at = [datetime(2026, 11, d) for d in (1, 2, 3)]
    factories.report(
        twice, period, "returned", revisions=[(at[0], "returned"), (at[1], "returned")]
    )
    factories.report(once, period, "returned", revisions=[(at[0], "verified"), (at[1], "returned")])
    factories.report(
        fixed,
        period,
        "submitted",
        revisions=[(at[0], "returned"), (at[1], "returned"), (at[2], None)],
    )
    found = returns_in_a_row()
    assert found[twice.id][0] == 2
    assert found[once.id][0] == 1
    assert fixed.id in found and found[fixed.id][0] == 2  # the pending submission is not a review
    facts = {f.item_id: f for f in item_facts(datetime(2026, 11, 27).date())}
    assert facts[twice.id].returns_in_a_row == 2


def test_retired_and_completed_items_get_no_letter(runner):
    s = scene()
    s.orange_item.retired_at = datetime(2026, 11, 20)
    s.yellow_item.status = "completed"
    db.session.commit()
    assert run(runner) == []
