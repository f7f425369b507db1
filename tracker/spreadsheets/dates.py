"""Deadlines as decomposition tables write them (2025年底前, 2022年10月底前, 持续推进) — pure."""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Stable error codes; the web layer turns them into translated messages.
ERROR_UNREADABLE = "unreadable"
ERROR_INVALID_DATE = "invalid_date"
ERROR_NO_YEAR = "no_year"
ERROR_OUT_OF_RANGE = "out_of_range"

# Kinds of deadline, so a preview can say how a date was read.
KIND_BLANK = "blank"
KIND_DATE = "date"
KIND_MONTH = "month"
KIND_QUARTER = "quarter"
KIND_HALF = "half"
KIND_YEAR = "year"
KIND_ONGOING = "ongoing"

MIN_YEAR, MAX_YEAR = 2000, 2100
# Excel stores dates as days since 1899-12-30; a bare number in this range is such a serial.
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (36526, 73051)  # 2000-01-01 … 2099-12-31

_CN_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

# "By": 到/至/于/在 before, 前/之前/以前/止/完成/内 after. They do not change the date.
_PRE = r"(?:到|至|于|在|截至|截止|截止到)?"
_POST = r"(?:前|之前|以前|止|为止)?(?:完成|实现|建成|基本完成)?"
_FULL_DATE = re.compile(rf"^{_PRE}(\d{{4}})年(\d{{1,2}})月(\d{{1,2}})[日号]{_POST}$")
_NUMERIC_DATE = re.compile(rf"^{_PRE}(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_POST}$")
_MONTH = re.compile(rf"^{_PRE}(\d{{4}})年(\d{{1,2}})月(?:份)?(?:底|末|中旬|下旬)?{_POST}$")
_NUMERIC_MONTH = re.compile(rf"^{_PRE}(\d{{4}})[-/.](\d{{1,2}}){_POST}$")
_QUARTER = re.compile(rf"^{_PRE}(\d{{4}})年(?:第)?([一二三四1-4])季度(?:末|底)?{_POST}$")
_HALF = re.compile(rf"^{_PRE}(\d{{4}})年(上半年|年中|下半年)(?:末|底)?{_POST}$")
_YEAR = re.compile(rf"^{_PRE}(\d{{4}})年?(?:度)?(?:年?底|年?末|内)?{_POST}$")
_YEAR_RANGE = re.compile(r"^(\d{4})年?[-—–~～至到](\d{4})年?(?:底|末)?(?:前)?$")
# Without a year: the table's own year (a yearly key-work list) supplies it.
_THIS_YEAR = re.compile(rf"^{_PRE}(?:今年|本年|当年)?(?:年底|年末|年内|全年){_POST}$")
_THIS_YEAR_MONTH = re.compile(rf"^{_PRE}(\d{{1,2}})月(?:份)?(?:底|末|中旬|下旬)?{_POST}$")
_THIS_YEAR_DAY = re.compile(rf"^{_PRE}(\d{{1,2}})月(\d{{1,2}})[日号]{_POST}$")
# Recurring or open-ended work: due by the end of the plan.
_ONGOING = re.compile(
    r"^(?:持续推进|持续开展|持续|长期坚持|长期|常态化(?:推进|开展)?|逐年推进|分年度推进|"
    r"按年度|每年|每半年|每季度(?:末)?|每月(?:\d{1,2}日前)?|每个季度.*|"
    r"\d{4}年?起(?:持续推进|长期坚持)?|“?十[一二三四五六七八九]五”?期间|规划期内)$"
)


class DeadlineError(ValueError):
    """A deadline that cannot be read; `code` is stable, `text` is what the table said."""

    def __init__(self, code: str, text: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.text = text


@dataclass(frozen=True)
class Deadline:
    """The due date read from a cell (None when blank, or ongoing without a plan end)."""

    due: date | None
    kind: str


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _checked_year(year: int, text: str) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DeadlineError(ERROR_OUT_OF_RANGE, text)
    return year


def _make_date(year: int, month: int, day: int, text: str) -> date:
    _checked_year(year, text)
    try:
        return date(year, month, day)
    except ValueError:
        raise DeadlineError(ERROR_INVALID_DATE, text) from None


def _month(year: int, month: int, text: str) -> date:
    _checked_year(year, text)
    if not 1 <= month <= 12:
        raise DeadlineError(ERROR_INVALID_DATE, text)
    return _month_end(year, month)


def _from_number(value: float) -> Deadline:
    text = str(value)
    if not float(value).is_integer():
        raise DeadlineError(ERROR_UNREADABLE, text)
    number = int(value)
    if MIN_YEAR <= number <= MAX_YEAR:  # a year typed as a number: 2025 → end of 2025
        return Deadline(date(number, 12, 31), KIND_YEAR)
    if _SERIAL_RANGE[0] <= number <= _SERIAL_RANGE[1]:
        return Deadline(_EXCEL_EPOCH + timedelta(days=number), KIND_DATE)
    raise DeadlineError(ERROR_UNREADABLE, text)


def normalise(text: str) -> str:
    """Full-width digits and punctuation folded, spaces, line breaks and parentheses gone."""
    folded = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s()（）]", "", folded)


def _from_text(raw: str, default_year: int | None, plan_end: date | None) -> Deadline:
    text = normalise(raw)
    if not text:
        return Deadline(None, KIND_BLANK)
    if match := _FULL_DATE.match(text) or _NUMERIC_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
        return Deadline(_make_date(year, month, day, raw), KIND_DATE)
    if match := _MONTH.match(text) or _NUMERIC_MONTH.match(text):
        return Deadline(_month(int(match.group(1)), int(match.group(2)), raw), KIND_MONTH)
    if match := _QUARTER.match(text):
        year = _checked_year(int(match.group(1)), raw)
        return Deadline(_month_end(year, _CN_QUARTERS[match.group(2)] * 3), KIND_QUARTER)
    if match := _HALF.match(text):
        year = _checked_year(int(match.group(1)), raw)
        month = 12 if match.group(2) == "下半年" else 6
        return Deadline(_month_end(year, month), KIND_HALF)
    if match := _YEAR_RANGE.match(text):
        start, end = int(match.group(1)), int(match.group(2))
        if end < start:
            raise DeadlineError(ERROR_INVALID_DATE, raw)
        return Deadline(date(_checked_year(end, raw), 12, 31), KIND_YEAR)
    if match := _YEAR.match(text):
        return Deadline(date(_checked_year(int(match.group(1)), raw), 12, 31), KIND_YEAR)
    if _ONGOING.match(text):
        return Deadline(plan_end, KIND_ONGOING)
    for pattern in (_THIS_YEAR, _THIS_YEAR_MONTH, _THIS_YEAR_DAY):
        match = pattern.match(text)
        if not match:
            continue
        if default_year is None:
            raise DeadlineError(ERROR_NO_YEAR, raw)
        if pattern is _THIS_YEAR:
            return Deadline(date(_checked_year(default_year, raw), 12, 31), KIND_YEAR)
        if pattern is _THIS_YEAR_MONTH:
            return Deadline(_month(default_year, int(match.group(1)), raw), KIND_MONTH)
        month, day = int(match.group(1)), int(match.group(2))
        return Deadline(_make_date(default_year, month, day, raw), KIND_DATE)
    raise DeadlineError(ERROR_UNREADABLE, raw)


def parse_deadline(
    value: object, *, default_year: int | None = None, plan_end: date | None = None
) -> Deadline:
    """Read a 完成时限 cell: a date cell, an Excel serial, a year, or Chinese deadline text.

    `default_year` completes 年底前 / 6月底前 (yearly lists omit the year); `plan_end` is the
    date given to recurring or open-ended work (持续推进, 每年, 每季度末). Raises DeadlineError.
    """
    if value is None:
        return Deadline(None, KIND_BLANK)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        _checked_year(value.year, value.isoformat())
        return Deadline(value, KIND_DATE)
    if isinstance(value, bool):
        raise DeadlineError(ERROR_UNREADABLE, str(value))
    if isinstance(value, int | float):
        return _from_number(value)
    return _from_text(str(value), default_year, plan_end)
