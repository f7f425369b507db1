"""The item list's plan, section and department filters: the page ships only the chosen
option and stays the same size however many plans and departments there are; the rest come
from /items/choices/<kind> as one types — sections scoped to the chosen plan, and labelled
with their plan when none is chosen (三.(一) is a different section in every plan)."""

import re

import pytest

from tests.conftest import login_as, make_department, make_user
from tests.items_support import make_item, make_plan
from tracker.extensions import db
from tracker.models import PlanNode
from tracker.plan_lists import plan_short_title, section_option_label

LONG_TITLE = "绍兴市" + "质量发展和标准化战略" * 8 + "“十四五”规划"


def _options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    # The first options ("All", "No owner") are in the page's language: named by value.
    return [
        value or "All" if value in ("", "none") else text.strip()
        for value, text in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select, re.S)
    ]


def _add_plan(n: int, lead):
    plan = make_plan(title=f"第{n}号专项规划" if n > 1 else LONG_TITLE)
    section = db.session.query(PlanNode).filter_by(plan_id=plan.id, kind="section").one()
    make_item(plan, lead, code=f"P{n}", section_node_id=section.id)
    db.session.commit()
    return plan, section


def _labels(client, kind, **params):
    answer = client.get(f"/items/choices/{kind}", query_string=params)
    assert answer.status_code == 200
    return [r["label"] for r in answer.get_json()["results"]]


@pytest.fixture
def office_client(client):
    office = make_user("office", make_department("督办室", kind="office"))
    lead = make_department("甲局")
    db.session.commit()
    login_as(client, office)
    return client, lead


def _page_bytes(client, url: str) -> int:
    answer = client.get(url)
    assert answer.status_code == 200
    return len(answer.get_data())


def test_the_list_page_does_not_grow_with_the_number_of_departments_or_plans(office_client):
    """Two data sizes: 2 plans and 2 departments, then 14 plans and 62 departments. The
    same rows (none; one plan's; one department's) must make the same page: every option
    shipped would add ~60 bytes per department or plan (42 KB at bench M)."""
    client, lead = office_client
    first, section = _add_plan(1, lead)
    _add_plan(2, make_department("乙局"))
    urls = [
        "/items",
        "/items?q=nothing-matches",
        f"/items?plan={first.id}",
        f"/items?department={lead.id}&section={section.id}",
    ]
    small = [_page_bytes(client, url) for url in urls]
    for n in range(3, 15):
        plan, _ = _add_plan(n, make_department(f"规划{n}的局"))
    for n in range(48):
        make_item(plan, make_department(f"新增部门{n:02d}"), code=f"D{n}")
    db.session.commit()
    large = [_page_bytes(client, url) for url in urls]
    for url, before, after in zip(urls[1:], small[1:], large[1:], strict=True):
        assert abs(after - before) < 20, url
    # The unfiltered list grew by its rows (2 → 25), not by 60 departments' options.
    assert large[0] - small[0] < 23 * 1500
    assert _options(client.get("/items").get_data(as_text=True), "department") == [
        "All",
        "none",
    ]


def test_the_page_names_only_the_chosen_options(office_client):
    client, lead = office_client
    first, section = _add_plan(1, lead)
    _add_plan(2, make_department("乙局"))
    html = client.get(f"/items?plan={first.id}&section={section.id}&department={lead.id}").get_data(
        as_text=True
    )
    assert _options(html, "plan") == ["All", LONG_TITLE]
    assert _options(html, "section") == ["All", section_option_label("三.(一)", "标准")]
    assert _options(html, "department") == ["All", "none", "甲局"]
    assert 'data-choices="/items/choices/department"' in html
    # Without the plan, the chosen section names its plan.
    html = client.get(f"/items?section={section.id}").get_data(as_text=True)
    assert _options(html, "section") == [
        "All",
        f"{plan_short_title(LONG_TITLE)} · 三.(一) 标准",
    ]


def test_with_a_plan_chosen_only_its_sections_are_offered(office_client):
    client, lead = office_client
    first, _ = _add_plan(1, lead)
    for n in range(2, 13):
        _add_plan(n, lead)
    assert _labels(client, "section", plan=first.id) == [section_option_label("三.(一)", "标准")]


def test_without_a_plan_each_section_names_its_plan(office_client):
    client, lead = office_client
    _add_plan(1, lead)
    _add_plan(2, lead)
    assert sorted(_labels(client, "section")) == sorted(
        [f"{plan_short_title(LONG_TITLE)} · 三.(一) 标准", "第2号专项规划 · 三.(一) 标准"]
    )
    # A very long plan title is shortened with an ellipsis, not cut without a sign.
    assert plan_short_title(LONG_TITLE).endswith("…")
    assert len(plan_short_title(LONG_TITLE)) <= 14
    # Searching by the plan's name finds its sections.
    assert _labels(client, "section", q="第2号") == ["第2号专项规划 · 三.(一) 标准"]


def test_one_plan_needs_no_plan_name(office_client):
    client, lead = office_client
    _add_plan(2, lead)
    assert _labels(client, "section") == ["三.(一) 标准"]


def test_departments_are_searched_and_capped(office_client):
    client, lead = office_client
    plan, _ = _add_plan(2, lead)
    for n in range(25):
        make_item(plan, make_department(f"搜索局{n:02d}"), code=f"S{n}")
    make_department("没有事项的局")
    db.session.commit()
    answer = client.get("/items/choices/department", query_string={"q": "搜索"}).get_json()
    assert len(answer["results"]) == 20 and answer["more"] is True
    assert _labels(client, "department", q="搜索局07") == ["搜索局07"]
    # Only departments that lead an item are offered; % and _ are plain characters.
    assert _labels(client, "department", q="没有") == []
    assert _labels(client, "department", q="%") == []
    assert _labels(client, "plan", q="第2号") == ["第2号专项规划"]


def test_a_liaison_is_offered_only_what_their_items_use(client):
    mine, other = make_department("甲局"), make_department("乙局")
    plan, _ = _add_plan(2, mine)
    make_item(plan, other, code="X1")
    liaison = make_user("liaison", mine)
    login_as(client, liaison)
    assert _labels(client, "department") == ["甲局"]
    html = client.get(f"/items?department={other.id}").get_data(as_text=True)
    assert _options(html, "department") == ["All"]


def test_bad_choice_requests(office_client):
    client, lead = office_client
    _add_plan(2, lead)
    assert client.get("/items/choices/everything").status_code == 404
    # A plan that is not a number: no scope; one beyond the columns' range: 400.
    assert client.get("/items/choices/section?plan=abc").status_code == 200
    assert client.get("/items/choices/section?plan=99999999999999999999").status_code == 400
    assert client.get("/items/choices/section", query_string={"q": "x" * 5000}).status_code == 200


def test_choices_need_a_login(client):
    answer = client.get("/items/choices/department")
    assert answer.status_code in (302, 401)


def test_a_long_section_title_is_shortened_visibly():
    label = section_option_label("三.(一)", "标准" * 30, "短规划")
    assert label.startswith("短规划 · 三.(一) 标准") and label.endswith("…")
