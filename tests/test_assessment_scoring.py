"""The pure scoring: base + lines, category caps, ranks with ties, every line traced."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from tracker.assessment.scoring import (
    Event,
    Rule,
    RuleBook,
    as_points,
    department_lines,
    score_sheets,
    sheet_json,
)

D = Decimal


def book(*rules, base=100, caps=None) -> RuleBook:
    return RuleBook(
        as_points(base),
        tuple(Rule(event, category, as_points(points)) for event, category, points in rules),
        {category: as_points(cap) for category, cap in (caps or {}).items()},
    )


def events(department, kind, n, source="report"):
    return [Event(department, kind, source, 1000 * department + i, f"E{i}") for i in range(n)]


RULES = book(
    ("report_on_time", "报送", "0.5"),
    ("report_late", "报送", -1),
    ("report_missing", "报送", -3),
    ("item_completed_on_time", "落实", 2),
    ("item_overdue", "落实", -2),
    caps={"报送": 10, "落实": 6},
)


def test_lines_count_events_and_multiply_points():
    lines = department_lines(events(1, "report_late", 3) + events(1, "report_on_time", 4), RULES)
    assert [(line.rule.event, line.count, line.points) for line in lines] == [
        ("report_on_time", 4, D("2.00")),
        ("report_late", 3, D("-3.00")),
    ]


def test_every_line_keeps_the_events_behind_it():
    found = events(1, "report_missing", 2) + events(1, "item_overdue", 1, "item")
    lines = department_lines(found, RULES)
    traced = [event for line in lines for event in line.events]
    assert sorted(traced, key=id) == sorted(found, key=id)
    assert {line.rule.event: [e.source_id for e in line.events] for line in lines} == {
        "report_missing": [1000, 1001],
        "item_overdue": [1000],
    }


def test_events_without_a_rule_are_ignored():
    lines = department_lines(events(1, "grade_poor", 5), RULES)
    assert lines == []


def test_deduction_cap_takes_back_from_the_last_line():
    # 报送: −1×4 −3×3 = −13, capped at −10: the later rule gives back 3.
    lines = department_lines(events(1, "report_late", 4) + events(1, "report_missing", 3), RULES)
    by_event = {line.rule.event: line for line in lines}
    assert by_event["report_late"].points == D(-4)
    assert by_event["report_missing"].raw_points == D(-9)
    assert by_event["report_missing"].points == D(-6)
    assert by_event["report_missing"].capped and not by_event["report_late"].capped
    assert sum(line.points for line in lines) == D(-10)


def test_cap_spills_over_more_than_one_line():
    # −2 −9 = −11 … cap 1: the last line is cut to 0 and the first to −1.
    tight = book(("report_late", "报送", -2), ("report_missing", "报送", -9), caps={"报送": 1})
    lines = department_lines(events(1, "report_late", 1) + events(1, "report_missing", 1), tight)
    assert [line.points for line in lines] == [D(-1), D(0)]


def test_bonus_cap_and_mixed_signs():
    # 落实: +2×5 −2×1 = 8, capped at 6: only the bonus line gives back.
    lines = department_lines(
        events(1, "item_completed_on_time", 5, "item") + events(1, "item_overdue", 1, "item"), RULES
    )
    assert [(line.rule.event, line.points) for line in lines] == [
        ("item_completed_on_time", D(8)),
        ("item_overdue", D(-2)),
    ]
    assert sum(line.points for line in lines) == D(6)


def test_a_total_within_the_cap_is_untouched():
    lines = department_lines(events(1, "report_late", 10), RULES)
    assert lines[0].points == D(-10) and not lines[0].capped


def test_uncapped_category():
    free = book(("report_missing", "其他", -3))
    assert department_lines(events(1, "report_missing", 50), free)[0].points == D(-150)


def test_zero_cap_cancels_the_category():
    zero = book(("report_missing", "报送", -3), caps={"报送": 0})
    assert department_lines(events(1, "report_missing", 2), zero)[0].points == D(0)


def test_ranks_share_ties():
    found = (
        events(1, "report_late", 2)
        + events(2, "report_late", 2)
        + events(3, "report_late", 1)
        + events(4, "grade_poor", 1)  # no rule scores it: the base score, but ranked
    )
    sheets = score_sheets(found, RULES, {1: "乙局", 2: "甲局", 3: "丙局", 4: "丁局"})
    assert [(s.name, s.score, s.rank) for s in sheets] == [
        ("丁局", D(100), 1),
        ("丙局", D(99), 2),
        ("乙局", D(98), 3),
        ("甲局", D(98), 3),
    ]


def test_a_department_without_events_is_not_ranked():
    sheets = score_sheets(events(1, "report_late", 1), RULES, {1: "A", 2: "B"})
    assert [(s.name, s.rank) for s in sheets] == [("A", 1)]


def test_rank_after_a_tie_skips():
    found = events(1, "report_late", 1) + events(2, "report_late", 1) + events(3, "report_late", 2)
    sheets = score_sheets(found, RULES, {1: "A", 2: "B", 3: "C"})
    assert [s.rank for s in sheets] == [1, 1, 3]


def test_events_of_departments_not_assessed_are_ignored():
    found = events(9, "report_late", 3) + events(1, "report_on_time", 1)
    sheets = score_sheets(found, RULES, {1: "A"})
    assert [(s.department_id, s.score) for s in sheets] == [(1, D("100.5"))]


def test_json_shape():
    found = events(1, "report_on_time", 3) + events(1, "report_missing", 1)
    [sheet] = score_sheets(found, RULES, {1: "市市场监管局"})
    assert sheet_json(sheet) == {
        "department": "市市场监管局",
        "score": 98.5,
        "rank": 1,
        "lines": [
            {"rule": "report_on_time", "count": 3, "points": 1.5},
            {"rule": "report_missing", "count": 1, "points": -3},
        ],
    }


@pytest.mark.parametrize("seed", range(25))
def test_base_plus_lines_is_the_score_and_caps_hold(seed):
    """The invariant on random events and random rules."""
    rng = random.Random(seed)
    kinds = ["report_on_time", "report_late", "report_missing", "item_overdue", "grade_good"]
    categories = ["A", "B"]
    rules = book(
        *[
            (kind, rng.choice(categories), rng.choice([-5, -1.5, -0.25, 0, 0.5, 2]))
            for kind in kinds
        ],
        base=rng.choice([60, 100]),
        caps={c: rng.choice([0, 1, 3.5, 10]) for c in categories if rng.random() < 0.8},
    )
    found = [
        Event(rng.randrange(1, 6), rng.choice(kinds), "report", i) for i in range(rng.randrange(80))
    ]
    sheets = score_sheets(found, rules, {d: f"D{d}" for d in range(1, 6)})
    for sheet in sheets:
        assert sheet.base + sum(line.points for line in sheet.lines) == sheet.score
        as_json = sheet_json(sheet)
        assert D(str(rules.base)) + sum(D(str(x["points"])) for x in as_json["lines"]) == D(
            str(as_json["score"])
        )
        for category, cap in rules.caps.items():
            total = sum(line.points for line in sheet.lines if line.rule.category == category)
            assert -cap <= total <= cap
        for line in sheet.lines:
            assert line.count == len(line.events)
            assert line.raw_points == line.rule.points * line.count
            assert abs(line.points) <= abs(line.raw_points)
            assert line.points * line.raw_points >= 0
    scores = [s.score for s in sheets]
    assert scores == sorted(scores, reverse=True)
    for a, b in zip(sheets, sheets[1:], strict=False):
        assert (a.rank == b.rank) == (a.score == b.score)
