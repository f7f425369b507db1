"""Blueprints, navigation and template helpers are registered in one place each, and a
mistyped endpoint stops the app from starting instead of silently hiding a link."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from tracker import create_app, navigation
from tracker.navigation import NavLink


def test_a_mistyped_navigation_endpoint_fails_at_start(monkeypatch):
    monkeypatch.setattr(
        navigation, "NAV_LINKS", [*navigation.NAV_LINKS, NavLink("items.indx", "Typo")]
    )
    with pytest.raises(RuntimeError, match="items.indx"):
        create_app("testing")


def test_a_mistyped_role_home_fails_at_start(monkeypatch):
    monkeypatch.setitem(navigation.ROLE_HOMES, "leader", "dashboard.cty")
    with pytest.raises(RuntimeError, match="dashboard.cty"):
        create_app("testing")


def test_every_navigation_endpoint_exists(app):
    navigation.check_endpoints(app)  # raises on an unknown endpoint
    assert "items.detail" in app.view_functions and "api.openapi" in app.view_functions


def test_template_helpers_of_every_area_are_registered(app):
    names = set(app.jinja_env.globals)
    assert {"can", "nav_links", "due_state", "item_badge", "indicator_status_badge"} <= names
    assert {"api_token_rows", "api_token_form", "item_subject_for"} <= names
    assert {"local_date", "local_datetime", "decimal", "percent"} <= set(app.jinja_env.filters)


def _item(due, *, status="in_progress", original=None, lead="发改委", co=()):
    return SimpleNamespace(
        due_date=due,
        original_due_date=original,
        status=status,
        retired_at=None,
        is_closed=status == "completed",
        # What the cells read of a WorkItem or an ItemRow (tracker/items/table.py).
        lead_name=lead or None,
        co_names=tuple(co),
    )


def _render(app, source, **context):
    with app.test_request_context():
        return app.jinja_env.from_string(source).render(**context)


def test_due_cell_macro_marks_overdue_soon_and_extended(app):
    today = date(2026, 11, 27)
    overdue = _render(
        app, "{{ due_cell(item, today) }}", item=_item(date(2026, 11, 1)), today=today
    )
    assert overdue.startswith('<span class="text-danger fw-semibold">')
    assert 'badge text-bg-danger">' in overdue
    soon = _render(app, "{{ due_cell(item, today) }}", item=_item(date(2026, 12, 3)), today=today)
    assert "text-warning-emphasis fw-semibold" in soon and "badge text-bg-warning" in soon
    later = _render(
        app,
        "{{ due_cell(item, today) }}",
        item=_item(date(2027, 6, 30), original=date(2027, 3, 31)),
        today=today,
    )
    assert later.startswith('<span class="">') and "badge" not in later
    assert '<small class="text-muted">(' in later
    done = _render(
        app,
        "{{ due_cell(item, today) }}",
        item=_item(date(2026, 1, 1), status="completed"),
        today=today,
    )
    assert "badge" not in done
    assert _render(app, "{{ due_cell(item, today) }}", item=_item(None), today=today) == "—"


def test_owners_macro_shows_lead_and_co_departments(app):
    both = _render(app, "{{ owners(item) }}", item=_item(None, co=("财政局", "<b>")))
    assert both == (
        '<strong>发改委</strong><br><small class="text-muted">财政局、&lt;b&gt;</small>'
    )
    assert _render(app, "{{ owners(item) }}", item=_item(None)) == "<strong>发改委</strong>"
    assert "未分派" in _render(app, "{{ owners(item) }}", item=_item(None, lead=None))


def test_the_factories_fixture_makes_rows(factories):
    department = factories.department("测试局")
    plan = factories.plan("测试规划", start_year=2026, end_year=2030)
    item = factories.item(plan, department, co=[factories.department("配合局")], code="一.1")
    period = factories.period(
        plan, "2026Q4", date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 10)
    )
    report = factories.report(item, period, "draft", revisions=[(None, "returned")])
    assert (plan.status, item.title, item.status) == ("active", "任务一.1", "in_progress")
    assert [d.short_name for d in item.co_departments] == ["配合局"]
    assert report.state == "draft" and len(report.revisions) == 1


def test_the_apps_own_assets_have_one_route_with_one_cache_policy(client):
    own = client.get("/vendor/app/items.css")
    assert own.status_code == 200 and "max-age=3600" in own.headers["Cache-Control"]
    assert client.get("/static/items.css").status_code == 404
    library = client.get("/vendor/bootstrap/css/bootstrap.min.css")
    assert library.status_code == 200 and "max-age=86400" in library.headers["Cache-Control"]
    assert "script-src 'self'" in library.headers["Content-Security-Policy"]
    assert client.get("/vendor/bootstrap/js/bootstrap.bundle.js").status_code == 404
    assert client.get("/vendor/app/../vendor.py").status_code == 404
