"""序时进度: how far along a work item should be today, how far it is, and its light — pure.

No Flask, no database: `schedule_status()` takes plain values, so the item pages, the API,
the roll-ups and `tracker.schedule_query` (which computes the same light in SQL) share one
definition. The rules, in order:

- **expected** progress today: with an approved (verified) milestone plan, the sum of the
  weights of the milestones planned on or before today (basis "milestones"); otherwise the
  straight line from start to due date, `100 * (today - start) // (due - start)` in whole
  days, 0 on or before the start, 100 on or after the due date (basis "linear"). No due
  date: 0. No start date: the due date stands in (0 until due, then 100).
- **actual** progress: the larger of the latest verified report's progress and the summed
  weights of the milestones the office has verified as reached (both verified by the office).
- **lag** = expected − actual (points; negative: ahead of time).
- **light**, first rule that applies: `done` (completed or retired: no longer measured);
  `red` (open and past its due date); `grey` (no verified report, no verified milestone and
  less than one reporting period since the start, or not started yet); `red` (lag > red
  threshold); `yellow` (lag ≥ yellow threshold); `green`.
- **klass** (the offices' three classes): `behind` 欠进度 when the light is yellow or red
  (lag ≥ yellow threshold, or overdue), `ahead` 超进度 when lag < 0, `on_track` 达进度 when
  0 ≤ lag < yellow threshold; None for done and grey (not judged).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

LIGHTS = ("green", "yellow", "red", "grey", "done")
BASES = ("milestones", "linear")
KLASSES = ("ahead", "on_track", "behind")

# Days in one reporting period of a plan's frequency: the longest such period, so an item
# is not judged before its first report could be verified.
PERIOD_DAYS = {"monthly": 31, "quarterly": 92}
DEFAULT_PERIOD_DAYS = PERIOD_DAYS["quarterly"]


def period_days(frequency: str | None) -> int:
    """The length of one reporting period of a plan with this frequency."""
    return PERIOD_DAYS.get(frequency or "", DEFAULT_PERIOD_DAYS)


@dataclass(frozen=True)
class Step:
    """One milestone of an approved plan: planned date, weight, whether verified reached."""

    planned: date
    weight: int
    reached: bool = False


@dataclass(frozen=True)
class ScheduleStatus:
    expected: int
    actual: int
    lag: int
    light: str
    basis: str
    klass: str | None

    def as_dict(self) -> dict:
        """The API's `schedule` object."""
        return {
            "expected": self.expected,
            "actual": self.actual,
            "lag": self.lag,
            "light": self.light,
            "basis": self.basis,
        }


def linear_expected(start: date | None, due: date | None, today: date) -> int:
    """The straight line from start (0) to due date (100), in whole points, rounded down."""
    if due is None:
        return 0
    start = start or due
    if today >= due:
        return 100
    if today <= start:
        return 0
    return 100 * (today - start).days // (due - start).days


def schedule_status(
    *,
    start: date | None,
    due: date | None,
    today: date,
    closed: bool,
    verified_progress: int | None,
    milestones: Sequence[Step] = (),
    period: int = DEFAULT_PERIOD_DAYS,
    yellow: int = 10,
    red: int = 30,
) -> ScheduleStatus:
    """The schedule status of one item (see the module docstring for the rules).

    `closed`: completed or retired. `verified_progress`: the latest verified report's
    progress, None when no report has been verified. `milestones`: the steps of the item's
    approved milestone plan (empty: none approved). `period`: days in one reporting period.
    """
    if milestones:
        basis = "milestones"
        expected = sum(m.weight for m in milestones if m.planned <= today)
    else:
        basis = "linear"
        expected = linear_expected(start, due, today)
    reached = sum(m.weight for m in milestones if m.reached)
    actual = max(verified_progress or 0, reached)
    lag = expected - actual
    light = _light(start, due, today, closed, verified_progress, reached, lag, period, yellow, red)
    return ScheduleStatus(expected, actual, lag, light, basis, klass_of(light, lag))


def _light(start, due, today, closed, verified_progress, reached, lag, period, yellow, red):
    if closed:
        return "done"
    if due is not None and today > due:
        return "red"
    begins = start or due
    if (
        verified_progress is None
        and reached == 0
        and begins is not None
        and (today - begins).days < period
    ):
        return "grey"
    if lag > red:
        return "red"
    if lag >= yellow:
        return "yellow"
    return "green"


def klass_of(light: str, lag: int) -> str | None:
    """超进度 `ahead` / 达进度 `on_track` / 欠进度 `behind`; None when not judged."""
    if light in ("done", "grey"):
        return None
    if light in ("yellow", "red"):
        return "behind"
    return "ahead" if lag < 0 else "on_track"


def milestone_problems(
    steps: Sequence[tuple[str, date | None, int | None]],
    start: date | None,
    due: date | None,
) -> dict[str, list[int] | bool]:
    """What is wrong with a proposed milestone plan of (title, planned date, weight) steps.

    Keys: "empty", "title", "date", "weight" (lists of 0-based step numbers),
    "before_start", "after_due", "order" (steps out of date order), "sum" (weights do not
    add up to 100). Empty dict: acceptable. The caller words the messages.
    """
    problems: dict[str, list[int] | bool] = {}
    if not steps:
        return {"empty": True}

    def flag(key: str, index: int) -> None:
        problems.setdefault(key, []).append(index)  # type: ignore[union-attr]

    previous = None
    for index, (title, planned, weight) in enumerate(steps):
        if not (title or "").strip():
            flag("title", index)
        if weight is None or isinstance(weight, bool) or not 1 <= weight <= 100:
            flag("weight", index)
        if planned is None:
            flag("date", index)
            continue
        if start is not None and planned < start:
            flag("before_start", index)
        if due is not None and planned > due:
            flag("after_due", index)
        if previous is not None and planned < previous:
            flag("order", index)
        previous = planned
    if "weight" not in problems and sum(w for _t, _d, w in steps) != 100:
        problems["sum"] = True
    return problems


def default_start(plan_start_year: int | None, created: date, due: date | None = None) -> date:
    """An item's start date when none is given: the plan's start (1 January of its first
    year) or the day the item is created, whichever is later — but never after the due
    date (an item made after its deadline starts on it: all of its time has passed)."""
    start = created if plan_start_year is None else max(date(plan_start_year, 1, 1), created)
    return min(start, due) if due is not None else start
