"""Reports through the API: the period's draft, editing, submit, verify, return — each one
call to the items/review operations, so permissions, versions and the audit trail hold."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.api_support import seed_api
from tracker.extensions import db
from tracker.models import AuditEvent, Notice, Report, WorkItem


@pytest.fixture
def seed(app, monkeypatch):
    return seed_api(app, monkeypatch)


def _post(client, url, body, who, seed):
    return client.post(url, json=body, headers=seed.auth(who))


def test_report_shape(client, seed):
    response = client.get(f"/api/v1/reports/{seed.report_a.id}", headers=seed.auth("liaison_a"))
    assert response.status_code == 200
    report = response.get_json()
    for key in (
        "id",
        "item_id",
        "period",
        "state",
        "narrative",
        "progress",
        "completes",
        "review_comment",
        "version",
    ):
        assert key in report
    assert report["state"] == "draft" and report["progress"] == 40


def test_item_reports_list_follows_visibility(client, seed):
    url = f"/api/v1/items/{seed.item_a.id}/reports"
    assert len(client.get(url, headers=seed.auth("liaison_b")).get_json()["items"]) == 1
    url_b = f"/api/v1/items/{seed.item_b.id}/reports"
    assert client.get(url_b, headers=seed.auth("liaison_a")).status_code == 404
    other = f"/api/v1/reports/{seed.report_a.id}"
    outsider_seed_user = client.get(other, headers=seed.auth("liaison_b"))
    assert outsider_seed_user.status_code == 200  # co-department may read it


def test_full_review_cycle(client, seed):
    rid = seed.report_a.id
    edited = client.patch(
        f"/api/v1/reports/{rid}",
        json={"version": 1, "narrative": "完成了抽查", "progress": 60},
        headers=seed.auth("liaison_a"),
    )
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["version"] == 2
    submitted = _post(client, f"/api/v1/reports/{rid}/submit", {"version": 2}, "liaison_a", seed)
    assert submitted.status_code == 200, submitted.get_json()
    assert submitted.get_json()["state"] == "submitted"
    returned = _post(
        client,
        f"/api/v1/reports/{rid}/return",
        {"version": 3, "reason": "请补充证明材料"},
        "office",
        seed,
    )
    assert returned.status_code == 200
    body = returned.get_json()
    assert body["state"] == "returned" and body["review_comment"] == "请补充证明材料"
    again = _post(client, f"/api/v1/reports/{rid}/submit", {"version": 4}, "liaison_a", seed)
    assert again.status_code == 200
    verified = _post(client, f"/api/v1/reports/{rid}/verify", {"version": 5}, "office", seed)
    assert verified.status_code == 200
    assert verified.get_json()["state"] == "verified"
    item = client.get(f"/api/v1/items/{seed.item_a.id}", headers=seed.auth("office")).get_json()
    assert item["progress"] == 60 and item["state"] == "verified"
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "report")
    ).all()
    assert actions.count("report.submitted") == 2
    assert "report.returned" in actions and "report.verified" in actions


def test_return_needs_a_reason(client, seed):
    rid = seed.report_a.id
    _post(client, f"/api/v1/reports/{rid}/submit", {"version": 1}, "liaison_a", seed)
    response = _post(client, f"/api/v1/reports/{rid}/return", {"version": 2}, "office", seed)
    assert response.status_code == 422
    assert "reason" in response.get_json()["error"]["fields"]
    blank = _post(
        client, f"/api/v1/reports/{rid}/return", {"version": 2, "reason": "  "}, "office", seed
    )
    assert blank.status_code == 422
    db.session.expire_all()
    assert db.session.get(Report, rid).state == "submitted"


def test_permissions_403_404_409(client, seed):
    rid = seed.report_a.id
    # co-department liaison can see the report but may not submit it
    assert (
        _post(
            client, f"/api/v1/reports/{rid}/submit", {"version": 1}, "liaison_b", seed
        ).status_code
        == 403
    )
    # the office may not submit, and may not verify a draft (state conflict)
    assert (
        _post(client, f"/api/v1/reports/{rid}/submit", {"version": 1}, "office", seed).status_code
        == 403
    )
    assert (
        _post(client, f"/api/v1/reports/{rid}/verify", {"version": 1}, "office", seed).status_code
        == 409
    )
    # a leader reads everything and changes nothing
    assert (
        _post(client, f"/api/v1/reports/{rid}/verify", {"version": 1}, "leader", seed).status_code
        == 403
    )
    db.session.expire_all()
    assert db.session.get(Report, rid).version == 1
    assert db.session.scalar(select(func.count(Notice.id))) == 0


def test_report_of_another_department_is_404(client, seed):
    draft = _post(client, f"/api/v1/items/{seed.item_b.id}/reports", {}, "liaison_b", seed)
    assert draft.status_code == 201, draft.get_json()
    rid = draft.get_json()["id"]
    for method, url in [
        ("GET", f"/api/v1/reports/{rid}"),
        ("PATCH", f"/api/v1/reports/{rid}"),
        ("POST", f"/api/v1/reports/{rid}/submit"),
    ]:
        response = client.open(
            url, method=method, json={"version": 1}, headers=seed.auth("liaison_a")
        )
        assert response.status_code == 404, (method, url)


def test_create_the_periods_draft_once(client, seed):
    url = f"/api/v1/items/{seed.item_overdue.id}/reports"
    created = _post(client, url, {"narrative": "开始", "progress": 10}, "liaison_a", seed)
    assert created.status_code == 201, created.get_json()
    report = created.get_json()
    assert report["state"] == "draft" and report["progress"] == 10
    assert created.headers["Location"].endswith(f"/api/v1/reports/{report['id']}")
    again = _post(client, url, {}, "liaison_a", seed)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invalid_transition"
    unknown = _post(client, url, {"period": "1999Q1"}, "liaison_a", seed)
    assert unknown.status_code == 422 and "period" in unknown.get_json()["error"]["fields"]
    assert _post(client, url, {}, "leader", seed).status_code == 403
    # The office may 代报, but not a second report for the period.
    assert _post(client, url, {}, "office", seed).status_code == 409


def test_stale_report_edit_is_409(client, seed):
    rid = seed.report_a.id
    ok = client.patch(
        f"/api/v1/reports/{rid}",
        json={"version": 1, "progress": 50},
        headers=seed.auth("liaison_a"),
    )
    assert ok.status_code == 200
    stale = client.patch(
        f"/api/v1/reports/{rid}",
        json={"version": 1, "progress": 70},
        headers=seed.auth("liaison_a"),
    )
    assert stale.status_code == 409
    assert stale.get_json()["error"]["current_version"] == 2
    db.session.expire_all()
    assert db.session.get(Report, rid).progress == 50


def test_completing_report_closes_the_item(client, seed):
    rid = seed.report_a.id
    client.patch(
        f"/api/v1/reports/{rid}",
        json={"version": 1, "progress": 100, "completes": True},
        headers=seed.auth("liaison_a"),
    )
    _post(client, f"/api/v1/reports/{rid}/submit", {"version": 2}, "liaison_a", seed)
    assert (
        _post(
            client,
            f"/api/v1/reports/{rid}/verify",
            {"version": 3, "comment": "同意销号"},
            "office",
            seed,
        ).status_code
        == 200
    )
    db.session.expire_all()
    assert db.session.get(WorkItem, seed.item_a.id).status == "completed"
