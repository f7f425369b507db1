"""Events from reports, items and indicators; the sheets; the command; versions reproduced."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.assessment_support import HEADER, RULES_2025, scene, store_rules
from tracker.assessment.events import gather_events
from tracker.assessment.sheets import build_sheets, date_range
from tracker.extensions import db

TZ = "Asia/Shanghai"


def kinds(events, department):
    found: dict[str, list[str]] = {}
    for event in events:
        if event.department_id == department.id:
            found.setdefault(event.kind, []).append(event.label)
    return {kind: sorted(labels) for kind, labels in found.items()}


def test_events_of_a_year(today):
    s = scene()
    first, last = date_range(2025, None)
    events = gather_events(first, last, today, TZ, yearly=True)
    assert kinds(events, s.a) == {
        "report_on_time": ["一.1 · 2025Q1", "一.2 · 2025Q2"],
        "report_missing": ["一.2 · 2025Q1"],
        "report_late": ["一.1 · 2025Q2"],
        "report_returned": ["一.1 · 2025Q2"],
        "grade_excellent": ["一.1 · 2025Q1"],
        "grade_poor": ["一.2 · 2025Q2"],
        "item_completed_late": ["一.1"],
        "item_overdue": ["一.2"],
        "letter_yellow": [s.yellow.number],
        "letter_red": [s.red.number],
    }
    assert kinds(events, s.b) == {
        "report_on_time": ["二.1 · 2025Q1"],
        "item_completed_on_time": ["二.1"],
    }


def test_events_point_at_their_rows(today):
    s = scene()
    events = gather_events(*date_range(2025, None), today, TZ, yearly=True)
    missing = next(e for e in events if e.kind == "report_missing")
    assert (missing.source, missing.source_id) == ("item", s.a2.id)
    late = next(e for e in events if e.kind == "report_late")
    assert late.source == "report" and late.source_id == s.a1.reports[1].id


def test_a_quarter_has_only_its_own_events(today):
    s = scene()
    events = gather_events(*date_range(2025, 1), today, TZ, yearly=False)
    assert kinds(events, s.a) == {
        "report_on_time": ["一.1 · 2025Q1"],
        "report_missing": ["一.2 · 2025Q1"],
        "grade_excellent": ["一.1 · 2025Q1"],
    }


@pytest.mark.today("2025-04-08")
def test_a_missing_report_counts_only_after_its_deadline(today):
    s = scene()
    events = gather_events(*date_range(2025, 1), today, TZ, yearly=False)
    assert "report_missing" not in kinds(events, s.a)


def test_sheets_of_a_year(today):
    s = scene()
    store_rules()
    result = build_sheets(2025, None, today, TZ)
    assert [(x.name, x.score, x.rank) for x in result.sheets] == [
        (s.b.name, Decimal("102.5"), 1),
        (s.a.name, Decimal("93.5"), 2),
    ]
    sheet = result.for_department(s.a.id)
    assert sheet.base + sum(line.points for line in sheet.lines) == sheet.score


def test_no_rules_no_sheets(today):
    scene()
    assert build_sheets(2025, None, today, TZ).sheets == []


def test_command_prints_the_sheets_as_json(runner, today):
    s = scene()
    store_rules()
    db.session.commit()
    result = runner.invoke(args=["assessment", "score", "--year", "2025", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert [(x["department"], x["score"], x["rank"]) for x in printed] == [
        (s.b.name, 102.5, 1),
        (s.a.name, 93.5, 2),
    ]
    for sheet in printed:
        assert 100 + sum(Decimal(str(line["points"])) for line in sheet["lines"]) == Decimal(
            str(sheet["score"])
        )
    assert {"rule": "report_missing", "count": 1, "points": -3} in printed[1]["lines"]


def test_command_for_a_quarter_and_without_rules(runner, today):
    scene()
    db.session.commit()
    refused = runner.invoke(args=["assessment", "score", "--year", "2025", "--json"])
    assert refused.exit_code != 0 and "没有适用于2025年的考核细则" in refused.output
    store_rules()
    db.session.commit()
    result = runner.invoke(
        args=["assessment", "score", "--year", "2025", "--quarter", "1", "--json"]
    )
    printed = {x["department"]: x["score"] for x in json.loads(result.output)}
    assert list(printed.values()) == [102.5, 98.5]  # 乙局 +0.5 +2; 甲局 +0.5 −3 +1


def test_a_rule_change_does_not_change_last_year(runner, today):
    scene()
    store_rules()
    db.session.commit()
    before = runner.invoke(args=["assessment", "score", "--year", "2025", "--json"]).output
    store_rules(HEADER + "2026,,80,报送,2,report_missing,-10\n2026,,80,报送,2,report_late,-5\n")
    db.session.commit()
    after = runner.invoke(args=["assessment", "score", "--year", "2025", "--json"]).output
    assert after == before
    now = json.loads(runner.invoke(args=["assessment", "score", "--year", "2026", "--json"]).output)
    assert {x["score"] for x in now} <= {80, 78}


def test_rules_file_of_the_demo_is_valid():
    from tracker.assessment.parsing import parse_rules

    assert parse_rules(RULES_2025)


def test_letters_received_are_scored_by_level(today):
    s = scene()
    store_rules(
        RULES_2025.replace("2025,,100,指标,,binding_indicator_not_met,-4\n", "")
        + "2025,,100,督办,6,letter_yellow,-1\n"
        + "2025,,100,督办,6,letter_orange,-3\n"
        + "2025,,100,督办,6,letter_red,-6\n"
    )
    result = build_sheets(2025, None, today, TZ)
    sheet_a = result.for_department(s.a.id)
    letters = {line.rule.event: line for line in sheet_a.lines if line.rule.category == "督办"}
    # −1 −6 = −7, held at the cap of 6: the red letter's line gives one point back.
    assert {k: (v.count, v.points) for k, v in letters.items()} == {
        "letter_yellow": (1, Decimal(-1)),
        "letter_red": (1, Decimal(-5)),
    }
    assert letters["letter_red"].events[0].source_id == s.red.id
    # 乙局's only letter was cancelled: nothing to score.
    assert not [
        line for line in result.for_department(s.b.id).lines if line.rule.category == "督办"
    ]
    assert sheet_a.score == Decimal("93.5") - 6
    # the second quarter has the yellow letter only
    quarter = build_sheets(2025, 2, today, TZ).for_department(s.a.id)
    assert [line.rule.event for line in quarter.lines if line.rule.category == "督办"] == [
        "letter_yellow"
    ]
