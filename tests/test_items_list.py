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


# ---------------------------------------------------------------- plan headings and 专栏


@pytest.fixture
def tree(app):
    """make_plan's tree (三 › （一） › 三.1 › 三.1.(1), 三.1.(2) › 专栏1) plus a heading inside
    专栏1, a second task 三.2, and a heading a plan revision dropped but kept for its work
    item: kept nodes go after the whole tree (tracker/plans/revision.py), so by position it
    sits inside 三.2 while its parent is still 三.1. One item per heading, one without."""
    office = make_user("office", make_department("督办室", kind="office"))
    lead = make_department("甲局")
    plan, other_plan = make_plan(), make_plan(title="另一规划")
    nodes = {n.code: n for n in db.session.query(PlanNode).filter_by(plan_id=plan.id)}
    section = nodes["三.(一)"]

    def node(code, parent, kind, position, depth):
        row = PlanNode(
            plan_id=plan.id,
            parent_id=parent.id,
            kind=kind,
            number="1",
            title=code,
            code=code,
            position=position,
            depth=depth,
        )
        db.session.add(row)
        db.session.flush()
        nodes[code] = row
        return row

    node("专栏1.(1)", nodes["专栏1"], "item", 6, 5)
    node("三.2", section, "task", 7, 2)
    node("三.1.(9)", nodes["三.1"], "item", 8, 3)  # the kept one
    for code in ("三.1", "三.1.(1)", "三.1.(2)", "专栏1", "专栏1.(1)", "三.2", "三.1.(9)"):
        make_item(plan, lead, code=code, source_node_id=nodes[code].id)
    make_item(plan, lead, code="无来源")
    others = {n.code: n for n in db.session.query(PlanNode).filter_by(plan_id=other_plan.id)}
    make_item(other_plan, lead, code="他.三.1", source_node_id=others["三.1"].id)
    make_item(other_plan, lead, code="他.专栏1", source_node_id=others["专栏1"].id)
    db.session.commit()
    return {"office": office, "plan": plan, "other_plan": other_plan, "nodes": nodes}


def test_node_filter_takes_the_heading_and_everything_under_it(tree):
    office, nodes = tree["office"], tree["nodes"]
    assert codes(office, node_id=nodes["三.1"].id) == sorted(
        ["三.1", "三.1.(1)", "三.1.(2)", "专栏1", "专栏1.(1)", "三.1.(9)"]
    )
    assert codes(office, node_id=nodes["三.1.(2)"].id) == ["三.1.(2)", "专栏1", "专栏1.(1)"]
    assert codes(office, node_id=nodes["专栏1"].id) == ["专栏1", "专栏1.(1)"]
    assert codes(office, node_id=nodes["三.2"].id) == ["三.2"]  # not the kept 三.1.(9)
    assert len(codes(office, node_id=nodes["三"].id)) == 7  # not 无来源, not the other plan
    assert codes(office, node_id=nodes["三.1"].id, plan_id=tree["other_plan"].id) == []
    assert codes(office, node_id=999999) == []


def test_column_filter_takes_items_from_a_zhuanlan_or_inside_one(tree):
    office = tree["office"]
    assert codes(office, column=True) == sorted(["专栏1", "专栏1.(1)", "他.专栏1"])
    assert codes(office, column=True, plan_id=tree["plan"].id) == ["专栏1", "专栏1.(1)"]
    assert codes(office, column=True, node_id=tree["nodes"]["三.1.(1)"].id) == []


def test_due_later_is_what_is_neither_overdue_nor_due_soon(data):
    """The dashboard's green: completed, or open and not due within 14 days (no due date
    counts as not due). Overdue, due-in-14 and later split the list without overlap."""
    office = data["office"]
    done = make_item(data["items"]["overdue"].plan, data["a"], code="D1", due=TODAY)
    done.status = "completed"
    db.session.commit()
    assert codes(office, due="later") == ["B1", "C1", "D1"]
    overdue, soon, later = (set(codes(office, due=d)) for d in ("overdue", "14", "later"))
    assert overdue | soon | later == set(codes(office))
    assert not (overdue & soon or overdue & later or soon & later)
    assert codes(office, due="later", status="open") == ["B1", "C1"]


def test_new_filters_round_trip_through_args():
    filters = ItemFilters.from_args({"node": "7", "column": "1", "due": "later"})
    assert (filters.node_id, filters.column, filters.due) == (7, True, "later")
    assert filters.as_args() == {"node": 7, "column": 1, "due": "later"}
    assert not ItemFilters.from_args({"node": "x", "column": "yes"}).column


def test_list_page_shows_the_heading_it_is_filtered_to(client, tree):
    login_as(client, tree["office"])
    node = tree["nodes"]["三.1.(2)"]
    html = client.get(f"/items?plan={tree['plan'].id}&node={node.id}").get_data(as_text=True)
    assert f'name="node" value="{node.id}"' in html  # kept when other filters change
    assert "三.1.(2) 提升标准制订水平" in html and "共3条" in html  # the chip
    assert ">专栏1.(1)</a>" in html and ">三.1.(1)</a>" not in html
    html = client.get("/items?column=1").get_data(as_text=True)
    assert 'name="column" value="1"' in html and "共3条" in html
