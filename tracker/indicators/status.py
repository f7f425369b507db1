"""Status of a plan indicator for a year, judged by its kind against 序时进度 — pure, no I/O."""

import logging
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

logger = logging.getLogger(__name__)


class IndicatorKind(StrEnum):
    """The kinds the plan parser recognises in an indicator table."""

    FLOOR = "floor"  # 不低于 96: must hold every year
    TARGET = "target"  # 3070 → 4300: reach a value by the target year, up or down
    CUMULATIVE = "cumulative"  # [56] → [100]: five-year total of yearly additions
    RANK = "rank"  # 第二 → 前三: a position, lower is better
    MILESTONE = "milestone"  # / → 完成: done or not yet


class IndicatorStatus(StrEnum):
    """Outcome for one indicator in one year."""

    MET = "met"
    NOT_MET = "not_met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    FAR_BEHIND = "far_behind"
    DONE = "done"
    NOT_YET = "not_yet"
    NO_DATA = "no_data"
    NOT_STARTED = "not_started"


# Progress must reach the full time-proportional share to count as 达到序时进度; anything
# less is 滞后, which is how the office reads the annual and mid-term reviews.
ON_TRACK_SHARE = 1.0
# Below half of the expected progress the gap can no longer be closed by a normal year, so
# it is reported as 严重滞后 (FAR_BEHIND) rather than merely behind.
FAR_BEHIND_SHARE = 0.5
# Float arithmetic (2.8 + 0.5 * 3/5 ...) must not turn an exact hit into "behind".
_TOLERANCE = 1e-9

# Statuses of a binding (约束性) indicator that raise a 预警.
WARNING_STATUSES = frozenset(
    {IndicatorStatus.BEHIND, IndicatorStatus.FAR_BEHIND, IndicatorStatus.NOT_MET}
)

# Canonical stored texts for milestones; the web layer translates them for display.
MILESTONE_DONE = "完成"
MILESTONE_NOT_DONE = "未完成"
_DONE_WORDS = frozenset({"完成", "已完成", "done"})
_NOT_DONE_WORDS = frozenset({"未完成", "not done", "not yet"})

# Units that count things; a negative number of standards or enterprises is a typo.
COUNT_UNITS = frozenset("个项家件人次座所台套条部款批名")
PERCENT_UNIT = "%"

# Stable error codes for validate_value; the web layer maps them to translated messages.
ERROR_EMPTY = "empty"
ERROR_NOT_A_NUMBER = "not_a_number"
ERROR_PERCENT_OVER_100 = "percent_over_100"
ERROR_NEGATIVE_COUNT = "negative_count"
ERROR_RANK_NOT_POSITIVE_INTEGER = "rank_not_positive_integer"
ERROR_NOT_A_MILESTONE_VALUE = "not_a_milestone_value"

# Strict on purpose: float() would also accept "nan", "inf", "1e3" and "1_000".
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_CHINESE_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
# Ranks are written 第二 / 前三 / 第2名 in plan tables and by users.
_RANK_AFFIXES_RE = re.compile(r"^(?:第|前)?(.+?)(?:名|位)?$")


@dataclass(frozen=True)
class IndicatorSpec:
    """What the plan says about one indicator: kind, baseline, target and their years."""

    kind: str
    baseline: float | None
    target: float | str | None
    baseline_year: int
    target_year: int
    binding: bool  # 约束性
    unit: str | None = None


class InvalidIndicatorValue(ValueError):
    """A reported value that cannot be stored; `code` is a stable key, never prose."""

    def __init__(self, code: str, message_params: Mapping[str, object] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message_params = dict(message_params or {})


# --- small conversions -------------------------------------------------------------------


def _kind(spec: IndicatorSpec) -> IndicatorKind:
    try:
        return IndicatorKind(spec.kind)
    except ValueError:
        raise ValueError(f"unknown indicator kind {spec.kind!r}") from None


def _normalise_text(raw: str) -> str:
    # NFKC folds full-width digits, percent signs and commas typed with a Chinese IME into ASCII.
    return unicodedata.normalize("NFKC", raw).strip()


def _parse_number(text: str) -> float | None:
    text = text.replace(",", "").strip()
    if not _NUMBER_RE.fullmatch(text):
        return None
    return float(text)


def _as_number(value: object) -> float | None:
    """Numbers pass through; numeric strings are parsed; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        # NaN would compare false both ways and slip through as BEHIND or NOT_MET.
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return _parse_number(_normalise_text(value).removesuffix(PERCENT_UNIT))
    return None


def _chinese_number(text: str) -> int | None:
    """Parse 一 … 九十九, enough for any rank among provinces or cities."""
    if not text or any(c not in _CHINESE_DIGITS and c != "十" for c in text):
        return None
    if text.count("十") > 1:
        return None
    if "十" not in text:
        return _CHINESE_DIGITS[text] if len(text) == 1 else None
    tens_text, _, units_text = text.partition("十")
    if len(tens_text) > 1 or len(units_text) > 1:
        return None
    tens = _CHINESE_DIGITS[tens_text] if tens_text else 1
    units = _CHINESE_DIGITS[units_text] if units_text else 0
    return tens * 10 + units


def _rank_position(value: object) -> int | None:
    """A positive integer position from 3, 3.0, "3", "第三", "前三" or "第3名"; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        match = _RANK_AFFIXES_RE.match(_normalise_text(value))
        core = match.group(1) if match else ""
        parsed = _parse_number(core)
        number = parsed if parsed is not None else _chinese_number(core)
        if number is None:
            return None
    else:
        return None
    if not float(number).is_integer() or number < 1:
        return None
    return int(number)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _marks_done(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    if isinstance(value, str):
        return _normalise_text(value).lower() in _DONE_WORDS or value.strip() == "1"
    return False


# --- time-proportional expectation (序时进度) ---------------------------------------------


def _elapsed_share(spec: IndicatorSpec, year: int) -> float:
    """Share of the plan period elapsed by the end of `year`, capped to [0, 1]."""
    span = spec.target_year - spec.baseline_year
    if span <= 0:
        # A degenerate period is due at once rather than dividing by zero.
        return 1.0
    elapsed = min(max(year - spec.baseline_year, 0), span)
    return elapsed / span


def expected_value(spec: IndicatorSpec, year: int) -> float | None:
    """The 序时进度 expectation at the end of `year`; None where the kind has none."""
    kind = _kind(spec)
    target = _as_number(spec.target)
    if target is None:
        return None
    share = _elapsed_share(spec, year)
    if kind is IndicatorKind.TARGET:
        if spec.baseline is None:
            return None
        return spec.baseline + (target - spec.baseline) * share
    if kind is IndicatorKind.CUMULATIVE:
        return target * share
    return None


def _progress_band(progress: float, expected_share: float) -> IndicatorStatus:
    """ON_TRACK / BEHIND / FAR_BEHIND from progress and expectation, both as shares of the goal."""
    if progress >= expected_share * ON_TRACK_SHARE - _TOLERANCE:
        return IndicatorStatus.ON_TRACK
    if progress < expected_share * FAR_BEHIND_SHARE - _TOLERANCE:
        return IndicatorStatus.FAR_BEHIND
    return IndicatorStatus.BEHIND


# --- one function per kind ---------------------------------------------------------------


def _incomplete_spec(spec: IndicatorSpec, missing: str) -> IndicatorStatus:
    # A half-parsed indicator must not break a dashboard; say so in the log and show no status.
    logger.warning("Indicator spec %r has no usable %s; status cannot be judged", spec, missing)
    return IndicatorStatus.NO_DATA


def _unreadable_value(spec: IndicatorSpec, year: int, value: object) -> IndicatorStatus:
    logger.warning("Verified value %r for %d is not a number (spec %r)", value, year, spec)
    return IndicatorStatus.NO_DATA


def _floor_status(spec: IndicatorSpec, year: int, value: object) -> IndicatorStatus:
    floor = _as_number(spec.target)
    if floor is None:
        return _incomplete_spec(spec, "target")
    number = _as_number(value)
    if number is None:
        return _unreadable_value(spec, year, value)
    met = number >= floor - _TOLERANCE
    return IndicatorStatus.MET if met else IndicatorStatus.NOT_MET


def _target_status(spec: IndicatorSpec, year: int, value: object) -> IndicatorStatus:
    target = _as_number(spec.target)
    if target is None or spec.baseline is None:
        return _incomplete_spec(spec, "baseline or target")
    number = _as_number(value)
    if number is None:
        return _unreadable_value(spec, year, value)
    change = target - spec.baseline
    if abs(change) < _TOLERANCE:
        # "Keep it at X": nothing to be proportional to, so only reaching X counts.
        on_target = number >= target - _TOLERANCE
        return IndicatorStatus.ON_TRACK if on_target else IndicatorStatus.BEHIND
    # Dividing by a negative change makes a falling target (lower is better) work unchanged.
    progress = (number - spec.baseline) / change
    return _progress_band(progress, _elapsed_share(spec, year))


def _cumulative_status(
    spec: IndicatorSpec, year: int, values: Mapping[int, object]
) -> IndicatorStatus:
    target = _as_number(spec.target)
    if target is None or target <= 0:
        return _incomplete_spec(spec, "target")
    # Years without a verified value add nothing yet: the office judges what it has verified.
    running_total = 0.0
    for value_year, value in values.items():
        if not (spec.baseline_year < value_year <= year) or _is_blank(value):
            continue
        number = _as_number(value)
        if number is None:
            return _unreadable_value(spec, value_year, value)
        running_total += number
    return _progress_band(running_total / target, _elapsed_share(spec, year))


def _rank_status(spec: IndicatorSpec, year: int, value: object) -> IndicatorStatus:
    target = _rank_position(spec.target)
    if target is None:
        return _incomplete_spec(spec, "target")
    position = _rank_position(value)
    if position is None:
        return _unreadable_value(spec, year, value)
    return IndicatorStatus.MET if position <= target else IndicatorStatus.NOT_MET


def _milestone_status(
    spec: IndicatorSpec, year: int, values: Mapping[int, object]
) -> IndicatorStatus:
    # Completion is permanent: a milestone verified as done in 2023 is still done in 2025
    # even if nobody reports it again.
    if any(
        spec.baseline_year < value_year <= year and _marks_done(value)
        for value_year, value in values.items()
    ):
        return IndicatorStatus.DONE
    if _is_blank(values.get(year)):
        return IndicatorStatus.NO_DATA
    return IndicatorStatus.NOT_YET


def compute_status(
    spec: IndicatorSpec, year: int, values: Mapping[int, float | str | None]
) -> IndicatorStatus:
    """Status of the indicator for `year` from VERIFIED yearly values (year → value).

    Years after the target year are judged against the target itself, because reporting
    goes on for items still open after the plan ends.
    """
    kind = _kind(spec)
    if year <= spec.baseline_year:
        return IndicatorStatus.NOT_STARTED
    if kind is IndicatorKind.MILESTONE:
        return _milestone_status(spec, year, values)
    value = values.get(year)
    if _is_blank(value):
        return IndicatorStatus.NO_DATA
    if kind is IndicatorKind.FLOOR:
        return _floor_status(spec, year, value)
    if kind is IndicatorKind.TARGET:
        return _target_status(spec, year, value)
    if kind is IndicatorKind.CUMULATIVE:
        return _cumulative_status(spec, year, values)
    return _rank_status(spec, year, value)


def is_warning(spec: IndicatorSpec, status: IndicatorStatus, year: int | None = None) -> bool:
    """True when a binding (约束性) indicator needs a 预警.

    A milestone that is NOT_YET only warns from its target year on, so pass `year` for it;
    before then "not yet" is simply the normal state of work in progress.
    """
    if not spec.binding:
        return False
    if status in WARNING_STATUSES:
        return True
    return (
        status == IndicatorStatus.NOT_YET
        and _kind(spec) is IndicatorKind.MILESTONE
        and year is not None
        and year >= spec.target_year
    )


# --- validating what a department types in -----------------------------------------------


def _validate_milestone(text: str) -> str:
    word = text.lower()
    if word in _DONE_WORDS:
        return MILESTONE_DONE
    if word in _NOT_DONE_WORDS:
        return MILESTONE_NOT_DONE
    raise InvalidIndicatorValue(ERROR_NOT_A_MILESTONE_VALUE, {"value": text})


def _validate_rank(text: str) -> int:
    position = _rank_position(text)
    if position is None:
        raise InvalidIndicatorValue(ERROR_RANK_NOT_POSITIVE_INTEGER, {"value": text})
    return position


def _validate_number(spec: IndicatorSpec, kind: IndicatorKind, text: str) -> float:
    is_percent = spec.unit == PERCENT_UNIT
    number = _parse_number(text.removesuffix(PERCENT_UNIT) if is_percent else text)
    if number is None:
        raise InvalidIndicatorValue(ERROR_NOT_A_NUMBER, {"value": text})
    if is_percent and number > 100:
        raise InvalidIndicatorValue(ERROR_PERCENT_OVER_100, {"value": number})
    # Cumulative values are the year's additions to a count, so they are counts too.
    is_count = kind is IndicatorKind.CUMULATIVE or spec.unit in COUNT_UNITS
    if is_count and number < 0:
        raise InvalidIndicatorValue(ERROR_NEGATIVE_COUNT, {"value": number})
    return number


def validate_value(spec: IndicatorSpec, raw: str) -> float | str:
    """Parse a reported value for `spec`, raising InvalidIndicatorValue with a stable code.

    Returns a float for numeric kinds, an int position for a rank and 完成/未完成 for a
    milestone.
    """
    text = _normalise_text(raw or "")
    if not text:
        raise InvalidIndicatorValue(ERROR_EMPTY)
    kind = _kind(spec)
    if kind is IndicatorKind.MILESTONE:
        return _validate_milestone(text)
    if kind is IndicatorKind.RANK:
        return _validate_rank(text)
    return _validate_number(spec, kind, text)
