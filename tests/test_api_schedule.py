"""序时进度 through the API: start_date, every item's `schedule`, the `light` filter, and an
item's milestone plan (propose, submit, approve, reached claims) with its bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.api_support import seed_api
from tracker.extensions import db
from tracker.models import Milestone, MilestonePlan, WorkItem

STEPS = [
    {"title": "完成方案", "planned_date": "2026-03-31", "weight": 20},
    {"title": "主体施工", "planned_date": "2026-09-30", "weight": 50},
    {"title": "竣工验收", "planned_date": "2026-12-20", "weight": 30},
]


@pytest.fixture
def seed(app, monkeypatch):
    return seed_api(app, monkeypatch)


def test_every_item_carries_its_schedule(client, seed):
    item = client.get(f"/api/v1/items/{seed.item_a.id}", headers=seed.auth("office")).get_json()
    assert item["start_date"] == "2026-01-01"
    # 2026-01-01 → 2026-12-27, on 2026-11-27: 330 of 360 days; nothing verified.
    assert item["schedule"] == {
        "expected": 91,
        "actual": 0,
        "lag": 91,
        "light": "red",
        "basis": "linear",
    }
    listed = client.get("/api/v1/items", headers=seed.auth("office")).get_json()["items"]
    assert {i["id"]: i["schedule"]["light"] for i in listed}[seed.item_a.id] == "red"
    assert all(
        set(i["schedule"]) == {"expected", "actual", "lag", "light", "basis"} for i in listed
    )


def test_the_list_filters_by_light(client, seed, app):
    with app.app_context():
        db.session.execute(
            WorkItem.__table__.update()
            .where(WorkItem.id == seed.item_b.id)
            .values(start_date=seed.item_b.due_date)
        )
        db.session.commit()

    def ids(light):
        response = client.get(f"/api/v1/items?light={light}", headers=seed.auth("office"))
        assert response.status_code == 200, response.get_data(as_text=True)
        return {i["id"] for i in response.get_json()["items"]}

    assert ids("grey") == {seed.item_b.id}  # starts on its due date, in the future
    assert {seed.item_a.id, seed.item_overdue.id} <= ids("red")
    assert ids("green") == set()
    assert client.get("/api/v1/items?light=blue", headers=seed.auth("office")).status_code == 422


def test_start_date_is_created_and_updated_and_checked(client, seed):
    office = seed.auth("office")
    body = {
        "plan_id": seed.plan.id,
        "title": "新事项",
        "start_date": "2026-03-01",
        "due_date": "2026-12-31",
    }
    created = client.post("/api/v1/items", json=body, headers=office)
    assert created.status_code == 201, created.get_data(as_text=True)
    item = created.get_json()
    assert item["start_date"] == "2026-03-01"
    bad = client.post(
        "/api/v1/items",
        json={**body, "start_date": "2027-01-05", "title": "另一个"},
        headers=office,
    )
    assert bad.status_code == 422
    assert "start_date" in bad.get_json()["error"]["fields"]
    patched = client.patch(
        f"/api/v1/items/{item['id']}",
        json={"version": item["version"], "start_date": "2026-04-01"},
        headers=office,
    )
    assert patched.status_code == 200 and patched.get_json()["start_date"] == "2026-04-01"
    late = client.patch(
        f"/api/v1/items/{item['id']}",
        json={"version": patched.get_json()["version"], "start_date": "2027-02-01"},
        headers=office,
    )
    assert late.status_code == 422
    # Without a start date the item starts on the later of the plan's start and today.
    plain = client.post(
        "/api/v1/items", json={**body, "title": "无开始", "start_date": None}, headers=office
    )
    assert plain.status_code == 422  # start_date is a date when given
    body.pop("start_date")
    plain = client.post("/api/v1/items", json={**body, "title": "无开始"}, headers=office)
    assert plain.get_json()["start_date"] == "2026-11-27"


def test_milestone_plan_round_trip(client, seed):
    lead, office = seed.auth("liaison_a"), seed.auth("office")
    url = f"/api/v1/items/{seed.item_a.id}/milestones"
    empty = client.get(url, headers=lead).get_json()
    assert empty == {
        "item_id": seed.item_a.id,
        "state": None,
        "version": None,
        "review_comment": None,
        "revision": None,
        "milestones": [],
        "pending_revision": None,
        "history": [],
    }
    proposed = client.post(url, json={"milestones": STEPS}, headers=lead)
    assert proposed.status_code == 200, proposed.get_data(as_text=True)
    plan = proposed.get_json()
    assert plan["state"] == "draft" and [m["weight"] for m in plan["milestones"]] == [20, 50, 30]
    # Editing without the version is refused; with it, it works.
    assert client.post(url, json={"milestones": STEPS}, headers=lead).status_code == 409
    edited = client.post(url, json={"version": plan["version"], "milestones": STEPS}, headers=lead)
    assert edited.status_code == 200
    plan = edited.get_json()
    assert (
        client.post(f"{url}/submit", json={"version": plan["version"]}, headers=office).status_code
        == 403
    )
    submitted = client.post(f"{url}/submit", json={"version": plan["version"]}, headers=lead)
    assert submitted.get_json()["state"] == "submitted"
    plan = submitted.get_json()
    assert (
        client.post(f"{url}/verify", json={"version": plan["version"]}, headers=lead).status_code
        == 403
    )
    verified = client.post(f"{url}/verify", json={"version": plan["version"]}, headers=office)
    assert verified.get_json()["state"] == "verified"
    item = client.get(f"/api/v1/items/{seed.item_a.id}", headers=lead).get_json()
    assert item["schedule"]["basis"] == "milestones" and item["schedule"]["expected"] == 70

    first = verified.get_json()["milestones"][0]
    claim = client.post(
        f"/api/v1/milestones/{first['id']}/reached",
        json={"version": first["version"], "reached_on": "2026-03-30"},
        headers=lead,
    )
    assert claim.status_code == 200
    first = claim.get_json()["milestones"][0]
    assert (first["state"], first["reached_on"]) == ("submitted", "2026-03-30")
    returned = client.post(
        f"/api/v1/milestones/{first['id']}/return",
        json={"version": first["version"], "reason": "缺少佐证"},
        headers=office,
    )
    assert returned.get_json()["milestones"][0]["state"] == "returned"
    first = returned.get_json()["milestones"][0]
    again = client.post(
        f"/api/v1/milestones/{first['id']}/reached",
        json={"version": first["version"], "reached_on": "2026-03-30"},
        headers=lead,
    ).get_json()["milestones"][0]
    done = client.post(
        f"/api/v1/milestones/{first['id']}/verify",
        json={"version": again["version"]},
        headers=office,
    )
    assert done.get_json()["milestones"][0]["state"] == "verified"
    item = client.get(f"/api/v1/items/{seed.item_a.id}", headers=lead).get_json()
    assert item["schedule"]["actual"] == 20


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ([{**STEPS[0], "weight": 10}, STEPS[1], STEPS[2]], "sum"),
        ([STEPS[0], STEPS[1], {**STEPS[2], "planned_date": "2027-01-10"}], "after_due"),
        ([{**STEPS[0], "planned_date": "2025-12-01"}, STEPS[1], STEPS[2]], "before_start"),
        ([], "empty"),
    ],
)
def test_bad_milestones_answer_422_and_write_nothing(client, seed, app, steps, field):
    url = f"/api/v1/items/{seed.item_a.id}/milestones"
    response = client.post(url, json={"milestones": steps}, headers=seed.auth("liaison_a"))
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in response.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.scalar(select(func.count(MilestonePlan.id))) == 0
        assert db.session.scalar(select(func.count(Milestone.id))) == 0


def test_bad_milestones_speak_chinese(client, seed):
    url = f"/api/v1/items/{seed.item_a.id}/milestones"
    headers = {**seed.auth("liaison_a"), "Accept-Language": "zh-CN"}
    steps = [{**STEPS[0], "weight": 10}, STEPS[1], STEPS[2]]
    response = client.post(url, json={"milestones": steps}, headers=headers)
    assert "100" in response.get_json()["error"]["fields"]["sum"]
    assert "权重" in response.get_json()["error"]["fields"]["sum"]


def test_milestones_of_an_invisible_item_are_404(client, seed):
    url = f"/api/v1/items/{seed.item_a.id}/milestones"
    other = seed.auth("liaison_b")  # co-department of item_a: sees it, may not propose
    assert client.get(url, headers=other).status_code == 200
    assert client.post(url, json={"milestones": STEPS}, headers=other).status_code == 403
    url_b = f"/api/v1/items/{seed.item_b.id}/milestones"
    assert client.get(url_b, headers=seed.auth("liaison_a")).status_code == 404
    assert (
        client.post(
            f"{url_b}/submit", json={"version": 1}, headers=seed.auth("liaison_b")
        ).status_code
        == 404
    )
