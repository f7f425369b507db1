"""Work items through the API: visibility, filters, pagination, create/update for the
office, optimistic locking, bad input, and a bounded number of SQL statements."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from tests.api_support import TODAY, seed_api
from tracker.extensions import db
from tracker.models import AuditEvent, WorkItem


@pytest.fixture
def seed(app, monkeypatch):
    return seed_api(app, monkeypatch)


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [i["code"] for i in response.get_json()["items"]]


def test_item_shape(client, seed):
    response = client.get(f"/api/v1/items/{seed.item_a.id}", headers=seed.auth("office"))
    assert response.status_code == 200
    item = response.get_json()
    for key in [
        "id",
        "code",
        "title",
        "lead_department",
        "co_departments",
        "due_date",
        "status",
        "state",
        "progress",
        "overdue",
        "version",
    ]:
        assert key in item
    assert item["lead_department"] == {
        "id": seed.dept_a.id,
        "name": seed.dept_a.name,
        "short_name": "市发改委",
        "kind": "government",
        "is_office": False,
        "active": True,
    }
    assert [d["short_name"] for d in item["co_departments"]] == ["市经信局"]
    assert item["state"] == "draft"
    assert item["report_id"] == seed.report_a.id
    assert item["overdue"] is False


def test_liaisons_see_only_their_departments_items(client, seed):
    assert sorted(_codes(client.get("/api/v1/items", headers=seed.auth("liaison_a")))) == [
        "三.1.(1)",
        "三.1.(3)",
    ]
    # B co-owns item_a and leads item_b
    assert sorted(_codes(client.get("/api/v1/items", headers=seed.auth("liaison_b")))) == [
        "三.1.(1)",
        "三.1.(2)",
    ]
    assert len(_codes(client.get("/api/v1/items", headers=seed.auth("leader")))) == 3


def test_other_departments_item_is_404_like_a_missing_one(client, seed):
    response = client.get(f"/api/v1/items/{seed.item_b.id}", headers=seed.auth("liaison_a"))
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    missing = client.get("/api/v1/items/999999", headers=seed.auth("liaison_a"))
    assert missing.status_code == 404
    assert missing.get_json() == response.get_json()
    huge = client.get(f"/api/v1/items/{2**40}", headers=seed.auth("office"))
    assert huge.status_code == 404


@pytest.mark.parametrize(
    "query,expected",
    [
        ("overdue=true", ["三.1.(3)"]),
        ("overdue=false", ["三.1.(1)", "三.1.(2)"]),
        ("state=draft", ["三.1.(1)"]),
        ("state=missing", ["三.1.(2)", "三.1.(3)"]),
        ("department={b}", ["三.1.(2)"]),
        ("section={section}", ["三.1.(1)", "三.1.(2)", "三.1.(3)"]),
        ("q=(2)", ["三.1.(2)"]),
        ("due_before={today}", ["三.1.(3)"]),
        ("due_after={in40}", ["三.1.(2)"]),
    ],
)
def test_filters(client, seed, query, expected):
    today = TODAY
    query = query.format(
        b=seed.dept_b.id,
        section=seed.section.id,
        today=today.isoformat(),
        in40=(today + timedelta(days=40)).isoformat(),
    )
    response = client.get(f"/api/v1/items?{query}", headers=seed.auth("office"))
    assert _codes(response) == expected


def test_pagination(client, seed):
    response = client.get("/api/v1/items?per_page=2&page=2", headers=seed.auth("office"))
    body = response.get_json()
    assert (body["page"], body["per_page"], body["total"]) == (2, 2, 3)
    assert len(body["items"]) == 1


@pytest.mark.parametrize(
    "query,field",
    [
        ("per_page=500", "per_page"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("overdue=maybe", "overdue"),
        ("due_before=2026-13-01", "due_before"),
        ("state=lost", "state"),
        ("q=%00", "q"),
        ("department=99999999999999", "department"),
    ],
)
def test_bad_query_is_422_with_the_field(client, seed, query, field):
    response = client.get(f"/api/v1/items?{query}", headers=seed.auth("office"))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"]


# ---------------------------------------------------------------- create and update


def test_office_creates_an_item(client, seed):
    response = client.post(
        "/api/v1/items",
        json={
            "plan_id": seed.plan.id,
            "title": "新增任务",
            "code": "新1",
            "lead_department_id": seed.dept_a.id,
            "co_department_ids": [seed.dept_b.id],
            "due_date": "2027-06-30",
            "section_id": seed.section.id,
        },
        headers=seed.auth("office"),
    )
    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/items/{item['id']}")
    assert item["code"] == "新1" and item["due_date"] == "2027-06-30"
    assert item["version"] == 1
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.item_id == item["id"]))
    assert "item.created" in list(events)


def test_liaison_may_not_create_items(client, seed):
    response = client.post(
        "/api/v1/items",
        json={"plan_id": seed.plan.id, "title": "x"},
        headers=seed.auth("liaison_a"),
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_patch_updates_given_fields_and_bumps_the_version(client, seed):
    response = client.patch(
        f"/api/v1/items/{seed.item_a.id}",
        json={"version": 1, "title": "改过的标题", "due_date": None},
        headers=seed.auth("office"),
    )
    assert response.status_code == 200, response.get_json()
    item = response.get_json()
    assert item["title"] == "改过的标题" and item["due_date"] is None
    assert item["code"] == "三.1.(1)"
    assert item["version"] == 2


def test_patch_owners_and_details_in_one_request(client, seed):
    response = client.patch(
        f"/api/v1/items/{seed.item_b.id}",
        json={"version": 1, "priority": 1, "lead_department_id": seed.dept_a.id},
        headers=seed.auth("office"),
    )
    assert response.status_code == 200, response.get_json()
    item = response.get_json()
    assert item["priority"] == 1 and item["lead_department"]["id"] == seed.dept_a.id
    assert item["version"] == 3


def test_stale_version_is_409_and_the_newer_data_survives(client, seed):
    first = client.patch(
        f"/api/v1/items/{seed.item_a.id}",
        json={"version": 1, "title": "先保存"},
        headers=seed.auth("office"),
    )
    assert first.status_code == 200
    second = client.patch(
        f"/api/v1/items/{seed.item_a.id}",
        json={"version": 1, "title": "后保存"},
        headers=seed.auth("admin"),
    )
    assert second.status_code == 409
    error = second.get_json()["error"]
    assert error["code"] == "stale_version" and error["current_version"] == 2
    db.session.expire_all()
    assert db.session.get(WorkItem, seed.item_a.id).title == "先保存"


def test_liaison_patch_is_403_on_own_item_and_404_on_others(client, seed):
    own = client.patch(
        f"/api/v1/items/{seed.item_a.id}", json={"version": 1}, headers=seed.auth("liaison_a")
    )
    assert own.status_code == 403
    other = client.patch(
        f"/api/v1/items/{seed.item_b.id}", json={"version": 1}, headers=seed.auth("liaison_a")
    )
    assert other.status_code == 404


@pytest.mark.parametrize(
    "body,content_type,status,code",
    [
        (b"{not json", "application/json", 400, "malformed_json"),
        (b'{"version": NaN}', "application/json", 400, "malformed_json"),
        (b'{"version": "\\ud800"}', "application/json", 400, "malformed_json"),
        (b"version=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b'{"version": "1"}', "application/json", 422, "validation_failed"),
        (b'{"version": 1, "state": "verified"}', "application/json", 422, "validation_failed"),
        (b'{"version": 1, "title": "a\\u0000b"}', "application/json", 422, "validation_failed"),
        (b"[]", "application/json", 422, "validation_failed"),
        (b'{"version": 1, "lead_department_id": 99999}', "application/json", 422, None),
        (b'{"version": 1, "section_id": 99999}', "application/json", 422, None),
    ],
)
def test_bad_bodies_write_nothing(client, seed, body, content_type, status, code):
    response = client.patch(
        f"/api/v1/items/{seed.item_a.id}",
        data=body,
        content_type=content_type,
        headers=seed.auth("office"),
    )
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    if code:
        assert error["code"] == code
    db.session.expire_all()
    assert db.session.get(WorkItem, seed.item_a.id).version == 1


def test_unknown_fields_are_named(client, seed):
    response = client.patch(
        f"/api/v1/items/{seed.item_a.id}",
        json={"version": 1, "state": "verified", "reviewer_id": 1},
        headers=seed.auth("office"),
    )
    assert response.status_code == 422
    assert set(response.get_json()["error"]["fields"]) == {"state", "reviewer_id"}


def test_huge_body_is_413(client, seed):
    response = client.patch(
        f"/api/v1/items/{seed.item_a.id}",
        data=b'{"version": 1, "description": "' + b"x" * 300_000 + b'"}',
        content_type="application/json",
        headers=seed.auth("office"),
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"


# ---------------------------------------------------------------- bounded queries


def _count_statements(client, url, headers) -> int:
    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = client.get(url, headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert response.status_code == 200
    return len(statements)


def _add_items(seed, n: int) -> None:
    from tracker.models import Department

    extra = [Department(name=f"部门X{i}", short_name=f"X{i}") for i in range(3)]
    db.session.add_all(extra)
    db.session.flush()
    start = db.session.scalar(select(func.count(WorkItem.id)))
    for i in range(n):
        row = WorkItem(
            plan_id=seed.plan.id,
            code=f"批量{start + i}",
            title="批量",
            lead_department_id=extra[i % 3].id,
            section_node_id=seed.section.id,
        )
        row.co_departments = [extra[(i + 1) % 3], seed.dept_b]
        db.session.add(row)
    db.session.commit()


def test_item_list_runs_a_bounded_number_of_statements(client, seed):
    url = "/api/v1/items?per_page=200"
    client.get(url, headers=seed.auth("office"))  # token last-use write happens once
    small = _count_statements(client, url, seed.auth("office"))
    _add_items(seed, 150)
    large = _count_statements(client, url, seed.auth("office"))
    assert large == small
    assert large <= 8
