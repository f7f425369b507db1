"""签收: a new or re-assigned item is acknowledged by its lead department within
ACK_WORKING_DAYS, or the department asks the office for another lead; the bad input the
issue lists answers 403/404/409/422 and changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import login_as
from tests.items_support import (
    NOW,
    Scene,
    pinned_today,  # noqa: F401
)
from tracker.extensions import db
from tracker.models import AuditEvent, ItemAssignment, Notice, WorkItem


def _conforms(body: dict, name: str) -> None:
    from jsonschema import Draft202012Validator, FormatChecker

    from tracker.api.schemas import SCHEMAS

    schema = {"$ref": f"#/components/schemas/{name}", "components": {"schemas": SCHEMAS}}
    errors = list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(body))
    assert not errors, errors[:3]


def _token(user) -> dict:
    from tracker.api.tokens import create_token

    _row, text = create_token(None, user, name="test")
    db.session.commit()
    return {"Authorization": f"Bearer {text}"}


@pytest.fixture
def scene(app):
    scene = Scene()
    db.session.commit()
    return scene


def _world() -> tuple:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(AuditEvent.id))),
        db.session.scalar(select(func.count(Notice.id))),
        sorted(
            (a.id, a.state, a.department_id) for a in db.session.scalars(select(ItemAssignment))
        ),
        sorted(
            (i.id, i.lead_department_id, i.version) for i in db.session.scalars(select(WorkItem))
        ),
    )


def _assignments(item_id: int) -> list[tuple[int, str]]:
    db.session.expire_all()
    return [
        (a.department_id, a.state)
        for a in db.session.scalars(
            select(ItemAssignment)
            .where(ItemAssignment.item_id == item_id)
            .order_by(ItemAssignment.id)
        )
    ]


def test_a_new_item_waits_for_its_lead_to_acknowledge(scene):
    row = db.session.scalar(select(ItemAssignment).where(ItemAssignment.item_id == scene.item.id))
    assert row.state == "pending" and row.department_id == scene.lead_dept.id
    # Created on Friday 27 November 2026: three working days → Wednesday 2 December.
    assert row.ack_due == date(2026, 12, 2)


def test_acknowledge_over_the_api_then_a_second_time_is_409(client, scene):
    headers = _token(scene.lead)
    url = f"/api/v1/items/{scene.item.id}/acknowledge"
    first = client.post(url, headers=headers)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["state"] == "acknowledged"
    _conforms(first.get_json(), "Assignment")
    before = _world()
    second = client.post(url, headers=headers)
    assert second.status_code == 409
    assert "error" in second.get_json()
    assert _world() == before


@pytest.mark.parametrize(("who", "status"), [("other", 404), ("co", 403), ("office", 403)])
def test_only_the_lead_department_acknowledges(client, scene, who, status):
    headers = _token(getattr(scene, who))
    before = _world()
    response = client.post(f"/api/v1/items/{scene.item.id}/acknowledge", headers=headers)
    assert response.status_code == status
    request = client.post(
        f"/api/v1/items/{scene.item.id}/reassignment-requests",
        json={"reason": "职责不符"},
        headers=headers,
    )
    assert request.status_code == status
    assert _world() == before


def test_reassignment_to_the_same_department_is_422(client, scene):
    headers = _token(scene.lead)
    before = _world()
    response = client.post(
        f"/api/v1/items/{scene.item.id}/reassignment-requests",
        json={"reason": "职责不符", "department_id": scene.lead_dept.id},
        headers=headers,
    )
    assert response.status_code == 422
    blank = client.post(
        f"/api/v1/items/{scene.item.id}/reassignment-requests",
        json={"reason": "   ", "department_id": scene.co_dept.id},
        headers=headers,
    )
    assert blank.status_code == 422
    assert _world() == before


def test_office_approves_a_change_and_the_new_lead_must_acknowledge(client, scene):
    response = client.post(
        f"/api/v1/items/{scene.item.id}/reassignment-requests",
        json={"reason": "该事项主要由配合局负责", "department_id": scene.co_dept.id},
        headers=_token(scene.lead),
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["state"] == "change_requested"
    _conforms(response.get_json(), "Assignment")
    assert db.session.scalar(
        select(func.count(Notice.id)).where(
            Notice.user_id == scene.office.id, Notice.kind == "reassignment_requested"
        )
    )
    login_as(client, scene.office)
    page = client.get("/assignments").get_data(as_text=True)
    assert "该事项主要由配合局负责" in page and "decide-form" in page
    done = client.post(
        f"/items/{scene.item.id}/reassignment/decide",
        data={"decision": "approve", "lead_department_id": "0", "comment": ""},
    )
    assert done.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(WorkItem, scene.item.id).lead_department_id == scene.co_dept.id
    assert _assignments(scene.item.id) == [
        (scene.lead_dept.id, "reassigned"),
        (scene.co_dept.id, "pending"),
    ]


def test_office_refuses_with_a_reason_and_the_lead_still_acknowledges(client, scene):
    from tracker.signoff.acknowledge import request_reassignment

    with client.application.test_request_context():
        request_reassignment(scene.lead, scene.item, reason="不属于本单位职责", now=NOW)
        db.session.commit()
    login_as(client, scene.office)
    before = _world()
    empty = client.post(
        f"/items/{scene.item.id}/reassignment/decide",
        data={"decision": "refuse", "lead_department_id": "0", "comment": " "},
    )
    assert empty.status_code == 422
    assert _world() == before
    refused = client.post(
        f"/items/{scene.item.id}/reassignment/decide",
        data={"decision": "refuse", "lead_department_id": "0", "comment": "市政府已明确由你局牵头"},
    )
    assert refused.status_code in (302, 303)
    assert _assignments(scene.item.id) == [(scene.lead_dept.id, "pending")]
    login_as(client, scene.lead)
    ack = client.post(f"/items/{scene.item.id}/acknowledge")
    assert ack.status_code in (302, 303)
    assert _assignments(scene.item.id) == [(scene.lead_dept.id, "acknowledged")]


def test_reassigning_directly_supersedes_and_asks_again(client, scene):
    from tracker.items.operations import assign_item

    with client.application.test_request_context():
        assign_item(
            scene.office,
            scene.item,
            expected_version=None,
            lead_department_id=scene.other_dept.id,
            co_department_ids=[scene.co_dept.id],
            now=NOW,
        )
        db.session.commit()
    assert _assignments(scene.item.id) == [
        (scene.lead_dept.id, "superseded"),
        (scene.other_dept.id, "pending"),
    ]


def test_homes_and_list_show_open_assignments(client, scene):
    login_as(client, scene.lead)
    page = client.get("/assignments")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert scene.item.code in text and "signoff/items" not in text
    login_as(client, scene.other)
    assert scene.item.code not in client.get("/assignments").get_data(as_text=True)


def test_office_and_liaison_homes_list_open_assignments(client, scene):
    for user in (scene.office, scene.lead):
        login_as(client, user)
        home = client.get("/", follow_redirects=True).get_data(as_text=True)
        assert 'id="unacknowledged"' in home and scene.item.code in home
    login_as(client, scene.lead)
    client.post(f"/items/{scene.item.id}/acknowledge")
    home = client.get("/my").get_data(as_text=True)
    assert 'id="unacknowledged"' not in home


@pytest.mark.today("2026-12-02")
def test_liaisons_are_reminded_from_the_ack_day_once_a_day(app, scene):
    from tracker.notify.jobs import remind

    def ours(planned):
        return [d for d in planned.drafts if d.dedupe_key.startswith("ack:")]

    assert not ours(remind(date(2026, 12, 1)))
    db.session.commit()
    due = ours(remind(date(2026, 12, 2)))
    assert len(due) == 1 and due[0].to == [scene.lead.email]
    assert scene.item.code in due[0].items
    db.session.commit()
    assert not ours(remind(date(2026, 12, 2)))  # a re-run the same day


def _statements(app, client, scene, count: int, url: str) -> int:
    from bench.pages import capture_sql
    from tests.items_support import make_item

    for n in range(count):
        make_item(scene.plan, scene.lead_dept, [scene.co_dept], code=f"六.{count}.{n}")
    db.session.commit()
    client.get(url)
    with app.app_context():
        engine = db.engine
    with capture_sql(engine) as capture:
        assert client.get(url).status_code == 200
    return capture.count


@pytest.mark.parametrize(
    ("who", "url"),
    [("office", "/assignments"), ("lead", "/assignments"), ("office", "/office"), ("lead", "/my")],
)
def test_pages_query_count_does_not_grow(app, client, scene, who, url):
    login_as(client, getattr(scene, who))
    small = _statements(app, client, scene, 2, url)
    assert small == _statements(app, client, scene, 9, url)
