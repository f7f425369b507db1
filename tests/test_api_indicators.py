"""Indicators and yearly values through the API: reading, reporting, the review cycle."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.api_support import seed_api
from tracker.extensions import db
from tracker.models import AuditEvent, IndicatorValue


@pytest.fixture
def seed(app, monkeypatch):
    return seed_api(app, monkeypatch)


def test_indicator_list_and_shape(client, seed):
    response = client.get("/api/v1/indicators", headers=seed.auth("liaison_b"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == 1
    indicator = body["items"][0]
    for key in [
        "id",
        "number",
        "category",
        "name",
        "unit",
        "kind",
        "attribute",
        "baseline",
        "target",
        "cumulative",
        "department",
    ]:
        assert key in indicator
    assert indicator["department"]["short_name"] == "市发改委"
    assert indicator["kind"] == "floor" and indicator["attribute"] == "约束性"


def test_detail_values_follow_visibility(client, seed):
    url = f"/api/v1/indicators/{seed.indicator.id}"
    own = client.get(url, headers=seed.auth("liaison_a")).get_json()
    assert [(v["year"], v["state"]) for v in own["values"]] == [
        (2023, "verified"),
        (2024, "submitted"),
    ]
    assert own["values"][0]["status"] == "met"
    other = client.get(url, headers=seed.auth("liaison_b")).get_json()
    assert [v["year"] for v in other["values"]] == [2023]
    hidden = f"/api/v1/indicator-values/{seed.value_submitted.id}"
    assert client.get(hidden, headers=seed.auth("liaison_b")).status_code == 404
    assert client.get(hidden, headers=seed.auth("leader")).status_code == 200


def test_report_edit_submit_return_verify(client, seed):
    url = f"/api/v1/indicators/{seed.indicator.id}/values"
    created = client.post(url, json={"year": 2025, "value": 96.4}, headers=seed.auth("liaison_a"))
    assert created.status_code == 201, created.get_json()
    value = created.get_json()
    assert value["state"] == "draft" and value["value"] == "96.4"
    vid = value["id"]
    edited = client.patch(
        f"/api/v1/indicator-values/{vid}",
        json={"version": 1, "value": "96.8", "note": "统计局数据"},
        headers=seed.auth("liaison_a"),
    )
    assert edited.status_code == 200, edited.get_json()
    submitted = client.post(
        f"/api/v1/indicator-values/{vid}/submit",
        json={"version": 2},
        headers=seed.auth("liaison_a"),
    )
    assert submitted.get_json()["state"] == "submitted"
    returned = client.post(
        f"/api/v1/indicator-values/{vid}/return",
        json={"version": 3, "reason": "口径不对"},
        headers=seed.auth("office"),
    )
    assert returned.get_json()["state"] == "returned"
    client.post(
        f"/api/v1/indicator-values/{vid}/submit",
        json={"version": 4},
        headers=seed.auth("liaison_a"),
    )
    verified = client.post(
        f"/api/v1/indicator-values/{vid}/verify", json={"version": 5}, headers=seed.auth("office")
    )
    assert verified.status_code == 200
    assert verified.get_json()["state"] == "verified"
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_id == vid, AuditEvent.object_type == "indicatorvalue"
        )
    ).all()
    assert "indicator_value.verified" in actions


def test_bad_values_and_permissions(client, seed):
    url = f"/api/v1/indicators/{seed.indicator.id}/values"
    assert (
        client.post(
            url, json={"year": 2025, "value": 1}, headers=seed.auth("liaison_b")
        ).status_code
        == 404
    )
    assert (
        client.post(url, json={"year": 2025, "value": 1}, headers=seed.auth("leader")).status_code
        == 403
    )
    bad = client.post(url, json={"year": 2025, "value": "很多"}, headers=seed.auth("liaison_a"))
    assert bad.status_code == 422 and "value" in bad.get_json()["error"]["fields"]
    dup = client.post(url, json={"year": 2023, "value": 97}, headers=seed.auth("liaison_a"))
    assert dup.status_code == 422 and "year" in dup.get_json()["error"]["fields"]
    future = client.post(url, json={"year": 2030, "value": 97}, headers=seed.auth("liaison_a"))
    assert future.status_code == 422
    vid = seed.value_submitted.id
    stale = client.post(
        f"/api/v1/indicator-values/{vid}/verify", json={"version": 9}, headers=seed.auth("office")
    )
    assert stale.status_code == 409 and stale.get_json()["error"]["code"] == "stale_version"
    liaison = client.post(
        f"/api/v1/indicator-values/{vid}/verify",
        json={"version": 1},
        headers=seed.auth("liaison_a"),
    )
    assert liaison.status_code == 403
    db.session.expire_all()
    assert db.session.get(IndicatorValue, vid).state == "submitted"
