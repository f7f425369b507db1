"""Tests for indicator status by kind, 序时进度 expectations, 预警 and value validation."""

import logging

import pytest

from tracker.indicators import status as status_module
from tracker.indicators.status import (
    FAR_BEHIND_SHARE,
    ON_TRACK_SHARE,
    IndicatorSpec,
    IndicatorStatus,
    InvalidIndicatorValue,
    compute_status,
    expected_value,
    is_warning,
    validate_value,
)

S = IndicatorStatus

# Specs modelled on the sample plan (质量发展“十四五”规划, 2020 → 2025).
FLOOR = IndicatorSpec("floor", 96.5, 96.0, 2020, 2025, True, "%")  # 合格率 不低于 96
TARGET_UP = IndicatorSpec("target", 3070.0, 4300.0, 2020, 2025, False, "亿元")
TARGET_PCT = IndicatorSpec("target", 2.8, 3.3, 2020, 2025, True, "%")
TARGET_DOWN = IndicatorSpec("target", 0.50, 0.40, 2020, 2025, True, "吨标准煤/万元")
CUMULATIVE = IndicatorSpec("cumulative", 56.0, 100.0, 2020, 2025, True, "项")  # [56] → [100]
RANK = IndicatorSpec("rank", 2.0, 3.0, 2020, 2025, True, None)  # 第二 → 前三
RANK_TEXT = IndicatorSpec("rank", 2.0, "前三", 2020, 2025, True, None)
MILESTONE = IndicatorSpec("milestone", None, "完成", 2020, 2025, True, None)  # / → 完成

ALL_SPECS = [FLOOR, TARGET_UP, TARGET_PCT, TARGET_DOWN, CUMULATIVE, RANK, MILESTONE]
ALL_IDS = [
    "floor",
    "target_up",
    "target_pct",
    "target_down",
    "cumulative",
    "rank",
    "milestone",
]


def good_value(spec):
    """A value that is fine in any year, to prove the year, not the data, decides."""
    return {"floor": 99.0, "cumulative": 100.0, "rank": 1.0, "milestone": "完成"}.get(
        spec.kind, spec.target
    )


@pytest.fixture
def status_logs(monkeypatch, caplog):
    """Capture this module's warnings.

    alembic's `fileConfig` in migrations/env.py disables loggers that already exist when the
    session fixture runs the migrations, so re-enable ours for the test.
    """
    monkeypatch.setattr(status_module.logger, "disabled", False)
    caplog.set_level(logging.WARNING, logger=status_module.__name__)
    return caplog


def test_thresholds_are_ordered():
    assert 0 < FAR_BEHIND_SHARE < ON_TRACK_SHARE <= 1


def test_status_values_are_lowercase_strings():
    assert S.ON_TRACK == "on_track"
    assert S.NOT_STARTED.value == "not_started"
    assert {s.value for s in S} == {
        "met",
        "not_met",
        "on_track",
        "behind",
        "far_behind",
        "done",
        "not_yet",
        "no_data",
        "not_started",
    }


# --- years at or before the baseline, and missing values, for every kind ------------------


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
@pytest.mark.parametrize("year", [2019, 2020])
def test_not_started_at_or_before_baseline_year(spec, year):
    values = {2019: good_value(spec), 2020: good_value(spec)}
    assert compute_status(spec, year, values) is S.NOT_STARTED


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
@pytest.mark.parametrize("year", [2021, 2023, 2025, 2026])
@pytest.mark.parametrize(
    "values",
    [{}, {"year": None}, {"year": ""}, {"year": "  "}],
    ids=["absent", "none", "empty", "blank"],
)
def test_missing_value_is_no_data(spec, year, values):
    values = {year if k == "year" else k: v for k, v in values.items()}
    assert compute_status(spec, year, values) is S.NO_DATA


@pytest.mark.parametrize("spec", ALL_SPECS, ids=ALL_IDS)
def test_other_years_values_do_not_fill_a_missing_year(spec):
    # 2022 has nothing verified; neighbouring years must not leak into it
    # (only a milestone completed earlier stays done, tested separately).
    earlier = "未完成" if spec.kind == "milestone" else good_value(spec)
    values = {2021: earlier, 2023: good_value(spec)}
    assert compute_status(spec, 2022, values) is S.NO_DATA


# --- floor ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "value", "expected"),
    [
        (2021, 96.0, S.MET),  # exactly the floor
        (2021, 95.9, S.NOT_MET),
        (2021, 99.2, S.MET),
        (2023, 95.0, S.NOT_MET),
        (2025, 96.0, S.MET),
        (2025, 95.99, S.NOT_MET),
        (2026, 97.0, S.MET),  # the floor still holds after the plan
        (2026, 90.0, S.NOT_MET),
        (2021, "96.5", S.MET),  # numeric text is read too
    ],
)
def test_floor(year, value, expected):
    assert compute_status(FLOOR, year, {year: value}) is expected


def test_floor_judges_only_that_year():
    values = {2021: 90.0, 2022: 97.0}
    assert compute_status(FLOOR, 2021, values) is S.NOT_MET
    assert compute_status(FLOOR, 2022, values) is S.MET


# --- target -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2019, 3070.0),
        (2020, 3070.0),
        (2021, 3316.0),
        (2023, 3808.0),
        (2025, 4300.0),
        (2026, 4300.0),
    ],
)
def test_expected_value_target(year, expected):
    assert expected_value(TARGET_UP, year) == pytest.approx(expected)


def test_expected_value_target_decrease():
    assert expected_value(TARGET_DOWN, 2021) == pytest.approx(0.48)
    assert expected_value(TARGET_DOWN, 2030) == pytest.approx(0.40)


@pytest.mark.parametrize(
    ("year", "value", "expected"),
    [
        # 2021: expected 3316 (20 % of +1230); half of the expected gain is 3070 + 123 = 3193.
        (2021, 3316.0, S.ON_TRACK),
        (2021, 3500.0, S.ON_TRACK),
        (2021, 3315.0, S.BEHIND),
        (2021, 3193.0, S.BEHIND),  # exactly half is behind, not far behind
        (2021, 3192.0, S.FAR_BEHIND),
        (2021, 3000.0, S.FAR_BEHIND),  # worse than the baseline
        # 2023: expected 3808; half of the gain is 3439.
        (2023, 3808.0, S.ON_TRACK),
        (2023, 3500.0, S.BEHIND),
        (2023, 3400.0, S.FAR_BEHIND),
        # target year: the target itself; half of the gain is 3685.
        (2025, 4300.0, S.ON_TRACK),
        (2025, 4299.0, S.BEHIND),
        (2025, 3685.0, S.BEHIND),
        (2025, 3684.0, S.FAR_BEHIND),
        # after the target year the expectation stays at the target.
        (2026, 4300.0, S.ON_TRACK),
        (2026, 4100.0, S.BEHIND),
        (2027, 3500.0, S.FAR_BEHIND),
    ],
)
def test_target_increase(year, value, expected):
    assert compute_status(TARGET_UP, year, {year: value}) is expected


@pytest.mark.parametrize(
    ("year", "value", "expected"),
    [
        # Exact 序时进度 hits must not fall to BEHIND through float rounding.
        (2021, 2.9, S.ON_TRACK),
        (2022, 3.0, S.ON_TRACK),
        (2023, 3.1, S.ON_TRACK),
        (2024, 3.2, S.ON_TRACK),
        (2025, 3.3, S.ON_TRACK),
        (2025, 3.2, S.BEHIND),
        (2025, 3.0, S.FAR_BEHIND),
        (2026, 3.3, S.ON_TRACK),
    ],
)
def test_target_percentage(year, value, expected):
    assert compute_status(TARGET_PCT, year, {year: value}) is expected


@pytest.mark.parametrize(
    ("year", "value", "expected"),
    [
        # Lower is better: 0.50 → 0.40, expected 0.48 in 2021.
        (2021, 0.48, S.ON_TRACK),
        (2021, 0.45, S.ON_TRACK),
        (2021, 0.49, S.BEHIND),
        (2021, 0.495, S.FAR_BEHIND),
        (2021, 0.52, S.FAR_BEHIND),  # rising instead of falling
        (2025, 0.40, S.ON_TRACK),
        (2025, 0.42, S.BEHIND),
        (2025, 0.46, S.FAR_BEHIND),
        (2026, 0.39, S.ON_TRACK),
        (2026, 0.41, S.BEHIND),
    ],
)
def test_target_decrease(year, value, expected):
    assert compute_status(TARGET_DOWN, year, {year: value}) is expected


def test_target_judges_that_years_value_not_the_latest():
    values = {2021: 3316.0, 2022: 3100.0}
    assert compute_status(TARGET_UP, 2021, values) is S.ON_TRACK
    assert compute_status(TARGET_UP, 2022, values) is S.FAR_BEHIND


def test_target_equal_to_baseline_means_keep_it():
    keep = IndicatorSpec("target", 100.0, 100.0, 2020, 2025, True, "%")
    assert compute_status(keep, 2022, {2022: 100.0}) is S.ON_TRACK
    assert compute_status(keep, 2022, {2022: 99.0}) is S.BEHIND


def test_target_without_baseline_is_no_data_and_logged(status_logs):
    spec = IndicatorSpec("target", None, 4300.0, 2020, 2025, False, "亿元")
    assert expected_value(spec, 2022) is None
    assert compute_status(spec, 2022, {2022: 4000.0}) is S.NO_DATA
    assert status_logs.records


@pytest.mark.parametrize("value", ["about 4000", float("nan"), float("inf")])
def test_unreadable_verified_value_is_no_data(value, status_logs):
    assert compute_status(TARGET_UP, 2022, {2022: value}) is S.NO_DATA
    assert status_logs.records


# --- cumulative ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2020, 0.0), (2021, 20.0), (2023, 60.0), (2025, 100.0), (2027, 100.0)],
)
def test_expected_value_cumulative(year, expected):
    assert expected_value(CUMULATIVE, year) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("year", "values", "expected"),
    [
        # 2021: expected running total 20; half is 10.
        (2021, {2021: 20}, S.ON_TRACK),
        (2021, {2021: 19}, S.BEHIND),
        (2021, {2021: 10}, S.BEHIND),
        (2021, {2021: 9}, S.FAR_BEHIND),
        (2021, {2021: 0}, S.FAR_BEHIND),
        # 2023: expected 60 — the running sum, not the year's addition alone.
        (2023, {2021: 30, 2022: 20, 2023: 10}, S.ON_TRACK),
        (2023, {2021: 20, 2022: 20, 2023: 19}, S.BEHIND),
        (2023, {2021: 5, 2022: 5, 2023: 5}, S.FAR_BEHIND),
        # an unverified earlier year adds nothing yet: 40 of an expected 60.
        (2023, {2021: 20, 2023: 20}, S.BEHIND),
        # target year: the full target.
        (2025, {y: 20 for y in range(2021, 2026)}, S.ON_TRACK),
        (2025, {2021: 20, 2022: 20, 2023: 20, 2024: 20, 2025: 19}, S.BEHIND),
        (2025, {2021: 10, 2022: 10, 2023: 10, 2024: 10, 2025: 9}, S.FAR_BEHIND),
        # after the target year additions still count towards the capped target.
        (
            2026,
            {2021: 18, 2022: 18, 2023: 18, 2024: 18, 2025: 18, 2026: 10},
            S.ON_TRACK,
        ),
        (2026, {2021: 18, 2022: 18, 2023: 18, 2024: 18, 2025: 18, 2026: 5}, S.BEHIND),
        # numeric text is read too.
        (2021, {2021: "20"}, S.ON_TRACK),
    ],
)
def test_cumulative(year, values, expected):
    assert compute_status(CUMULATIVE, year, values) is expected


def test_cumulative_ignores_baseline_year_and_later_years():
    # 2020 holds the previous plan's total [56]; it must not count towards this plan.
    assert compute_status(CUMULATIVE, 2021, {2020: 56, 2021: 5}) is S.FAR_BEHIND
    # Additions made after `year` do not count for `year`.
    assert compute_status(CUMULATIVE, 2021, {2021: 5, 2022: 50}) is S.FAR_BEHIND


# --- rank ---------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", [RANK, RANK_TEXT], ids=["numeric_target", "text_target"])
@pytest.mark.parametrize(
    ("year", "value", "expected"),
    [
        (2021, 2.0, S.MET),
        (2021, 3.0, S.MET),  # 前三 includes third
        (2021, 4.0, S.NOT_MET),
        (2021, 1, S.MET),
        (2023, "第二", S.MET),
        (2023, "第五", S.NOT_MET),
        (2025, 3.0, S.MET),
        (2025, 5.0, S.NOT_MET),
        (2026, 1.0, S.MET),
        (2026, 11.0, S.NOT_MET),
    ],
)
def test_rank(spec, year, value, expected):
    assert compute_status(spec, year, {year: value}) is expected


# --- milestone ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "value", "expected"),
    [
        (2021, "未完成", S.NOT_YET),
        (2021, "完成", S.DONE),
        (2021, "done", S.DONE),
        (2021, "Done", S.DONE),
        (2021, True, S.DONE),
        (2021, 1, S.DONE),
        (2021, 1.0, S.DONE),
        (2021, False, S.NOT_YET),
        (2021, 0, S.NOT_YET),
        (2023, "not done", S.NOT_YET),
        (2025, "完成", S.DONE),
        (2025, "未完成", S.NOT_YET),
        (2026, "完成", S.DONE),
        (2026, "未完成", S.NOT_YET),
    ],
)
def test_milestone(year, value, expected):
    assert compute_status(MILESTONE, year, {year: value}) is expected


@pytest.mark.parametrize("later", [2024, 2025, 2026])
def test_milestone_stays_done(later):
    values = {2022: "未完成", 2023: "完成"}
    assert compute_status(MILESTONE, 2022, values) is S.NOT_YET
    assert compute_status(MILESTONE, later, values) is S.DONE
    assert compute_status(MILESTONE, later, values | {later: None}) is S.DONE


def test_milestone_done_before_the_plan_does_not_count():
    assert compute_status(MILESTONE, 2021, {2020: "完成", 2021: "未完成"}) is S.NOT_YET


# --- kinds without an expectation, unknown kinds --------------------------------------------


@pytest.mark.parametrize("spec", [FLOOR, RANK, MILESTONE], ids=["floor", "rank", "milestone"])
def test_expected_value_is_none_for_other_kinds(spec):
    assert expected_value(spec, 2023) is None


def test_unknown_kind_is_a_programming_error():
    spec = IndicatorSpec("ceiling", 1.0, 2.0, 2020, 2025, True, None)
    with pytest.raises(ValueError, match="ceiling"):
        compute_status(spec, 2022, {2022: 1.5})


# --- 预警 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.BEHIND, True),
        (S.FAR_BEHIND, True),
        (S.NOT_MET, True),
        (S.ON_TRACK, False),
        (S.MET, False),
        (S.NO_DATA, False),
        (S.NOT_STARTED, False),
    ],
)
def test_is_warning_binding(status, expected):
    assert is_warning(TARGET_PCT, status) is expected


@pytest.mark.parametrize("status", list(S))
def test_is_warning_never_for_expected_indicators(status):
    # TARGET_UP is 预期性 (not binding).
    assert is_warning(TARGET_UP, status, 2025) is False


def test_is_warning_accepts_stored_status_strings():
    assert is_warning(FLOOR, "not_met") is True


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2021, False), (2024, False), (2025, True), (2026, True), (None, False)],
)
def test_is_warning_milestone_not_yet_from_target_year(year, expected):
    assert is_warning(MILESTONE, S.NOT_YET, year) is expected


def test_is_warning_milestone_done_never_warns():
    assert is_warning(MILESTONE, S.DONE, 2026) is False


def test_is_warning_not_yet_of_non_binding_milestone():
    spec = IndicatorSpec("milestone", None, "完成", 2020, 2025, False, None)
    assert is_warning(spec, S.NOT_YET, 2026) is False


# --- validate_value -------------------------------------------------------------------------

PERCENT_TARGET = TARGET_PCT
MONEY_TARGET = TARGET_UP
COUNT_TARGET = IndicatorSpec("target", 10.0, 30.0, 2020, 2025, False, "家")


@pytest.mark.parametrize(
    ("spec", "raw", "expected"),
    [
        (FLOOR, "96.5", 96.5),
        (FLOOR, " 96.5 ", 96.5),
        (FLOOR, "96.5%", 96.5),
        (
            FLOOR,
            "\uff19\uff16\uff0e\uff15\uff05",
            96.5,
        ),  # full-width 96.5% from a Chinese IME
        (FLOOR, "100", 100.0),
        (PERCENT_TARGET, "-0.5", -0.5),  # a rate may fall below zero
        (MONEY_TARGET, "4,300", 4300.0),
        (MONEY_TARGET, "4\uff0c300.5", 4300.5),  # full-width comma
        (MONEY_TARGET, "-12", -12.0),  # money is not a count
        (MONEY_TARGET, ".5", 0.5),
        (CUMULATIVE, "0", 0.0),
        (CUMULATIVE, "25", 25.0),
        (COUNT_TARGET, "12", 12.0),
        (RANK, "3", 3),
        (RANK, "3.0", 3),
        (RANK, "第二", 2),
        (RANK, "前三", 3),
        (RANK, "第3名", 3),
        (RANK, "十二", 12),
        (RANK, "第二十一", 21),
        (MILESTONE, "完成", "完成"),
        (MILESTONE, "已完成", "完成"),
        (MILESTONE, "done", "完成"),
        (MILESTONE, " Done ", "完成"),
        (MILESTONE, "未完成", "未完成"),
        (MILESTONE, "not done", "未完成"),
        (MILESTONE, "Not Done", "未完成"),
    ],
)
def test_validate_value_accepts(spec, raw, expected):
    result = validate_value(spec, raw)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("spec", "raw", "code"),
    [
        (FLOOR, "", "empty"),
        (FLOOR, "   ", "empty"),
        (MILESTONE, "", "empty"),
        (FLOOR, "abc", "not_a_number"),
        (FLOOR, "约96", "not_a_number"),
        (FLOOR, "nan", "not_a_number"),
        (FLOOR, "inf", "not_a_number"),
        (FLOOR, "1e2", "not_a_number"),
        (FLOOR, "96.5.1", "not_a_number"),
        (MONEY_TARGET, "4300%", "not_a_number"),  # % only where the unit is %
        (CUMULATIVE, "二十", "not_a_number"),
        (FLOOR, "100.1", "percent_over_100"),
        (FLOOR, "150%", "percent_over_100"),
        (PERCENT_TARGET, "101", "percent_over_100"),
        (CUMULATIVE, "-1", "negative_count"),
        (COUNT_TARGET, "-3", "negative_count"),
        (RANK, "0", "rank_not_positive_integer"),
        (RANK, "-1", "rank_not_positive_integer"),
        (RANK, "2.5", "rank_not_positive_integer"),
        (RANK, "first", "rank_not_positive_integer"),
        (RANK, "第", "rank_not_positive_integer"),
        (RANK, "十十", "rank_not_positive_integer"),
        (RANK, "一二", "rank_not_positive_integer"),
        (MILESTONE, "yes", "not_a_milestone_value"),
        (MILESTONE, "50%", "not_a_milestone_value"),
    ],
)
def test_validate_value_rejects(spec, raw, code):
    with pytest.raises(InvalidIndicatorValue) as caught:
        validate_value(spec, raw)
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value.message_params, dict)


def test_invalid_value_carries_params_not_prose():
    with pytest.raises(InvalidIndicatorValue) as caught:
        validate_value(FLOOR, "150")
    assert caught.value.message_params == {"value": 150.0}
    assert str(caught.value) == "percent_over_100"


def test_validated_values_round_trip_through_compute_status():
    values = {
        2021: validate_value(CUMULATIVE, "20"),
        2022: validate_value(CUMULATIVE, "20"),
    }
    assert compute_status(CUMULATIVE, 2022, values) is S.ON_TRACK
    done = {2024: validate_value(MILESTONE, "done")}
    assert compute_status(MILESTONE, 2024, done) is S.DONE
    rank = {2023: validate_value(RANK, "第四")}
    assert compute_status(RANK, 2023, rank) is S.NOT_MET
