"""The dashboards do not grow with the number of departments (issue 20): the city dashboard
shows the first DASHBOARD_DEPARTMENT_ROWS of its department tables and links to the full
ranking (/dashboard/departments, a page at a time); the department dashboard's picker is a
search box, not an option per department."""

import re
from datetime import date, timedelta

import pytest

from tests.conftest import login_as, make_department, make_user
from tests.dashboard_support import make_item, make_plan
from tracker.extensions import db

TODAY = date(2026, 11, 27)
pytestmark = pytest.mark.today(TODAY.isoformat())
ROWS = 3


@pytest.fixture
def city(app, client):
    """One plan; department i leads i + 1 overdue items, so the ranking is known."""
    plan, nodes = make_plan()
    office = make_user("office", make_department("督办室", kind="office"))
    units = []
    for i in range(6):
        unit = make_department(f"排名部门{i}")
        for n in range(i + 1):
            make_item(plan, f"三.{i}.({n})", unit, due=TODAY - timedelta(days=5))
        units.append(unit)
    db.session.commit()
    login_as(client, office)
    app.config["DASHBOARD_DEPARTMENT_ROWS"] = ROWS
    yield dict(plan=plan, units=units, client=client)
    app.config["DASHBOARD_DEPARTMENT_ROWS"] = 30


def _ranked_names(html: str) -> list[str]:
    return re.findall(r">(排名部门\d)</a></td>", html)


def test_the_city_dashboard_shows_the_first_departments_and_links_to_all(city):
    html = city["client"].get("/dashboard/").get_data(as_text=True)
    # Worst first: the department with the most overdue items leads; only ROWS of six.
    assert _ranked_names(html) == ["排名部门5", "排名部门4", "排名部门3"]
    assert html.count("/dashboard/departments?plan=") == 2  # ranking and schedule tables
    assert "全部 6 个部门" in html


def test_the_ranking_page_lists_every_department_a_page_at_a_time(city):
    client = city["client"]
    first = client.get("/dashboard/departments?per_page=4").get_data(as_text=True)
    assert _ranked_names(first) == ["排名部门5", "排名部门4", "排名部门3", "排名部门2"]
    assert "<td>1</td>" in first and "<td>4</td>" in first
    second = client.get("/dashboard/departments?per_page=4&page=2").get_data(as_text=True)
    assert _ranked_names(second) == ["排名部门1", "排名部门0"]
    assert "<td>5</td>" in second  # ranks go on across pages
    english = client.get("/dashboard/departments?per_page=4&page=2&lang=en").get_data(as_text=True)
    assert "Page 2 of 2" in english


def test_the_ranking_page_is_for_those_who_see_the_city(app, client, city):
    liaison = make_user("liaison", city["units"][0])
    db.session.commit()
    login_as(client, liaison)
    assert client.get("/dashboard/departments").status_code == 403
    assert client.get(f"/dashboard/departments?plan={city['plan'].id + 99}").status_code == 403


def test_an_unknown_plan_is_404(city):
    assert (
        city["client"].get(f"/dashboard/departments?plan={city['plan'].id + 99}").status_code == 404
    )


def test_the_dashboards_do_not_grow_with_the_number_of_departments(city):
    client, plan = city["client"], city["plan"]
    lead = city["units"][0]
    urls = ["/dashboard/", f"/dashboard/department/{lead.id}"]
    before = [len(client.get(url).get_data()) for url in urls]
    # 40 more departments, each with one item due later (ranked below the first three).
    for n in range(40):
        make_item(plan, f"四.{n}", make_department(f"新增部门{n:02d}"), due=TODAY + timedelta(200))
    db.session.commit()
    after = [len(client.get(url).get_data()) for url in urls]
    # The counts change ("全部 46 个部门", the totals, chart data of the top departments),
    # the rows do not: every department shipped would add ~1.5 KB to the city dashboard.
    assert after[0] - before[0] < 1500, (before, after)
    assert abs(after[1] - before[1]) < 200, (before, after)
    page = client.get(f"/dashboard/department/{lead.id}").get_data(as_text=True)
    picker = re.search(r'<select[^>]*id="department-pick".*?</select>', page, re.S).group(0)
    assert picker.count("<option") == 1 and "data-choices=" in picker


def test_odd_page_numbers_give_a_page_not_an_error(city):
    client = city["client"]
    for query in ("page=abc", "page=0", "page=-3", "per_page=0", "per_page=100000"):
        html = client.get(f"/dashboard/departments?{query}").get_data(as_text=True)
        assert _ranked_names(html)[:1] == ["排名部门5"], query  # the first page
    past_the_end = client.get("/dashboard/departments?page=999")
    assert past_the_end.status_code == 200
    assert _ranked_names(past_the_end.get_data(as_text=True)) == []
    assert "暂无数据" in past_the_end.get_data(as_text=True)
