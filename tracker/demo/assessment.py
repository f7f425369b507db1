"""The demo's 考核细则 (2025, and a stricter version from 2026) and review grades on the
demo's verified reports, so score sheets for 2025 and 2026 so far have something to show."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, update

from tracker.assessment.operations import import_rules
from tracker.assessment.parsing import parse_rules
from tracker.extensions import db
from tracker.models import AssessmentRuleSet, Report
from tracker.workflow import QualityGrade, ReviewState

logger = logging.getLogger(__name__)

RULES_FILE = Path(__file__).with_name("assessment-rules.csv")
# Of every ten verified demo reports: three 优, four 良, two 中, one 差 (by id, so a rerun
# gives the same grades).
GRADE_BY_REMAINDER = {
    0: QualityGrade.EXCELLENT,
    1: QualityGrade.EXCELLENT,
    2: QualityGrade.EXCELLENT,
    3: QualityGrade.GOOD,
    4: QualityGrade.GOOD,
    5: QualityGrade.GOOD,
    6: QualityGrade.GOOD,
    7: QualityGrade.FAIR,
    8: QualityGrade.FAIR,
    9: QualityGrade.POOR,
}


def load_assessment_demo(_result, _departments, now: datetime) -> None:
    """Rules once (a database with rules of its own keeps them); grades on ungraded demo
    reports verified without one. Idempotent."""
    if not db.session.scalar(select(func.count(AssessmentRuleSet.id))):
        text = RULES_FILE.read_text(encoding="utf-8")
        import_rules(None, parse_rules(text), note="演示考核细则", now=now)
    ungraded = (
        Report.is_demo.is_(True),
        Report.state == ReviewState.VERIFIED.value,
        Report.quality_grade.is_(None),
    )
    for remainder, grade in GRADE_BY_REMAINDER.items():
        db.session.execute(
            update(Report)
            .where(*ungraded, Report.id % 10 == remainder)
            .values(quality_grade=grade.value)
            .execution_options(synchronize_session=False)
        )
    db.session.flush()
    logger.info("assessment demo: rules and review grades loaded")
