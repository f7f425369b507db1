"""The review quality grade (优/良/中/差): given when verifying, on the page and the API."""

from __future__ import annotations

import pytest

from tests.api_support import seed_api
from tests.conftest import login_as
from tests.items_support import NOW, Scene, in_request, make_report  # noqa: F401
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.models import AuditEvent, Report
from tracker.review.operations import verify_report


@pytest.fixture
def scene(db_session):
    return Scene()


def test_verify_stores_the_grade_and_audits_it(scene):
    report = make_report(scene.item, scene.lead, scene.focus, "submitted")
    verify_report(scene.office, report, expected_version=report.version, grade="good", now=NOW)
    assert report.quality_grade == "good"
    event = db.session.query(AuditEvent).filter_by(action="report.verified").one()
    assert event.after["quality_grade"] == "good"


def test_no_grade_is_none(scene):
    report = make_report(scene.item, scene.lead, scene.focus, "submitted")
    verify_report(scene.office, report, expected_version=report.version, grade="", now=NOW)
    assert report.state == "verified" and report.quality_grade is None


def test_an_unknown_grade_writes_nothing(scene):
    report = make_report(scene.item, scene.lead, scene.focus, "submitted")
    with pytest.raises(ValidationFailed) as caught:
        verify_report(scene.office, report, expected_version=report.version, grade="A+")
    assert "grade" in caught.value.errors
    db.session.expire_all()
    assert db.session.get(Report, report.id).state == "submitted"


def test_review_page_offers_and_stores_the_grade(client, scene):
    report = make_report(scene.item, scene.lead, scene.focus, "submitted")
    login_as(client, scene.office)
    page = client.get(f"/reports/{report.id}")
    assert page.status_code == 200 and 'name="grade"' in page.get_data(as_text=True)
    answer = client.post(
        f"/reports/{report.id}/verify", data={"version": report.version, "grade": "excellent"}
    )
    assert answer.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Report, report.id)
    assert (stored.state, stored.quality_grade) == ("verified", "excellent")
    shown = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "quality-grade" in shown


def test_review_page_refuses_a_made_up_grade(client, scene):
    report = make_report(scene.item, scene.lead, scene.focus, "submitted")
    login_as(client, scene.office)
    answer = client.post(
        f"/reports/{report.id}/verify", data={"version": report.version, "grade": "superb"}
    )
    assert answer.status_code == 422
    db.session.expire_all()
    assert db.session.get(Report, report.id).state == "submitted"


@pytest.fixture
def seed(app, monkeypatch):
    return seed_api(app, monkeypatch)


def _submitted(client, seed) -> int:
    rid = seed.report_a.id
    response = client.post(
        f"/api/v1/reports/{rid}/submit", json={"version": 1}, headers=seed.auth("liaison_a")
    )
    assert response.status_code == 200, response.get_json()
    return rid


def test_api_verify_with_a_grade(client, seed):
    rid = _submitted(client, seed)
    answer = client.post(
        f"/api/v1/reports/{rid}/verify",
        json={"version": 2, "grade": "fair"},
        headers=seed.auth("office"),
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["quality_grade"] == "fair"


def test_api_refuses_an_unknown_grade(client, seed):
    rid = _submitted(client, seed)
    answer = client.post(
        f"/api/v1/reports/{rid}/verify",
        json={"version": 2, "grade": "great"},
        headers=seed.auth("office"),
    )
    assert answer.status_code == 422
    db.session.expire_all()
    assert db.session.get(Report, rid).state == "submitted"


def test_bulk_verify_gives_the_ticked_reports_one_grade(client, scene):
    first = make_report(scene.item, scene.lead, scene.focus, "submitted")
    login_as(client, scene.office)
    queue = client.get("/review").get_data(as_text=True)
    assert 'name="grade"' in queue
    answer = client.post(
        "/review/bulk-verify", data={"pick": f"{first.id}:{first.version}", "grade": "good"}
    )
    assert answer.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Report, first.id)
    assert (stored.state, stored.quality_grade) == ("verified", "good")


def test_bulk_verify_with_a_made_up_grade_verifies_nothing(client, scene):
    report = make_report(scene.item, scene.lead, scene.focus, "submitted")
    login_as(client, scene.office)
    answer = client.post(
        "/review/bulk-verify", data={"pick": f"{report.id}:{report.version}", "grade": "A+"}
    )
    assert answer.status_code == 303
    db.session.expire_all()
    assert db.session.get(Report, report.id).state == "submitted"
