"""Storing rule versions: check against the stored ones, close the open one, audit, flush."""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.assessment.parsing import Problem, RuleFileError, Version, years_text
from tracker.audit import audit
from tracker.errors import PermissionDenied
from tracker.extensions import db
from tracker.models import AssessmentCap, AssessmentRule, AssessmentRuleSet
from tracker.workflow import OFFICE_ROLES

logger = logging.getLogger(__name__)


def _require_office(actor) -> None:
    # None is the command line (whoever runs it has the server).
    if actor is not None and actor.role not in OFFICE_ROLES:
        raise PermissionDenied()


def stored_versions(*, lock: bool = False) -> list[AssessmentRuleSet]:
    query = select(AssessmentRuleSet).order_by(AssessmentRuleSet.first_year)
    query = query.options(
        selectinload(AssessmentRuleSet.rules), selectinload(AssessmentRuleSet.caps)
    )
    if lock:
        query = query.with_for_update()
    return list(db.session.scalars(query))


def rule_set_for(year: int) -> AssessmentRuleSet | None:
    """The version of the rules in force in `year`."""
    return db.session.scalar(
        select(AssessmentRuleSet)
        .where(
            AssessmentRuleSet.first_year <= year,
            (AssessmentRuleSet.last_year.is_(None)) | (AssessmentRuleSet.last_year >= year),
        )
        .order_by(AssessmentRuleSet.first_year.desc())
        .limit(1)
    )


def _plan(versions: list[Version], stored: list[AssessmentRuleSet]):
    """Which stored open version each new one closes; a problem for every other overlap.

    A new version starting after an open-ended stored one succeeds it (the stored one ends
    the year before) — that is how the rules change from next year on. Any other overlap
    would score a year by two versions, or rewrite a year already scored: refused."""
    closes: dict[int, int] = {}
    problems = []
    for version in versions:
        for rule_set in stored:
            last_year = closes.get(rule_set.id, rule_set.last_year)
            if not version.overlaps(rule_set.first_year, last_year):
                continue
            if last_year is None and rule_set.first_year < version.first_year:
                closes[rule_set.id] = version.first_year - 1
                continue
            problems.append(
                Problem(
                    version.line,
                    _(
                        "Version %(years)s overlaps the stored version %(other)s.",
                        years=version.years_text(),
                        other=years_text(rule_set.first_year, rule_set.last_year),
                    ),
                )
            )
    return closes, problems


def import_rules(
    actor, versions: list[Version], *, note: str = "", now: datetime | None = None
) -> list[AssessmentRuleSet]:
    """Store checked versions (tracker/assessment/parsing.py) all together or not at all."""
    _require_office(actor)
    now = now or clock.now()
    stored = stored_versions(lock=True)
    closes, problems = _plan(versions, stored)
    if problems:
        raise RuleFileError(problems)
    for rule_set in stored:
        if rule_set.id in closes:
            before = {"last_year": rule_set.last_year}
            rule_set.last_year = closes[rule_set.id]
            audit(
                actor,
                "assessment.rules_closed",
                rule_set,
                now,
                before=before,
                after={"last_year": rule_set.last_year},
            )
    created = []
    for version in versions:
        rule_set = AssessmentRuleSet(
            first_year=version.first_year,
            last_year=version.last_year,
            base_score=float(version.base),
            note=(note or "").strip()[:500],
            created_at=now,
            created_by_id=getattr(actor, "id", None),
        )
        rule_set.rules = [
            AssessmentRule(
                position=position,
                event=rule.event,
                category=rule.category,
                points=float(rule.points),
            )
            for position, rule in enumerate(version.rules)
        ]
        rule_set.caps = [
            AssessmentCap(category=category, cap=float(cap))
            for category, cap in sorted(version.caps.items())
        ]
        db.session.add(rule_set)
        db.session.flush()
        audit(
            actor,
            "assessment.rules_imported",
            rule_set,
            now,
            after={
                "years": version.years_text(),
                "base": float(version.base),
                "rules": {rule.event: float(rule.points) for rule in version.rules},
                "caps": {category: float(cap) for category, cap in version.caps.items()},
            },
        )
        created.append(rule_set)
    db.session.flush()
    logger.info("stored %d assessment rule versions", len(created))
    return created
