"""DUE_SOON_DAYS is the one definition of "due soon": the item list's filter, an item's
light, the dashboard and the digest all move together when it is set (issue 14)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.conftest import login_as
from tests.dashboard_support import make_item, make_plan
from tracker.dashboard.overview import city_overview
from tracker.dashboard.scope import YELLOW, light_of
from tracker.extensions import db
from tracker.item_predicates import due_soon_days, due_windows
from tracker.items.templating import due_state
from tracker.notify.digest import collect_department_digests

TODAY = date(2026, 11, 27)
pytestmark = pytest.mark.today(TODAY.isoformat())


@pytest.fixture
def world(factories):
    """One department with an item due in 3 days and one due in 10 days."""
    fgw = factories.department("市发改委")
    office = factories.user("office", username="office-due")
    plan, nodes = make_plan()
    near = make_item(plan, "三.1.(1)", fgw, due=TODAY + timedelta(days=3), source=nodes["三.1"])
    far = make_item(plan, "三.1.(2)", fgw, due=TODAY + timedelta(days=10), source=nodes["三.1"])
    db.session.commit()
    return {"plan": plan, "near": near, "far": far, "office": office, "fgw": fgw}


def _listed(client, world, due: str) -> set[str]:
    """The codes of the items the list links to under `due=…`."""
    page = client.get(f"/items?due={due}&lang=en").get_data(as_text=True)
    ids = {int(i) for i in re.findall(r'href="/items/(\d+)"', page)}
    return {item.code for item in (world["near"], world["far"]) if item.id in ids}


def _everywhere(app, client, world) -> dict:
    """What each reader of the setting calls "due soon" today."""
    days = str(due_soon_days())
    near, far = world["near"], world["far"]
    overview = city_overview(world["plan"], TODAY, due_soon_days())
    digest = collect_department_digests(TODAY)[world["fgw"].id]
    return {
        "list": _listed(client, world, days),
        "later": _listed(client, world, "later"),
        "lights": {i.code for i in (near, far) if light_of(i, TODAY, due_soon_days()) == YELLOW},
        "cells": {i.code for i in (near, far) if due_state(i, TODAY) == "soon"},
        "dashboard": overview.totals.due_soon,
        "digest": {entry["code"] for entry in digest.due_soon},
    }


def test_the_default_window_is_fourteen_days_everywhere(app, client, world):
    login_as(client, world["office"])
    seen = _everywhere(app, client, world)
    both = {"三.1.(1)", "三.1.(2)"}
    assert seen == {
        "list": both,
        "later": set(),
        "lights": both,
        "cells": both,
        "dashboard": 2,
        "digest": both,
    }


def test_setting_due_soon_days_moves_list_light_dashboard_and_digest_together(
    app, client, world, monkeypatch
):
    monkeypatch.setitem(app.config, "DUE_SOON_DAYS", 5)
    login_as(client, world["office"])
    assert "5" in due_windows() and "14" not in due_windows()
    seen = _everywhere(app, client, world)
    assert seen == {
        "list": {"三.1.(1)"},
        "later": {"三.1.(2)"},
        "lights": {"三.1.(1)"},
        "cells": {"三.1.(1)"},
        "dashboard": 1,
        "digest": {"三.1.(1)"},
    }


def test_the_list_offers_the_configured_window_with_its_label(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "DUE_SOON_DAYS", 5)
    login_as(client, world["office"])
    page = client.get("/items?lang=en").get_data(as_text=True)
    assert '<option value="5"' in page and "Due in 5 days" in page
    assert "not due within 5 days" in page
    assert '<option value="14"' not in page
