"""The pure supervision-letter rules: which letter each item's facts call for, and when not."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.letters.rules import (
    LATE_REPORT,
    RED_FOR_A_PERIOD,
    REPLY_LATE,
    RETURNED_TWICE,
    SCHEDULE_RED,
    SCHEDULE_YELLOW,
    ItemFacts,
    LetterFacts,
    Thresholds,
    auto_dedupe_key,
    letter_number,
    letters_due,
)

TODAY = date(2026, 11, 27)
DEPT, OTHER = 3, 4


def item(item_id=1, department=DEPT, **facts) -> ItemFacts:
    return ItemFacts(item_id=item_id, code=f"C{item_id:02d}", department_id=department, **facts)


def late(days, item_id=1, **facts) -> ItemFacts:
    return item(item_id, late_days=days, late_period_id=7, late_period="2026Q3", **facts)


def letter(
    letter_id=50, level="yellow", state="issued", items=(1,), due=date(2026, 12, 4), reasons=()
):
    return LetterFacts(
        id=letter_id,
        level=level,
        department_id=DEPT,
        state=state,
        item_ids=frozenset(items),
        reply_due=due,
        reasons=tuple(reasons),
    )


def levels(result) -> list[tuple[str, int, list[str]]]:
    return [(new.level.value, new.department_id, new.codes) for new in result]


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, None), (2, None), (3, "yellow"), (9, "yellow"), (10, "orange"), (40, "orange")],
)
def test_lateness_in_working_days_picks_the_level(days, expected):
    result = letters_due([late(days)], [], TODAY)
    assert [new.level for new in result] == ([expected] if expected else [])
    if expected:
        (reason,) = result[0].reasons
        assert (reason.kind, reason.days, reason.period) == (LATE_REPORT, days, "2026Q3")


def test_thresholds_are_settings():
    assert letters_due([late(2)], [], TODAY, Thresholds(yellow_days=2, orange_days=5))
    result = letters_due([late(5)], [], TODAY, Thresholds(yellow_days=2, orange_days=5))
    assert result[0].level == "orange"


def test_a_late_report_without_a_period_fires_nothing():
    assert letters_due([item(late_days=30)], [], TODAY) == []


def test_schedule_lights():
    yellow = letters_due([item(light="yellow", light_period="2026Q4")], [], TODAY)
    assert levels(yellow) == [("yellow", DEPT, ["C01"])]
    assert yellow[0].reasons[0].kind == SCHEDULE_YELLOW
    red = letters_due([item(light="red", light_period="2026Q4")], [], TODAY)
    assert levels(red) == [("orange", DEPT, ["C01"])]
    assert red[0].reasons[0].kind == SCHEDULE_RED
    assert letters_due([item(light="green", light_period="2026Q4")], [], TODAY) == []


def test_red_for_a_whole_period_is_a_red_letter():
    facts = item(light="red", light_period="2026Q4", red_last_period=True)
    (new,) = letters_due([facts], [], TODAY)
    assert new.level == "red"
    assert [reason.kind for reason in new.reasons] == [RED_FOR_A_PERIOD]


def test_returned_twice_in_a_row_is_orange():
    (new,) = letters_due([item(returns_in_a_row=2, last_return_id=91)], [], TODAY)
    assert (new.level, new.reasons[0].kind, new.reasons[0].basis) == (
        "orange",
        RETURNED_TWICE,
        "returns:91",
    )
    assert letters_due([item(returns_in_a_row=1, last_return_id=91)], [], TODAY) == []


def test_the_highest_level_wins_and_lists_only_its_reasons():
    facts = late(4, returns_in_a_row=2, last_return_id=5)
    (new,) = letters_due([facts], [], TODAY)
    assert new.level == "orange"
    assert [reason.kind for reason in new.reasons] == [RETURNED_TWICE]


def test_one_letter_per_department_and_level_items_in_code_order():
    facts = [
        late(4, item_id=2),
        late(5, item_id=1),
        late(12, item_id=3),
        item(4, OTHER, light="yellow"),
    ]
    result = letters_due(facts, [], TODAY)
    assert levels(result) == [
        ("orange", DEPT, ["C03"]),
        ("yellow", DEPT, ["C01", "C02"]),
        ("yellow", OTHER, ["C04"]),
    ]


def test_an_open_letter_of_the_same_level_blocks_a_second():
    assert letters_due([late(4)], [letter(level="yellow")], TODAY) == []
    assert letters_due([late(4)], [letter(level="yellow", state="replied")], TODAY) == []


def test_a_higher_open_letter_blocks_a_lower_one():
    assert letters_due([late(4)], [letter(level="orange")], TODAY) == []


def test_a_higher_level_supersedes_the_open_lower_letter():
    (new,) = letters_due([late(12)], [letter(50, level="yellow")], TODAY)
    assert (new.level, new.supersedes) == ("orange", [50])


def test_a_lower_letter_is_kept_while_some_of_its_items_are_still_only_at_its_level():
    result = letters_due([late(12, item_id=1)], [letter(50, "yellow", items=(1, 2))], TODAY)
    assert levels(result) == [("orange", DEPT, ["C01"])]
    assert result[0].supersedes == []


def test_an_orange_letter_unanswered_after_its_reply_deadline_turns_red():
    orange = letter(60, "orange", items=(1, 2), due=date(2026, 11, 26))
    result = letters_due([item(1), item(2)], [orange], TODAY)
    assert levels(result) == [("red", DEPT, ["C01", "C02"])]
    assert [reason.kind for reason in result[0].reasons] == [REPLY_LATE, REPLY_LATE]
    assert result[0].supersedes == [60]


def test_an_orange_letter_on_its_reply_day_or_answered_is_not_late():
    on_the_day = letter(60, "orange", due=TODAY)
    assert letters_due([item(1)], [on_the_day], TODAY) == []
    answered = letter(60, "orange", state="replied", due=date(2026, 11, 2))
    assert letters_due([item(1)], [answered], TODAY) == []


def test_a_late_yellow_reply_is_not_by_itself_a_red_letter():
    yellow = letter(60, "yellow", due=date(2026, 11, 2))
    assert letters_due([item(1)], [yellow], TODAY) == []


def test_a_fact_the_office_closed_is_not_raised_again():
    closed = letter(50, "yellow", state="closed", reasons=[(1, "late:7")])
    assert letters_due([late(4)], [closed], TODAY) == []
    # … but the same report still later is an orange matter.
    (new,) = letters_due([late(10)], [closed], TODAY)
    assert new.level == "orange"


def test_a_closed_higher_letter_answers_the_lower_level_too():
    closed = letter(50, "orange", state="closed", reasons=[(1, "late:7")])
    assert letters_due([late(4)], [closed], TODAY) == []
    assert letters_due([late(12)], [closed], TODAY) == []


def test_a_cancelled_letter_is_not_reissued_automatically_for_the_same_fact():
    cancelled = letter(50, "yellow", state="cancelled", reasons=[(1, "late:7")])
    assert letters_due([late(4)], [cancelled], TODAY) == []


def test_a_new_period_is_a_new_fact():
    closed = letter(50, "yellow", state="closed", reasons=[(1, "late:6")])
    assert levels(letters_due([late(4)], [closed], TODAY)) == [("yellow", DEPT, ["C01"])]


def test_letters_of_another_item_do_not_count():
    assert letters_due([late(4, item_id=2)], [letter(items=(1,))], TODAY)


def test_number_and_dedupe_key():
    assert letter_number(2026, "yellow", 12) == "〔2026〕催办第12号"
    assert letter_number(2026, "orange", 1) == "〔2026〕督办第1号"
    assert letter_number(2027, "red", 3) == "〔2027〕问责第3号"
    assert auto_dedupe_key("red", 3, TODAY) == "auto:red:3:2026-11-27"


def test_the_result_is_the_same_whatever_the_input_order():
    facts = [late(4, item_id=n) for n in (5, 1, 3)]
    assert levels(letters_due(facts, [], TODAY)) == levels(letters_due(facts[::-1], [], TODAY))
