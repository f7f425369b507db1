"""`flask demo`'s 考核细则: two versions, grades on verified reports, sheets for 2025 and 2026."""

from collections import Counter
from datetime import datetime

import pytest
from werkzeug.security import generate_password_hash

from tests.conftest import login_as
from tracker.assessment.sheets import build_sheets
from tracker.extensions import db
from tracker.models import AssessmentRuleSet, Report, User

NOW = datetime(2026, 11, 27, 2, 0)
pytestmark = pytest.mark.today(NOW.date().isoformat())


@pytest.fixture
def demo(app, monkeypatch):
    import tracker.admin.operations as admin_operations
    from tracker.demo import load_demo

    monkeypatch.setattr(
        admin_operations, "hash_password", lambda p: generate_password_hash(p, "pbkdf2:sha256:1")
    )
    with app.test_request_context():
        result = load_demo(now=NOW)
        db.session.commit()
    return result


def test_demo_rules_grades_and_sheets(app, client, demo):
    versions = db.session.query(AssessmentRuleSet).order_by(AssessmentRuleSet.first_year).all()
    assert [(v.first_year, v.last_year) for v in versions] == [(2025, 2025), (2026, None)]
    grades = Counter(
        r.quality_grade for r in db.session.query(Report).filter(Report.state == "verified")
    )
    assert grades["excellent"] and grades["good"] and grades["poor"] and not grades[None]
    for year in (2025, 2026):
        result = build_sheets(year, None, NOW.date(), "Asia/Shanghai")
        assert result.sheets and any(sheet.lines for sheet in result.sheets)
        scores = {sheet.score for sheet in result.sheets}
        assert len(scores) > 1  # the demo tells departments apart
    office = db.session.query(User).filter_by(username="office").one()
    login_as(client, office)
    assert client.get("/assessment/?year=2025").status_code == 200
    assert client.get("/assessment/rules").status_code == 200
    with app.test_request_context():
        from tracker.demo import load_demo

        load_demo(now=NOW)  # a rerun adds no version and changes no grade
        db.session.commit()
    assert db.session.query(AssessmentRuleSet).count() == 2
    again = Counter(
        r.quality_grade for r in db.session.query(Report).filter(Report.state == "verified")
    )
    assert again == grades
