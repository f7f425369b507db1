"""Reading 完成时限 cells: dates, Excel serials and the phrases decomposition tables use."""

from datetime import date, datetime

import pytest

from tracker.spreadsheets.dates import (
    ERROR_INVALID_DATE,
    ERROR_NO_YEAR,
    ERROR_OUT_OF_RANGE,
    ERROR_UNREADABLE,
    KIND_BLANK,
    KIND_DATE,
    KIND_HALF,
    KIND_MONTH,
    KIND_ONGOING,
    KIND_QUARTER,
    KIND_YEAR,
    DeadlineError,
    parse_deadline,
)

PLAN_END = date(2025, 12, 31)


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("2025年底前", date(2025, 12, 31), KIND_YEAR),
        ("2025年底", date(2025, 12, 31), KIND_YEAR),
        ("2025年", date(2025, 12, 31), KIND_YEAR),
        ("到2025年", date(2025, 12, 31), KIND_YEAR),
        ("2025年年底前完成", date(2025, 12, 31), KIND_YEAR),
        ("2023年内", date(2023, 12, 31), KIND_YEAR),
        ("2022年10月底前", date(2022, 10, 31), KIND_MONTH),
        ("2024年2月底", date(2024, 2, 29), KIND_MONTH),
        ("2022年6月", date(2022, 6, 30), KIND_MONTH),
        ("2025年12月31日", date(2025, 12, 31), KIND_DATE),
        ("2025年12月31日前", date(2025, 12, 31), KIND_DATE),
        ("2025-06-30", date(2025, 6, 30), KIND_DATE),
        ("2025/6/3", date(2025, 6, 3), KIND_DATE),
        ("２０２３年９月底前", date(2023, 9, 30), KIND_MONTH),  # full-width digits
        ("2023 年 9 月底前", date(2023, 9, 30), KIND_MONTH),
        ("2023年\n9月底前", date(2023, 9, 30), KIND_MONTH),
        ("2023年第三季度", date(2023, 9, 30), KIND_QUARTER),
        ("2023年二季度末", date(2023, 6, 30), KIND_QUARTER),
        ("2024年上半年", date(2024, 6, 30), KIND_HALF),
        ("2024年下半年", date(2024, 12, 31), KIND_HALF),
        ("2021—2025年", date(2025, 12, 31), KIND_YEAR),
        ("（2025年底前）", date(2025, 12, 31), KIND_YEAR),
    ],
)
def test_deadline_phrases(text, expected, kind):
    result = parse_deadline(text)
    assert result.due == expected
    assert result.kind == kind


@pytest.mark.parametrize(
    "text", ["持续推进", "长期坚持", "每年", "每季度末", "每月28日前", "常态化推进"]
)
def test_ongoing_work_is_due_at_plan_end(text):
    result = parse_deadline(text, plan_end=PLAN_END)
    assert (result.due, result.kind) == (PLAN_END, KIND_ONGOING)


def test_ongoing_without_plan_end_has_no_date():
    assert parse_deadline("持续推进").due is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("年底前", date(2026, 12, 31)),
        ("6月底前", date(2026, 6, 30)),
        ("9月15日前", date(2026, 9, 15)),
    ],
)
def test_yearless_phrases_use_the_tables_year(text, expected):
    assert parse_deadline(text, default_year=2026).due == expected


def test_yearless_phrase_without_a_year_is_an_error():
    with pytest.raises(DeadlineError) as error:
        parse_deadline("年底前")
    assert error.value.code == ERROR_NO_YEAR


def test_date_cells_and_numbers():
    assert parse_deadline(date(2025, 3, 1)) == parse_deadline(datetime(2025, 3, 1, 0, 0))
    assert parse_deadline(date(2025, 3, 1)).kind == KIND_DATE
    assert parse_deadline(2025).due == date(2025, 12, 31)
    assert parse_deadline(45657).due == date(2024, 12, 31)  # an Excel serial
    assert parse_deadline(45657.0).due == date(2024, 12, 31)


@pytest.mark.parametrize("value", [None, "", "  ", "\n"])
def test_blank(value):
    assert parse_deadline(value).kind == KIND_BLANK
    assert parse_deadline(value).due is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("尽快", ERROR_UNREADABLE),
        ("下个月", ERROR_UNREADABLE),
        ("=NOW()", ERROR_UNREADABLE),
        ("2025年13月底前", ERROR_INVALID_DATE),
        ("2025年2月30日", ERROR_INVALID_DATE),
        ("1850年底前", ERROR_OUT_OF_RANGE),
        ("2025—2021年", ERROR_INVALID_DATE),
        (12.5, ERROR_UNREADABLE),
        (True, ERROR_UNREADABLE),
        (date(1900, 1, 1), ERROR_OUT_OF_RANGE),
    ],
)
def test_unreadable_deadlines_raise_with_a_code(value, code):
    with pytest.raises(DeadlineError) as error:
        parse_deadline(value)
    assert error.value.code == code
