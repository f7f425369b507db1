"""A year's or a quarter's score sheets: the rules in force, the events, the pure scoring."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker.assessment.events import gather_events
from tracker.assessment.operations import rule_set_for
from tracker.assessment.scoring import Rule, RuleBook, Sheet, as_points, score_sheets
from tracker.extensions import db
from tracker.models import AssessmentRuleSet, Department
from tracker.periods import period_containing

logger = logging.getLogger(__name__)


def book_of(rule_set: AssessmentRuleSet) -> RuleBook:
    """A stored version as the pure scoring's rule book."""
    return RuleBook(
        base=as_points(rule_set.base_score),
        rules=tuple(
            Rule(rule.event, rule.category, as_points(rule.points)) for rule in rule_set.rules
        ),
        caps={cap.category: as_points(cap.cap) for cap in rule_set.caps},
    )


def date_range(year: int, quarter: int | None) -> tuple[date, date]:
    if quarter is None:
        return date(year, 1, 1), date(year, 12, 31)
    span = period_containing(date(year, 3 * quarter, 1))
    return span.start, span.end


def assessed_departments() -> dict[int, str]:
    """Every active department but the office, by name."""
    return dict(
        db.session.execute(
            select(Department.id, Department.name)
            .where(Department.active.is_(True), Department.is_office.is_(False))
            .order_by(Department.name)
        ).all()
    )


@dataclass
class ScoreSheets:
    year: int
    quarter: int | None
    first_day: date
    last_day: date
    rule_set: AssessmentRuleSet | None
    book: RuleBook | None
    sheets: list[Sheet] = field(default_factory=list)

    def for_department(self, department_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.department_id == department_id), None)


def build_sheets(year: int, quarter: int | None, today: date, timezone: str) -> ScoreSheets:
    """Ranked sheets for every assessed department; none when no rules cover the year."""
    first_day, last_day = date_range(year, quarter)
    rule_set = rule_set_for(year)
    result = ScoreSheets(year, quarter, first_day, last_day, rule_set, None)
    if rule_set is None:
        return result
    result.book = book_of(rule_set)
    events = gather_events(first_day, last_day, today, timezone, yearly=quarter is None)
    result.sheets = score_sheets(events, result.book, assessed_departments())
    return result
