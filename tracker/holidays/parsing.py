"""Reading and checking a year's holiday arrangement (CSV or JSON), all of it or nothing.

CSV, one entry a line (`#` starts a comment, an optional header line is skipped):

    kind,name,first,last
    holiday,元旦,2027-01-01,2027-01-03
    workday,春节,2027-02-07

`kind` is `holiday` (放假) or `workday` (调休上班); `last` may be left out for one day.
JSON: {"year": 2027, "entries": [{"kind": …, "name": …, "first": …, "last": …}, …]}.
Every problem is reported with its line (CSV) or entry number (JSON); the caller stores
nothing unless the whole file is clean. See docs/holidays.md.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_ENTRIES = 100
MAX_NAME = 40

KIND_ALIASES = {
    "holiday": "holiday",
    "放假": "holiday",
    "假": "holiday",
    "workday": "workday",
    "调休": "workday",
    "上班": "workday",
    "班": "workday",
}
_HEADER_WORDS = {"kind", "type", "类型", "类别"}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class Entry:
    """One checked line: a holiday range or a range of 调休 working days."""

    kind: str
    name: str
    first: date
    last: date
    where: str  # "line 3" / "entry 2", to name it in messages

    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True)
class Problem:
    where: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class HolidayFileError(ValueError):
    """The arrangement has problems; nothing was stored."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def check_year(value) -> int:
    """The year as an int in the supported range, else HolidayFileError."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = None
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise HolidayFileError(
            [Problem(None, _("The year must be between %(a)s and %(b)s.", a=MIN_YEAR, b=MAX_YEAR))]
        )
    return year


def parse_day(text: str) -> date | None:
    """YYYY-MM-DD (also YYYY/M/D and 2027年1月1日), else None."""
    match = _DATE.match((text or "").strip())
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_text(year: int, text: str, *, filename: str = "") -> list[Entry]:
    """The checked entries of a CSV or JSON arrangement for `year`."""
    stripped = text.lstrip("\ufeff").strip()
    if filename.lower().endswith(".json") or stripped.startswith(("{", "[")):
        raw, problems = _json_rows(year, stripped)
    else:
        raw, problems = _csv_rows(stripped)
    entries = []
    for where, cells in raw:
        entry = _entry(year, where, cells, problems)
        if entry is not None:
            entries.append(entry)
    # Overlaps among the lines that are fine by themselves, so one round shows everything.
    _check_overlaps(entries, problems)
    if not problems:
        if not any(entry.kind == "holiday" for entry in entries):
            problems.append(Problem(None, _("The arrangement has no holidays.")))
        elif len(entries) > MAX_ENTRIES:
            problems.append(Problem(None, _("At most %(n)s entries, one per line.", n=MAX_ENTRIES)))
    if problems:
        raise HolidayFileError(problems)
    return sorted(entries, key=lambda e: e.first)


def _line(number: int) -> str:
    return _("line %(n)s", n=number)


def _csv_rows(text: str) -> tuple[list[tuple[str, list[str]]], list[Problem]]:
    rows, problems = [], []
    seen_data = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            cells = next(csv.reader([line]))
        except csv.Error as error:
            problems.append(Problem(_line(number), _("Not a CSV line (%(e)s).", e=error)))
            continue
        cells = [cell.strip() for cell in cells]
        if not seen_data and cells and cells[0].lower() in _HEADER_WORDS:
            seen_data = True
            continue
        seen_data = True
        rows.append((_line(number), cells))
    return rows, problems


def _json_rows(year: int, text: str) -> tuple[list[tuple[str, list[str]]], list[Problem]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return [], [Problem(_line(error.lineno), _("Not valid JSON (%(e)s).", e=error.msg))]
    if isinstance(data, list):
        data = {"entries": data}
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        return [], [Problem(None, _('The JSON needs an "entries" list.'))]
    problems = []
    if "year" in data and str(data["year"]).strip() != str(year):
        problems.append(
            Problem(
                None, _("The file is for %(file)s, not %(year)s.", file=data["year"], year=year)
            )
        )
    rows = []
    for number, item in enumerate(data["entries"], start=1):
        where = _("entry %(n)s", n=number)
        if not isinstance(item, dict):
            problems.append(Problem(where, _("Each entry must be an object.")))
            continue
        cells = [str(item.get(key) or "").strip() for key in ("kind", "name", "first")]
        if str(item.get("last") or "").strip():
            cells.append(str(item["last"]).strip())
        rows.append((where, cells))
    return rows, problems


def _entry(year: int, where: str, cells: list[str], problems: list[Problem]) -> Entry | None:
    while len(cells) > 3 and not cells[-1]:
        cells = cells[:-1]  # trailing empty columns (an omitted last day)
    if len(cells) not in (3, 4):
        problems.append(
            Problem(where, _("Expected kind, name, first day and (optional) last day."))
        )
        return None
    kind = KIND_ALIASES.get(cells[0].lower())
    name = cells[1]
    first_text = cells[2]
    last_text = cells[3] if len(cells) == 4 else cells[2]
    before = len(problems)
    if kind is None:
        problems.append(
            Problem(where, _('Unknown kind "%(kind)s": use holiday or workday.', kind=cells[0]))
        )
    if not name or len(name) > MAX_NAME:
        problems.append(
            Problem(where, _("A name of 1 to %(n)s characters is required.", n=MAX_NAME))
        )
    first, last = parse_day(first_text), parse_day(last_text)
    checks = [(first_text, first)]
    if len(cells) == 4:
        checks.append((last_text, last))
    if not first_text:
        problems.append(Problem(where, _("The first day is missing.")))
        checks = []
    for text, day in checks:
        if day is None:
            problems.append(
                Problem(where, _('"%(text)s" is not a date (use YYYY-MM-DD).', text=text))
            )
        elif day.year != year:
            problems.append(Problem(where, _("%(day)s is not in %(year)s.", day=text, year=year)))
    if first and last and last < first:
        problems.append(Problem(where, _("The last day is before the first day.")))
    if len(problems) > before:
        return None
    if kind == "workday":
        weekdays = [d for d in _each_day(first, last) if d.weekday() < 5]
        if weekdays:
            problems.append(
                Problem(
                    where,
                    _(
                        "%(day)s is not a Saturday or Sunday: a 调休 working day replaces a "
                        "weekend day.",
                        day=weekdays[0].isoformat(),
                    ),
                )
            )
            return None
    return Entry(kind, name, first, last, where)


def _each_day(first: date, last: date):
    for offset in range((last - first).days + 1):
        yield date.fromordinal(first.toordinal() + offset)


def _check_overlaps(entries: list[Entry], problems: list[Problem]) -> None:
    # Compare each entry with the one reaching furthest so far, so a long range that
    # swallows several short ones is reported against each of them.
    ordered = sorted(entries, key=lambda e: (e.first, e.last))
    earlier = None
    for later in ordered:
        if earlier is not None and later.first <= earlier.last:
            problems.append(
                Problem(
                    later.where,
                    _(
                        "%(name)s overlaps %(other)s (%(where)s).",
                        name=later.name,
                        other=earlier.name,
                        where=earlier.where,
                    ),
                )
            )
        if earlier is None or later.last > earlier.last:
            earlier = later
