"""Coordination requests (协调事项): opened by verified reports, listed, resolved once."""

import pytest

from tests.conftest import login_as
from tests.items_support import NOW, Scene, make_item, make_report, pinned_today  # noqa: F401
from tracker.coordination.operations import resolve_coordination
from tracker.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.models import AuditEvent, CoordinationRequest, Notice
from tracker.review.operations import verify_report


@pytest.fixture
def scene(app):
    with app.test_request_context():
        scene = Scene()
        scene.report = make_report(
            scene.item,
            scene.lead,
            scene.focus,
            "verified",
            office=scene.office,
            narrative="本期进展",
            sections={"support_needed": "  请协调用地指标  "},
        )
        scene.quiet = make_report(  # no 需协调事项: opens nothing
            scene.item, scene.lead, scene.periods["2026Q3"], "verified", office=scene.office
        )
        db.session.commit()
    return scene


def _request():
    return db.session.query(CoordinationRequest).one()


def test_verifying_a_report_with_support_needed_opens_one_request(scene, db_session):
    request = _request()
    assert (request.state, request.text, request.department_id, request.report_id) == (
        "open",
        "请协调用地指标",
        scene.lead_dept.id,
        scene.report.id,
    )
    opened = db_session.query(AuditEvent).filter_by(action="coordination.opened").one()
    assert opened.object_id == request.id and opened.actor_id == scene.office.id
    verified = db_session.query(AuditEvent).filter_by(action="report.verified").all()
    assert [e.after.get("coordination_id") for e in verified].count(request.id) == 1
    kinds = {n.user_id for n in db_session.query(Notice).filter_by(kind="coordination_opened")}
    assert kinds == {scene.office.id, scene.office2.id}


def test_a_submitted_report_opens_nothing_until_verified(app, db_session):
    with app.test_request_context():
        scene = Scene("2")
        report = make_report(
            scene.item, scene.lead, scene.focus, "submitted", sections={"support_needed": "要"}
        )
        assert db_session.query(CoordinationRequest).count() == 0
        verify_report(scene.office, report, expected_version=report.version, now=NOW)
        assert db_session.query(CoordinationRequest).count() == 1


def test_resolving_needs_a_note_and_happens_once(scene, db_session):
    request = _request()
    with pytest.raises(ValidationFailed) as error:
        resolve_coordination(scene.office, request, resolution="  \n ", now=NOW)
    assert "resolution" in error.value.errors
    db_session.refresh(request)
    assert request.state == "open" and request.resolution is None
    resolve_coordination(scene.office, request, resolution=" 已协调自然资源局 ", now=NOW)
    assert (request.state, request.resolution, request.resolved_by_id, request.resolved_at) == (
        "resolved",
        "已协调自然资源局",
        scene.office.id,
        NOW,
    )
    with pytest.raises(InvalidTransition):
        resolve_coordination(scene.office2, request, resolution="再次", now=NOW)
    db_session.refresh(request)
    assert request.resolution == "已协调自然资源局" and request.resolved_by_id == scene.office.id
    events = db_session.query(AuditEvent).filter_by(action="coordination.resolved").all()
    assert len(events) == 1 and events[0].comment == "已协调自然资源局"
    told = {n.user_id for n in db_session.query(Notice).filter_by(kind="coordination_resolved")}
    assert told == {scene.lead.id}


def test_only_the_office_resolves(scene, db_session):
    request = _request()
    with pytest.raises(PermissionDenied):
        resolve_coordination(scene.leader, request, resolution="批示", now=NOW)
    with pytest.raises(NotFound):  # another department's request is as if missing
        resolve_coordination(scene.other, request, resolution="x", now=NOW)
    with pytest.raises(PermissionDenied):  # the asking department does not resolve its own
        resolve_coordination(scene.lead, request, resolution="x", now=NOW)
    db_session.refresh(request)
    assert request.state == "open"


# --- the page ------------------------------------------------------------------------------


def test_list_page_for_office_and_leaders_with_filters(client, scene):
    login_as(client, scene.leader)
    page = client.get("/coordination").get_data(as_text=True)
    assert "请协调用地指标" in page and "resolve-form" not in page  # leaders read only
    home = client.get("/dashboard/").get_data(as_text=True)
    assert 'id="coordination-link"' in home and "<strong>1</strong>" in home
    login_as(client, scene.office)
    page = client.get("/coordination").get_data(as_text=True)
    assert "请协调用地指标" in page and "resolve-form" in page
    assert "请协调用地指标" not in client.get("/coordination?state=resolved").get_data(as_text=True)
    other = client.get(f"/coordination?state=all&department={scene.other_dept.id}")
    assert other.status_code == 200 and "请协调用地指标" not in other.get_data(as_text=True)
    own = client.get(f"/coordination?state=all&department={scene.lead_dept.id}")
    assert "请协调用地指标" in own.get_data(as_text=True)
    assert client.get("/coordination?department=abc&page=x").status_code == 200
    office_home = client.get("/office").get_data(as_text=True)
    assert "/coordination" in office_home
    login_as(client, scene.lead)
    assert client.get("/coordination").status_code == 403


def test_resolve_through_the_page(client, scene):
    request_id = _request().id
    url = f"/coordination/{request_id}/resolve"
    login_as(client, scene.leader)
    assert client.post(url, data={"resolution": "批示"}).status_code == 403
    login_as(client, scene.office)
    empty = client.post(url, data={"resolution": "   "})
    assert empty.status_code == 422 and "invalid-feedback" in empty.get_data(as_text=True)
    db.session.expire_all()
    assert _request().state == "open"
    done = client.post(url, data={"resolution": "已协调"})
    assert done.status_code == 302
    again = client.post(url, data={"resolution": "再次"})
    assert again.status_code == 409
    db.session.expire_all()
    assert (_request().state, _request().resolution) == ("resolved", "已协调")
    assert client.post("/coordination/999999/resolve", data={"resolution": "x"}).status_code == 404


def test_pages_list_open_ones_first_then_newest(app, scene):
    """The page window is chosen on the table alone, then joined: order and paging hold."""
    from datetime import datetime

    from tracker.coordination.queries import coordination_page

    first = _request()
    other = make_item(scene.plan, scene.lead_dept, code="三.1.(9)")
    rows = []
    for number, key in enumerate(("2026Q1", "2026Q2", "2026Q3"), start=1):
        report = make_report(other, scene.lead, scene.periods[key], office=scene.office)
        rows.append(
            CoordinationRequest(
                item_id=other.id,
                report_id=report.id,
                department_id=scene.lead_dept.id,
                text=f"事项{number}",
                state="resolved" if number == 3 else "open",
                created_at=datetime(2026, 1, number),
            )
        )
    db.session.add_all(rows)
    db.session.commit()
    with app.test_request_context():
        everything = coordination_page(page=1, size=10)
        assert [row.text for row in everything.items] == [
            first.text,
            "事项2",
            "事项1",
            "事项3",
        ]
        assert everything.total == 4 and everything.items[0].item.lead_department is not None
        second = coordination_page(page=2, size=3)
        assert [row.text for row in second.items] == ["事项3"] and second.pages == 2
        resolved = coordination_page(state="resolved", page=1, size=10)
        assert [row.text for row in resolved.items] == ["事项3"] and resolved.total == 1


# --- the API -------------------------------------------------------------------------------


def _token(client, user):
    from tracker.api.tokens import create_token

    _row, text = create_token(None, user, name="test")
    db.session.commit()
    return {"Authorization": f"Bearer {text}"}


def test_api_lists_and_resolves(client, scene):
    office, leader, lead = (_token(client, u) for u in (scene.office, scene.leader, scene.lead))
    listed = client.get("/api/v1/coordination?state=open", headers=leader)
    assert listed.status_code == 200
    body = listed.get_json()
    assert body["total"] == 1 and body["items"][0]["text"] == "请协调用地指标"
    assert body["items"][0]["item_code"] == scene.item.code
    assert client.get("/api/v1/coordination", headers=lead).status_code == 403
    assert client.get("/api/v1/coordination?state=closed", headers=office).status_code == 422
    request_id = body["items"][0]["id"]
    url = f"/api/v1/coordination/{request_id}/resolve"
    assert client.post(url, json={"resolution": "批示"}, headers=leader).status_code == 403
    assert client.post(url, json={"resolution": "x"}, headers=lead).status_code == 404
    blank = client.post(url, json={"resolution": "  "}, headers=office)
    assert blank.status_code == 422 and "resolution" in blank.get_json()["error"]["fields"]
    done = client.post(url, json={"resolution": "已协调"}, headers=office)
    assert done.status_code == 200 and done.get_json()["state"] == "resolved"
    assert done.get_json()["resolved_by"] == scene.office.display_name
    assert client.post(url, json={"resolution": "再"}, headers=office).status_code == 409
    resolved = client.get("/api/v1/coordination?state=resolved", headers=office).get_json()
    assert resolved["total"] == 1
