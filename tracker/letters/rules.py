"""Which supervision letters are due: pure rules over per-item facts (no database, no Flask).

Per item, each rule that fires gives a reason at a level:

- yellow 催办单: a report `yellow_days` working days late, or the item yellow on 序时进度;
- orange 督办单: a report `orange_days` working days late, the item red, or its report
  returned twice in a row;
- red 约谈/问责通知: an orange letter's reply is late, or the item is still red one period
  after it first was.

Each reason carries a `basis` (what exactly fired: the period, the revision, the letter), so a
reason the office already closed, cancelled or escalated is not raised again at that level or
below. The item's letter is at the highest level left; it is not issued while an open letter
of that level or higher covers the item (one open letter per item and level; a higher level
supersedes a lower one). Items are grouped into one letter per department and level; an open
lower letter all of whose items are now covered higher is superseded (escalated).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from tracker.workflow import LETTER_LEVEL_RANK, OPEN_LETTER_STATES, LetterLevel, LetterState

# The 文号's kind per level: 〔2026〕催办第12号.
NUMBER_KINDS = {LetterLevel.YELLOW: "催办", LetterLevel.ORANGE: "督办", LetterLevel.RED: "问责"}

LATE_REPORT = "late_report"
SCHEDULE_YELLOW = "schedule_yellow"
SCHEDULE_RED = "schedule_red"
RETURNED_TWICE = "returned_twice"
REPLY_LATE = "reply_late"
RED_FOR_A_PERIOD = "red_for_a_period"
REASON_KINDS = (LATE_REPORT, SCHEDULE_YELLOW, SCHEDULE_RED, RETURNED_TWICE, REPLY_LATE)
REASON_KINDS += (RED_FOR_A_PERIOD,)


@dataclass(frozen=True)
class Thresholds:
    yellow_days: int = 3
    orange_days: int = 10


@dataclass(frozen=True)
class ItemFacts:
    """What the rules know about one open item on the day of the run."""

    item_id: int
    code: str
    department_id: int
    title: str = ""
    late_days: int = 0  # working days its latest passed report deadline is behind, unsubmitted
    late_period_id: int | None = None
    late_period: str | None = None  # the period's label, for the letter's text
    light: str | None = None  # "green" / "yellow" / "red" on 序时进度 (issue 16), None unknown
    light_period: str | None = None  # the period the light is judged for
    red_last_period: bool = False  # red at the end of the previous period as well
    returns_in_a_row: int = 0  # the latest reviews of its reports, all "returned"
    last_return_id: int | None = None  # the revision of the latest return


@dataclass(frozen=True)
class LetterFacts:
    """A letter already on file, as far as the rules care."""

    id: int
    level: str
    department_id: int
    state: str
    item_ids: frozenset[int]
    reply_due: date
    reasons: tuple[tuple[int, str], ...] = ()  # (item_id, basis) it was issued for

    @property
    def is_open(self) -> bool:
        return LetterState(self.state) in OPEN_LETTER_STATES

    @property
    def rank(self) -> int:
        return LETTER_LEVEL_RANK[LetterLevel(self.level)]


@dataclass(frozen=True)
class Reason:
    item_id: int
    code: str
    kind: str
    basis: str
    level: str
    title: str = ""
    days: int | None = None
    period: str | None = None

    def as_json(self) -> dict:
        return {
            "item_id": self.item_id,
            "code": self.code,
            "title": self.title,
            "kind": self.kind,
            "basis": self.basis,
            "days": self.days,
            "period": self.period,
        }


@dataclass
class LetterToIssue:
    level: LetterLevel
    department_id: int
    reasons: list[Reason] = field(default_factory=list)
    supersedes: list[int] = field(default_factory=list)  # open lower letters it replaces

    @property
    def item_ids(self) -> list[int]:
        return list(dict.fromkeys(reason.item_id for reason in self.reasons))

    @property
    def codes(self) -> list[str]:
        return list(dict.fromkeys(reason.code for reason in self.reasons))

    def dedupe_key(self, today: date) -> str:
        return auto_dedupe_key(self.level, self.department_id, today)


def auto_dedupe_key(level: str, department_id: int, today: date) -> str:
    """The daily run writes at most one letter per department, level and day."""
    return f"auto:{level}:{department_id}:{today.isoformat()}"


def letter_number(year: int, level: str, serial: int) -> str:
    """〔2026〕催办第12号."""
    return f"〔{year}〕{NUMBER_KINDS[LetterLevel(level)]}第{serial}号"


def rank(level: str) -> int:
    return LETTER_LEVEL_RANK[LetterLevel(level)]


def item_reasons(
    facts: ItemFacts, open_letters: Iterable[LetterFacts], today: date, thresholds: Thresholds
) -> list[Reason]:
    """Every rule that fires for this item today, at its level."""
    found: list[Reason] = []

    def add(level: LetterLevel, kind: str, basis: str, **extra) -> None:
        found.append(
            Reason(facts.item_id, facts.code, kind, basis, level.value, facts.title, **extra)
        )

    if facts.late_period_id is not None and facts.late_days >= thresholds.yellow_days:
        level = (
            LetterLevel.ORANGE if facts.late_days >= thresholds.orange_days else LetterLevel.YELLOW
        )
        add(
            level,
            LATE_REPORT,
            f"late:{facts.late_period_id}",
            days=facts.late_days,
            period=facts.late_period,
        )
    if facts.light == "yellow":
        add(
            LetterLevel.YELLOW,
            SCHEDULE_YELLOW,
            f"light:{facts.light_period}",
            period=facts.light_period,
        )
    if facts.light == "red":
        add(
            LetterLevel.ORANGE,
            SCHEDULE_RED,
            f"light:{facts.light_period}",
            period=facts.light_period,
        )
        if facts.red_last_period:
            add(
                LetterLevel.RED,
                RED_FOR_A_PERIOD,
                f"red:{facts.light_period}",
                period=facts.light_period,
            )
    if facts.returns_in_a_row >= 2 and facts.last_return_id is not None:
        add(LetterLevel.ORANGE, RETURNED_TWICE, f"returns:{facts.last_return_id}")
    for letter in open_letters:
        if (
            letter.level == LetterLevel.ORANGE
            and letter.state == LetterState.ISSUED
            and today > letter.reply_due
        ):
            add(
                LetterLevel.RED,
                REPLY_LATE,
                f"reply:{letter.id}",
                days=(today - letter.reply_due).days,
            )
    return found


def handled_bases(letters: Iterable[LetterFacts]) -> dict[tuple[int, str], int]:
    """(item, basis) → the highest level a closed, cancelled or escalated letter answered it at:
    the same fact does not raise a letter of that level (or a lower one) again."""
    handled: dict[tuple[int, str], int] = {}
    for letter in letters:
        if letter.is_open:
            continue
        for key in letter.reasons:
            handled[key] = max(handled.get(key, 0), letter.rank)
    return handled


def letters_due(
    items: Iterable[ItemFacts],
    letters: Iterable[LetterFacts],
    today: date,
    thresholds: Thresholds | None = None,
) -> list[LetterToIssue]:
    """The letters to issue today: one per department and level, items in code order."""
    thresholds = thresholds or Thresholds()
    letters = list(letters)
    handled = handled_bases(letters)
    open_by_item: dict[int, list[LetterFacts]] = {}
    for letter in letters:
        if letter.is_open:
            for item_id in letter.item_ids:
                open_by_item.setdefault(item_id, []).append(letter)
    grouped: dict[tuple[int, LetterLevel], LetterToIssue] = {}
    covered: dict[int, int] = {}  # item → highest rank open or about to be issued
    for item_id, open_letters in open_by_item.items():
        covered[item_id] = max(letter.rank for letter in open_letters)
    for facts in sorted(items, key=lambda f: (f.department_id, f.code, f.item_id)):
        open_letters = open_by_item.get(facts.item_id, [])
        reasons = [
            reason
            for reason in item_reasons(facts, open_letters, today, thresholds)
            if handled.get((reason.item_id, reason.basis), 0) < rank(reason.level)
        ]
        if not reasons:
            continue
        top = max(rank(reason.level) for reason in reasons)
        if covered.get(facts.item_id, 0) >= top:
            continue
        level = next(lv for lv, r in LETTER_LEVEL_RANK.items() if r == top)
        letter = grouped.setdefault(
            (facts.department_id, level), LetterToIssue(level, facts.department_id)
        )
        letter.reasons.extend(reason for reason in reasons if rank(reason.level) == top)
        covered[facts.item_id] = top
    result = sorted(grouped.values(), key=lambda new: (new.department_id, -rank(new.level)))
    _supersede(result, letters, covered)
    return result


def _supersede(
    new_letters: list[LetterToIssue], letters: list[LetterFacts], covered: Mapping[int, int]
) -> None:
    """An open letter all of whose items are now covered at a higher level is superseded
    by the new letter of its department that is higher (the highest, when several)."""
    for letter in letters:
        if not letter.is_open or not letter.item_ids:
            continue
        if any(covered.get(item_id, 0) <= letter.rank for item_id in letter.item_ids):
            continue
        higher = [
            new
            for new in new_letters
            if new.department_id == letter.department_id
            and rank(new.level) > letter.rank
            and letter.item_ids & set(new.item_ids)
        ]
        if higher:
            max(higher, key=lambda new: rank(new.level)).supersedes.append(letter.id)
