"""Huge numbers never reach the database (outside probe, issue 24).

`99999999999999999999` in a path, a query string or a form field raised OverflowError on
SQLite (88 tracebacks in one probe); one just past 2**31 - 1 is "integer out of range" on
PostgreSQL. Every route of the URL map gets such values: ids in the path answer 404, query
and form values 400/422 (or are ignored where the route reads no such value), never 5xx.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import login_as
from tests.items_support import pinned_today  # noqa: F401
from tests.security.test_sec_version_order import build_scene
from tracker.extensions import db
from tracker.numbers import MAX_INT, int_param, read_version

HUGE = ["99999999999999999999", str(MAX_INT + 1), "9" * 5000, "-99999999999999999999"]
# The query parameters the pages read as integers, and the probe's list.
QUERY = ["page", "per_page", "plan", "department", "period", "year", "section", "node"]
# Every integer a form of this app carries.
FORM_INTS = [
    "version",
    "plan_id",
    "period_id",
    "year",
    "number",
    "department_id",
    "lead_department_id",
    "co_department_ids",
    "indicator_id",
    "section_node_id",
    "others",
    "priority",
    "progress",
]
SKIP = {"static", "vendor.asset", "vendor.app_asset", "calendar.feed"}


@pytest.fixture
def scene(app):
    """An object of every kind a path names (the same as the version-order walk's)."""
    return build_scene(app)


def _ids(scene) -> dict:
    return {
        "item_id": scene.item.id,
        "report_id": scene.draft.id,
        "department_id": scene.lead_dept.id,
        "plan_id": scene.plan.id,
        "period_id": scene.focus.id,
        "user_id": scene.lead.id,
        "indicator_id": scene.indicator.id,
        "value_id": scene.value.id,
        "attachment_id": scene.attachment.id,
        "request_id": scene.extension.id,
        "token_id": scene.token.id,
    }


def _fill(rule, values: dict) -> str:
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(r"<[^>]*\b" + name + r">", str(values.get(name, 1)), url)
    return url


def _walk(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_the_bounds():
    assert int_param("42") == 42 and int_param(" 7 ") == 7
    with pytest.raises(ValueError):
        int_param("abc")
    with pytest.raises(ValueError):
        int_param("１２")  # full-width digits are not a number here
    for value in HUGE:
        with pytest.raises(Exception) as raised:
            int_param(value)
        assert getattr(raised.value, "code", None) == 400, value
    assert read_version("3") == 3
    assert {read_version(v) for v in [None, "", "x", "-3", *HUGE]} == {-1}


@pytest.mark.parametrize("value", ["99999999999999999999", str(MAX_INT + 1)])
def test_a_huge_id_in_any_path_is_404(app, client, scene, value):
    login_as(client, scene.admin)
    wrong = []
    checked = 0
    for rule, method in _walk(app):
        int_args = [n for n, c in rule._converters.items() if type(c).__name__ != "PathConverter"]
        int_args = [n for n in int_args if n != "library"]
        if not int_args:
            continue
        for name in int_args:
            url = _fill(rule, {**_ids(scene), name: value})
            response = client.open(url, method=method, data={"version": "1"})
            if response.status_code != 404:
                wrong.append((rule.endpoint, method, name, response.status_code))
            checked += 1
    assert not wrong
    assert checked > 50


@pytest.mark.parametrize("role", ["admin", "office", "lead"])
def test_huge_query_values_on_every_route_are_never_a_server_error(app, client, scene, role):
    login_as(client, scene.users()[role])
    wrong = []
    for rule, method in _walk(app):
        if method != "GET":
            continue
        base = _fill(rule, _ids(scene))
        for value in HUGE[:2]:
            for name in QUERY:
                response = client.get(f"{base}?{name}={value}")
                if response.status_code >= 500:
                    wrong.append((rule.endpoint, name, value, response.status_code))
    assert not wrong


def test_a_huge_filter_value_is_a_400_in_the_users_language(app, client, scene):
    login_as(client, scene.office)
    for url in ["/items?plan=", "/review?department=", "/indicators/?plan=", "/plans/?page="]:
        response = client.get(url + HUGE[0])
        assert response.status_code == 400, url
        assert "数字过大" in response.get_data(as_text=True), url
    # Text that is no number stays "not given", as before.
    assert client.get("/items?plan=abc").status_code == 200


@pytest.mark.parametrize("role", ["admin", "office", "lead"])
def test_huge_form_values_on_every_post_are_never_a_server_error(app, client, scene, role):
    login_as(client, scene.users()[role])
    wrong = []
    for rule, method in _walk(app):
        if method not in ("POST", "PATCH") or rule.endpoint in ("auth.logout",):
            continue
        url = _fill(rule, _ids(scene))
        for value in HUGE[:2]:
            if rule.endpoint.startswith("api."):
                body = {name: int(value) for name in FORM_INTS}
                response = client.open(url, method=method, json=body)
            else:
                data = {name: value for name in FORM_INTS}
                data["pick"] = [f"{value}:{value}", f"{scene.submitted.id}:{value}"]
                data["narrative"] = "x"
                response = client.open(url, method=method, data=data)
            if response.status_code >= 500:
                wrong.append((rule.endpoint, value, response.status_code))
    assert not wrong


def test_bulk_verify_skips_a_pick_no_report_could_have(app, client, scene):
    login_as(client, scene.office)
    response = client.post(
        "/review/bulk-verify", data={"pick": [f"{HUGE[0]}:1", f"{scene.submitted.id}:{HUGE[0]}"]}
    )
    assert response.status_code in (302, 303, 400)
    db.session.expire_all()
    from tracker.models import Report

    assert db.session.get(Report, scene.submitted.id).state == "submitted"
