"""Events + rules → per-department score sheets — pure, no I/O.

score = base + the sum of the lines' points. A line is one rule: how many events of its kind
the department had and the points they earned (count × points per event). A category with a
cap holds its total within −cap … +cap; when it would go past, the lines of the category give
back the excess from the last rule up, so every line shows the points that really count and
base + Σ points == score always holds (the sheet, the export and `assessment score --json`
print the same lines). Departments with equal scores share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")


def as_points(value) -> Decimal:
    """A number of points as an exact Decimal with two places (floats via their text)."""
    if isinstance(value, Decimal):
        return value.quantize(CENT)
    return Decimal(str(value)).quantize(CENT)


@dataclass(frozen=True)
class Event:
    """Something a department did (or failed to do) that a rule may score.

    `source` is what it is counted on ("report", "item", "indicator") and `source_id` that
    row's id, so a sheet line leads back to the rows behind it; `label` names it for people
    (item code and period)."""

    department_id: int
    kind: str
    source: str
    source_id: int
    label: str = ""


@dataclass(frozen=True)
class Rule:
    event: str
    category: str
    points: Decimal


@dataclass(frozen=True)
class RuleBook:
    """One version of the rules as pure data."""

    base: Decimal
    rules: tuple[Rule, ...]
    caps: Mapping[str, Decimal] = field(default_factory=dict)

    def rule_for(self, event: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.event == event), None)


@dataclass
class Line:
    rule: Rule
    count: int
    raw_points: Decimal  # count × points, before the category cap
    points: Decimal  # what counts
    events: list[Event] = field(default_factory=list)

    @property
    def capped(self) -> bool:
        return self.points != self.raw_points


@dataclass
class Sheet:
    department_id: int
    name: str
    base: Decimal
    lines: list[Line]
    rank: int = 0

    @property
    def score(self) -> Decimal:
        return self.base + sum((line.points for line in self.lines), Decimal(0))


def _apply_cap(lines: list[Line], cap: Decimal) -> None:
    """Hold the lines' total within ±cap: the excess is taken back from the last line of
    the same sign upwards (a line never changes sign)."""
    total = sum((line.points for line in lines), Decimal(0))
    bounded = max(-cap, min(cap, total))
    excess = total - bounded
    for line in reversed(lines):
        if not excess:
            break
        if line.points * excess <= 0:  # other sign (or zero): it did not cause the excess
            continue
        take = excess if abs(excess) <= abs(line.points) else line.points
        line.points -= take
        excess -= take


def department_lines(events: Iterable[Event], book: RuleBook) -> list[Line]:
    """One department's lines, in the order of the rules; rules without events are left
    out. Events of a kind no rule scores are ignored."""
    by_kind: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_kind[event.kind].append(event)
    lines = []
    for rule in book.rules:
        found = by_kind.get(rule.event)
        if not found:
            continue
        raw = rule.points * len(found)
        lines.append(Line(rule, len(found), raw, raw, found))
    by_category: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_category[line.rule.category].append(line)
    for category, category_lines in by_category.items():
        cap = book.caps.get(category)
        if cap is not None:
            _apply_cap(category_lines, cap)
    return lines


def rank_sheets(sheets: list[Sheet]) -> list[Sheet]:
    """Best score first; equal scores share a rank and the next rank skips (1, 2, 2, 4);
    within a rank, by name."""
    ordered = sorted(sheets, key=lambda sheet: (-sheet.score, sheet.name, sheet.department_id))
    previous = None
    for position, sheet in enumerate(ordered, start=1):
        if previous is None or sheet.score != previous.score:
            sheet.rank = position
        else:
            sheet.rank = previous.rank
        previous = sheet
    return ordered


def score_sheets(
    events: Iterable[Event], book: RuleBook, departments: Mapping[int, str]
) -> list[Sheet]:
    """A ranked sheet for every department in `departments` (id → name) that had something
    to be assessed on: at least one event, scored by a rule or not. A department that led no
    item and received nothing in the period is not ranked (at the base score it would top
    the list above every department that worked). Events of departments not listed are
    ignored (an inactive department, the office)."""
    by_department: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        if event.department_id in departments:
            by_department[event.department_id].append(event)
    sheets = [
        Sheet(department_id, name, book.base, department_lines(by_department[department_id], book))
        for department_id, name in departments.items()
        if by_department.get(department_id)
    ]
    return rank_sheets(sheets)


def number(value: Decimal) -> int | float:
    """JSON-friendly: 100 rather than 100.00, 99.5 as 99.5."""
    return int(value) if value == value.to_integral_value() else float(value)


def sheet_json(sheet: Sheet) -> dict:
    """The command's and the API's shape of a sheet."""
    return {
        "department": sheet.name,
        "score": number(sheet.score),
        "rank": sheet.rank,
        "lines": [
            {"rule": line.rule.event, "count": line.count, "points": number(line.points)}
            for line in sheet.lines
        ],
    }
