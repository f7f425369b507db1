"""Dashboards: figures by section, 专栏 and department, traffic lights, access, drill-down
links, charts served locally, and a bounded number of SQL statements at any size."""

import json
import re
from datetime import date, datetime, timedelta

import pytest

from tests.conftest import login_as
from tests.dashboard_support import (
    count_statements,
    make_item,
    make_period,
    make_plan,
    make_report,
)
from tracker import clock
from tracker.dashboard.overview import city_overview, department_overview
from tracker.dashboard.reporting import deadline_cutoff, rank, reporting_stats
from tracker.extensions import db

TODAY = date(2026, 11, 27)
pytestmark = pytest.mark.today(TODAY.isoformat())
DAYS = 14


@pytest.fixture
def world(factories):
    """Two departments with items in both sections and in 专栏1, one period with reports."""
    fgw = factories.department("市发改委")
    jxj = factories.department("市经信局")
    office = factories.department("市质量强市办", kind="office")
    plan, nodes = make_plan()
    s1, s2, column = nodes["三.(一)"], nodes["三.(二)"], nodes["专栏1"]
    items = {
        "overdue": make_item(
            plan,
            "三.1.(1)",
            fgw,
            due=TODAY - timedelta(days=3),
            section=s1,
            source=nodes["三.1"],
            progress=40,
        ),
        "soon": make_item(
            plan,
            "三.1.(2)",
            fgw,
            co=[jxj],
            due=TODAY + timedelta(days=5),
            section=s1,
            source=nodes["专栏1.(1)"],
            progress=20,
        ),
        "done": make_item(
            plan,
            "专栏1-1",
            jxj,
            due=TODAY - timedelta(days=30),
            section=s1,
            source=column,
            status="completed",
            progress=100,
            completed_at=datetime(2026, 9, 1),
        ),
        "later": make_item(
            plan,
            "三.2.(1)",
            jxj,
            due=TODAY + timedelta(days=90),
            section=s2,
            source=nodes["三.2"],
            progress=60,
        ),
        "retired": make_item(
            plan,
            "三.2.(2)",
            fgw,
            due=TODAY - timedelta(days=9),
            section=s2,
            retired_at=datetime(2026, 1, 1),
        ),
    }
    period = make_period(plan, "2026Q3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 13))
    # fgw: one on time, one late; jxj: one returned then resubmitted on time, one missing.
    cutoff = deadline_cutoff(period.deadline, "Asia/Shanghai")
    make_report(
        items["overdue"],
        period,
        "verified",
        submitted_at=cutoff - timedelta(minutes=5),
        revisions=[(cutoff - timedelta(minutes=5), "verified")],
    )
    make_report(items["soon"], period, "submitted", submitted_at=cutoff + timedelta(minutes=5))
    make_report(
        items["done"],
        period,
        "verified",
        submitted_at=cutoff + timedelta(days=3),
        revisions=[
            (cutoff - timedelta(days=2), "returned"),
            (cutoff + timedelta(days=3), "verified"),
        ],
    )
    return dict(plan=plan, nodes=nodes, fgw=fgw, jxj=jxj, office=office, items=items, period=period)


def test_deadline_cutoff_is_local_midnight_after_the_deadline():
    # 2026-10-13 24:00 in Shanghai is 16:00 UTC the same day.
    assert deadline_cutoff(date(2026, 10, 13), "Asia/Shanghai") == datetime(2026, 10, 13, 16, 0)


def test_city_figures_by_section_column_and_department(app, world):
    overview = city_overview(world["plan"], TODAY, DAYS)
    totals = overview.totals
    assert (totals.total, totals.completed, totals.overdue, totals.due_soon) == (4, 1, 1, 1)
    assert totals.on_schedule == 2  # the completed one and the one due in 90 days
    sections = {b.label: b.tally for b in overview.sections}
    assert list(sections) == ["（一）夯实质量基础", "（二）提升产品质量"]
    first = sections["（一）夯实质量基础"]
    assert (first.total, first.completed, first.overdue, first.due_soon) == (3, 1, 1, 1)
    assert first.average_progress == pytest.approx(160 / 3)
    columns = {b.label: b.tally for b in overview.columns}
    assert list(columns) == ["专栏1 质量基础设施重点工程"]
    column = columns["专栏1 质量基础设施重点工程"]
    assert (column.total, column.completed) == (2, 1)
    ranking = [(b.label, b.tally.overdue) for b in overview.departments]
    assert ranking == [("市发改委", 1), ("市经信局", 0)]


def test_reporting_on_time_late_missing_and_returned(app, world):
    stats = reporting_stats(world["period"], TODAY, "Asia/Shanghai")
    fgw, jxj = stats[world["fgw"].id], stats[world["jxj"].id]
    assert (fgw.due, fgw.on_time, fgw.late, fgw.missing) == (2, 1, 1, 0)
    # jxj: the completed item was reported (first submission on time, returned once);
    # the item due in 90 days owed a report and has none.
    assert (jxj.due, jxj.on_time, jxj.late, jxj.missing, jxj.returned) == (2, 1, 0, 1, 1)
    # Overdue is counted at the report deadline (13 October): nothing was overdue yet.
    assert fgw.overdue == 0 and jxj.overdue == 0
    # Equal on-time rates and no overdue items: more reports submitted ranks higher.
    assert [s.department_id for s in rank(stats)] == [world["fgw"].id, world["jxj"].id]


def test_current_period_counts_overdue_as_of_today(app, world):
    plan = world["plan"]
    q4 = make_period(plan, "2026Q4", date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 8))
    stats = reporting_stats(q4, TODAY, "Asia/Shanghai")
    fgw = stats[world["fgw"].id]
    assert (fgw.due, fgw.missing, fgw.overdue) == (2, 2, 1)
    # The item completed in September owed nothing for the fourth quarter.
    assert stats[world["jxj"].id].due == 1


def test_department_view_counts_what_it_leads(app, world):
    overview = department_overview(world["plan"], world["jxj"], TODAY, DAYS)
    assert overview.totals.total == 2  # it leads two; co-owns the 'soon' one
    attention = [i.code for i in overview.attention]
    assert attention == ["三.1.(2)"]  # co-owned and due soon: on its attention list


def _office(factories, world):
    return factories.user("office", world["office"])


def test_office_sees_the_city_dashboard_with_drill_down_links(client, factories, world):
    login_as(client, _office(factories, world))
    response = client.get("/dashboard/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "夯实质量基础" in html and "专栏1 质量基础设施重点工程" in html
    plan_id = world["plan"].id
    fgw = world["fgw"].id
    assert f'href="/items?plan={plan_id}&amp;department={fgw}&amp;due=overdue"' in html
    assert f"/dashboard/department/{fgw}?plan={plan_id}" in html
    assert "/review?plan=" in html


def test_every_linked_number_opens_a_list_of_exactly_that_many(
    app, client, factories, world, monkeypatch
):
    """Green (on schedule: completed or not due soon) and the 专栏 rows link too now; every
    linked figure, on the city and a department dashboard, agrees with its list."""
    from html import unescape

    monkeypatch.setitem(app.config, "TRACKER_TODAY", TODAY)
    login_as(client, _office(factories, world))
    plan_id, column = world["plan"].id, world["nodes"]["专栏1"].id
    seen = set()
    for url in ("/dashboard/", f"/dashboard/department/{world['fgw'].id}?plan={plan_id}"):
        page = client.get(url).get_data(as_text=True)
        links = re.findall(r'<a href="(/items\?[^"]*)">(\d+)</a>', page)
        assert links, url
        for href, number in links:
            href = unescape(href)
            seen.add(href)
            listed = client.get(href).get_data(as_text=True)
            assert f"共{number}条" in listed, (url, href, number)
    assert f"/items?plan={plan_id}&due=later" in seen  # the green KPI
    assert f"/items?plan={plan_id}&node={column}" in seen  # the 专栏1 row
    assert f"/items?plan={plan_id}&node={column}&due=later" in seen
    city = client.get("/dashboard/").get_data(as_text=True)
    assert f'href="/items?plan={plan_id}&amp;column=1"' in city  # every 专栏 item


def test_charts_are_server_data_drawn_by_a_local_script(client, factories, world):
    login_as(client, _office(factories, world))
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "/vendor/plotly/plotly.min.js" in html
    assert "/vendor/app/dashboard.js" in html
    assert "cdn" not in html.lower()
    # No executable inline script: only the JSON data block.
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs or 'type="application/json"' in attrs, attrs
    data = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', html, re.S).group(1))
    assert data["lights"]["values"] == [1, 1, 2]
    assert data["sections"]["labels"][0] == "（一）夯实质量基础"
    # The department chart shows who is behind; the table lists everyone.
    assert data["departments"]["labels"] == ["市发改委"]
    assert data["reporting"]["labels"] == ["市发改委", "市经信局"]
    assert client.get("/vendor/app/dashboard.js").status_code == 200


def test_liaison_gets_own_department_only(client, factories, world):
    liaison = factories.user("liaison", world["fgw"])
    login_as(client, liaison)
    assert client.get("/dashboard/").status_code == 403
    own = client.get("/dashboard/department")
    assert own.status_code == 302 and f"/dashboard/department/{world['fgw'].id}" in own.location
    assert client.get(f"/dashboard/department/{world['fgw'].id}").status_code == 200
    assert client.get(f"/dashboard/department/{world['jxj'].id}").status_code == 404
    assert client.get("/dashboard/department/99999").status_code == 404
    # The department picker does not let a liaison look elsewhere either.
    picked = client.get(f"/dashboard/department?department={world['jxj'].id}")
    assert f"/dashboard/department/{world['fgw'].id}" in picked.location


def test_office_and_leader_see_any_department(client, factories, world):
    for role in ("office", "leader", "admin"):
        login_as(client, factories.user(role, world["office"]))
        response = client.get(f"/dashboard/department/{world['jxj'].id}")
        assert response.status_code == 200, role
        assert "市经信局" in response.get_data(as_text=True)


def test_leader_lands_on_the_city_dashboard(client, factories, world):
    login_as(client, factories.user("leader", world["office"]))
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/dashboard/")
    nav = client.get("/dashboard/").get_data(as_text=True)
    assert 'href="/dashboard/"' in nav


def test_empty_database_shows_a_friendly_page(client, factories):
    login_as(client, factories.user("office"))
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert client.get("/dashboard/?plan=12345").status_code == 404


def _populate(factories, plan, nodes, departments: int, items_per_department: int, today):
    sections = [nodes["三.(一)"], nodes["三.(二)"]]
    sources = [nodes["三.1"], nodes["专栏1.(1)"], nodes["三.2"]]
    period = make_period(
        plan,
        f"P{departments}",
        today - timedelta(days=120),
        today - timedelta(days=30),
        today - timedelta(days=20),
    )
    units = [factories.department(f"单位{departments}-{n}") for n in range(departments)]
    for d, unit in enumerate(units):
        for n in range(items_per_department):
            item = make_item(
                plan,
                f"{departments}-{d}-{n}",
                unit,
                co=[units[(d + 1) % len(units)]],
                due=today + timedelta(days=(n * 7) - 20),
                section=sections[n % 2],
                source=sources[n % 3],
                progress=n * 10 % 100,
            )
            if n % 2:
                make_report(
                    item,
                    period,
                    "submitted" if n % 4 == 1 else "verified",
                    submitted_at=datetime.combine(today, datetime.min.time())
                    - timedelta(days=25 + n),
                )
    return units


@pytest.mark.parametrize("view", ["city", "department"])
def test_bounded_statements_at_two_sizes(app, client, factories, view):
    office = factories.department("市质量强市办", kind="office")
    user = factories.user("office", office)
    plan, nodes = make_plan()
    with app.app_context():
        today = clock.today()
    counts = []
    for departments, per_department in ((2, 2), (12, 15)):
        units = _populate(factories, plan, nodes, departments, per_department, today)
        login_as(client, user)
        url = "/dashboard/" if view == "city" else f"/dashboard/department/{units[0].id}"
        with count_statements(db.engine) as counter:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(counter["n"])
    print(view, "statements", counts)
    assert counts[0] == counts[1], counts
    assert counts[1] <= 25, counts
