"""The item list: filters, search, paging, and a liaison sees only their department's items."""

from datetime import date, timedelta

import pytest

from tests.conftest import login_as, make_department, make_user
from tests.items_support import (  # noqa: F401
    TODAY,
    in_request,
    make_item,
    make_plan,
    make_report,
    periods,
    pinned_today,
)
from tracker.extensions import db
from tracker.items.queries import ItemFilters, item_list_query
from tracker.models import PlanNode


@pytest.fixture
def data(app):
    office = make_user("office", make_department("督办室", kind="office"))
    a, b = make_department("甲局"), make_department("乙局")
    liaison_a = make_user("liaison", a)
    plan = make_plan()
    by_label = periods(plan)
    section = db.session.query(PlanNode).filter_by(plan_id=plan.id, kind="section").one()
    items = {
        "overdue": make_item(
            plan,
            a,
            code="A1",
            title="标准化试点",
            due=TODAY - timedelta(3),
            section_node_id=section.id,
        ),
        "soon": make_item(plan, a, code="A2", title="品牌培育", due=TODAY + timedelta(5)),
        "later": make_item(
            plan,
            b,
            [a],
            code="B1",
            title="服务业平台",
            due=date(2027, 6, 30),
            description="建设标准化服务平台",
        ),
        "theirs": make_item(plan, b, code="B2", title="农产品认证", due=TODAY - timedelta(1)),
        "orphan": make_item(plan, None, code="C1", title="未分派事项"),
    }
    make_report(items["overdue"], liaison_a, by_label["2026Q4"], "returned", office=office)
    db.session.commit()
    return {
        "office": office,
        "liaison": liaison_a,
        "items": items,
        "a": a,
        "b": b,
        "section": section,
    }


def codes(user, **filters):
    rows = db.session.execute(item_list_query(user, ItemFilters(**filters), TODAY)).all()
    return sorted(row[0].code for row in rows)


def test_filters_and_search(data):
    office = data["office"]
    assert codes(office) == ["A1", "A2", "B1", "B2", "C1"]
    assert codes(office, due="overdue") == ["A1", "B2"]
    assert codes(office, due="14") == ["A2"]
    assert codes(office, department_id=data["b"].id) == ["B1", "B2"]
    assert codes(office, unassigned=True) == ["C1"]
    assert codes(office, section_id=data["section"].id) == ["A1"]
    assert codes(office, review="returned") == ["A1"]
    assert codes(office, review="missing") == ["A2", "B1", "B2"]  # C1 has no owner to write
    assert codes(office, q="标准") == ["A1", "B1"]  # title or description
    assert codes(office, q="B") == ["B1", "B2"]  # code
    assert codes(office, q="100%_") == []  # wildcards are literal
    assert codes(office, status="open") == ["A1", "A2", "B1", "B2", "C1"]


def test_a_liaison_lists_only_what_they_may_see(data):
    """SECURITY case 14: lead or co-department items only, in lists and searches."""
    liaison = data["liaison"]
    assert codes(liaison) == ["A1", "A2", "B1"]
    assert codes(liaison, q="农产品") == []
    assert codes(liaison, department_id=data["b"].id) == ["B1"]


def test_list_page_filters_from_the_query_string(client, data):
    login_as(client, data["office"])
    html = client.get("/items?due=overdue&per_page=1").get_data(as_text=True)
    assert ">A1</a>" in html and ">A2</a>" not in html and ">B2</a>" not in html
    html = client.get("/items?due=overdue&per_page=1&page=2").get_data(as_text=True)
    assert ">B2</a>" in html
    assert client.get("/items?department=none&status=bogus&due=x&page=-3").status_code == 200
    login_as(client, data["liaison"])
    html = client.get("/items?q=农产品").get_data(as_text=True)
    assert ">B2</a>" not in html and "农产品认证" not in html


def test_filters_round_trip_through_args():
    filters = ItemFilters.from_args({"plan": "3", "department": "none", "due": "14", "q": " x "})
    assert filters.unassigned and filters.plan_id == 3 and filters.q == "x"
    assert filters.as_args() == {"plan": 3, "department": "none", "due": "14", "q": "x"}


def test_items_needing_a_report(data):
    from tracker.items.queries import items_needing_report
    from tracker.models import ReportingPeriod

    focus = db.session.query(ReportingPeriod).filter_by(label="2026Q4").one()
    owing = db.session.scalars(items_needing_report(focus)).all()
    assert sorted(i.code for i in owing) == ["A1", "A2", "B1", "B2"]  # C1 has no lead
    outstanding = db.session.scalars(items_needing_report(focus, outstanding_only=True)).all()
    assert sorted(i.code for i in outstanding) == ["A1", "A2", "B1", "B2"]  # A1 was returned
