"""Reading and checking a rule file (CSV), all of it or nothing.

One rule a line (`#` starts a comment; the header line is optional):

    year_from,year_to,base,category,cap,event,points
    2025,,100,报送质量,20,report_late,-1
    2025,,100,报送质量,20,report_missing,-3

Lines with the same `year_from`/`year_to` form one version of the rules, valid from
`year_from` through `year_to` (empty: until a later version). `base` is the version's base
score, `cap` the most its category can add or take away (empty: no cap; ≥ 0), `event` one of
tracker/assessment/vocabulary.py EVENTS, `points` per event (negative deducts). Every
problem names its line; the caller stores nothing unless the whole file is clean.
See docs/architecture.md, *Assessment scores*.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from tracker.assessment.scoring import Rule, RuleBook
from tracker.assessment.vocabulary import EVENTS

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_POINTS = Decimal(1000)
MAX_CATEGORY = 60
MAX_LINES = 500
COLUMNS = ("year_from", "year_to", "base", "category", "cap", "event", "points")


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            _("Line %(n)s: %(message)s", n=self.line, message=self.message)
            if self.line
            else (self.message)
        )


class RuleFileError(ValueError):
    """The rule file has problems; nothing was stored."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Version:
    """One version read from the file: its years, base, rules and caps."""

    first_year: int
    last_year: int | None
    base: Decimal
    line: int  # where it first appears, to name it in messages
    rules: list[Rule] = field(default_factory=list)
    caps: dict[str, Decimal] = field(default_factory=dict)

    def book(self) -> RuleBook:
        return RuleBook(self.base, tuple(self.rules), dict(self.caps))

    def overlaps(self, first_year: int, last_year: int | None) -> bool:
        return (self.last_year is None or first_year <= self.last_year) and (
            last_year is None or self.first_year <= last_year
        )

    def years_text(self) -> str:
        return years_text(self.first_year, self.last_year)


def years_text(first_year: int, last_year: int | None) -> str:
    if last_year is None:
        return _("%(year)s onwards", year=first_year)
    if last_year == first_year:
        return str(first_year)
    return f"{first_year}–{last_year}"


def _year(text: str, *, optional: bool = False) -> int | None:
    text = text.strip()
    if not text and optional:
        return None
    if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise ValueError(_("%(value)s is not a year.", value=text or "—"))
    return int(text)


def _number(text: str, name: str, *, optional: bool = False) -> Decimal | None:
    text = text.strip()
    if not text and optional:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or abs(value) > MAX_POINTS:
        raise ValueError(_("%(name)s must be a number, not %(value)s.", name=name, value=text))
    return value.quantize(Decimal("0.01"))


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and cells[0].strip().lower() in {"year_from", "起始年度", "年度"}


def _read_line(number: int, cells: list[str], versions: dict, problems: list[Problem]) -> None:
    if len(cells) != len(COLUMNS):
        problems.append(
            Problem(
                number,
                _(
                    "%(n)s columns expected: %(columns)s.",
                    n=len(COLUMNS),
                    columns=",".join(COLUMNS),
                ),
            )
        )
        return
    cells = [cell.strip() for cell in cells]
    year_from, year_to, base, category, cap, event, points = cells
    try:
        first = _year(year_from)
        last = _year(year_to, optional=True)
        if last is not None and last < first:
            raise ValueError(_("The last year is before the first year."))
        base_value = _number(base, _("The base score"), optional=True)
        if base_value is not None and base_value < 0:
            raise ValueError(_("The base score must not be below zero."))
        cap_value = _number(cap, _("The cap"), optional=True)
        if cap_value is not None and cap_value < 0:
            raise ValueError(
                _("The cap of %(category)s must not be below zero.", category=category)
            )
        if event not in EVENTS:
            raise ValueError(
                _(
                    "Unknown event %(event)s; known events: %(known)s.",
                    event=event or "—",
                    known=", ".join(EVENTS),
                )
            )
        if not category or len(category) > MAX_CATEGORY:
            raise ValueError(_("Give a category (at most %(n)s characters).", n=MAX_CATEGORY))
        points_value = _number(points, _("The points"))
    except ValueError as error:
        problems.append(Problem(number, str(error)))
        return
    key = (first, last)
    version = versions.get(key)
    if version is None:
        if base_value is None:
            problems.append(Problem(number, _("Give the version's base score.")))
            return
        version = versions[key] = Version(first, last, base_value, number)
    elif base_value is not None and base_value != version.base:
        problems.append(
            Problem(number, _("The base score differs from line %(n)s.", n=version.line))
        )
        return
    if any(rule.event == event for rule in version.rules):
        problems.append(
            Problem(
                number,
                _(
                    "Event %(event)s appears twice in version %(years)s.",
                    event=event,
                    years=version.years_text(),
                ),
            )
        )
        return
    if cap_value is not None:
        if version.caps.get(category, cap_value) != cap_value:
            problems.append(
                Problem(
                    number,
                    _("The cap of %(category)s differs from an earlier line.", category=category),
                )
            )
            return
        version.caps[category] = cap_value
    version.rules.append(Rule(event, category, points_value))


def _check_overlaps(versions: list[Version], problems: list[Problem]) -> None:
    for index, version in enumerate(versions):
        for earlier in versions[:index]:
            if earlier.overlaps(version.first_year, version.last_year):
                problems.append(
                    Problem(
                        version.line,
                        _(
                            "Version %(years)s overlaps version %(other)s of line %(n)s.",
                            years=version.years_text(),
                            other=earlier.years_text(),
                            n=earlier.line,
                        ),
                    )
                )


def parse_rules(text: str) -> list[Version]:
    """The file's versions, oldest first; RuleFileError listing every problem otherwise."""
    problems: list[Problem] = []
    versions: dict[tuple, Version] = {}
    rows = list(csv.reader(text.splitlines()))
    if len(rows) > MAX_LINES:
        raise RuleFileError([Problem(None, _("At most %(n)s lines.", n=MAX_LINES))])
    for number, cells in enumerate(rows, start=1):
        if not cells or not "".join(cells).strip() or cells[0].lstrip().startswith("#"):
            continue
        if _is_header(cells):
            continue
        _read_line(number, cells, versions, problems)
    ordered = sorted(versions.values(), key=lambda v: v.first_year)
    _check_overlaps(ordered, problems)
    if not ordered and not problems:
        problems.append(Problem(None, _("The file has no rules.")))
    if problems:
        raise RuleFileError(sorted(problems, key=lambda p: p.line or 0))
    return ordered


def as_csv(versions) -> str:
    """Stored versions (AssessmentRuleSet rows) back as a rule file, for editing."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for rule_set in versions:
        caps = {cap.category: cap.cap for cap in rule_set.caps}
        last = "" if rule_set.last_year is None else str(rule_set.last_year)
        for rule in rule_set.rules:
            cap = caps.get(rule.category)
            writer.writerow(
                [
                    rule_set.first_year,
                    last,
                    _plain(rule_set.base_score),
                    rule.category,
                    "" if cap is None else _plain(cap),
                    rule.event,
                    _plain(rule.points),
                ]
            )
    return out.getvalue()


def _plain(value) -> str:
    return format(Decimal(str(value)).normalize(), "f")
