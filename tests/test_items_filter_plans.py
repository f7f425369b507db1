"""The item list's section filter says which plan: scoped to the chosen plan, and labelled
with its plan when none is chosen (三.(一) is a different section in every plan)."""

import re

import pytest

from tests.conftest import login_as, make_department, make_user
from tests.items_support import make_item, make_plan
from tracker.extensions import db
from tracker.models import PlanNode
from tracker.plan_lists import plan_short_title, section_option_label

LONG_TITLE = "绍兴市" + "质量发展和标准化战略" * 8 + "“十四五”规划"


def _section_options(html: str) -> list[str]:
    select = re.search(r'<select[^>]*id="section"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [text.strip() for text in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)][1:]


def _add_plan(n: int, lead):
    plan = make_plan(title=f"第{n}号专项规划" if n > 1 else LONG_TITLE)
    section = db.session.query(PlanNode).filter_by(plan_id=plan.id, kind="section").one()
    make_item(plan, lead, code=f"P{n}", section_node_id=section.id)
    db.session.commit()
    return plan


@pytest.fixture
def office_client(client):
    office = make_user("office", make_department("督办室", kind="office"))
    lead = make_department("甲局")
    db.session.commit()
    login_as(client, office)
    return client, lead


def test_with_a_plan_chosen_the_page_does_not_grow_with_the_number_of_plans(office_client):
    client, lead = office_client
    first = _add_plan(1, lead)
    _add_plan(2, lead)
    url = f"/items?plan={first.id}"
    before = client.get(url).get_data(as_text=True)
    assert _section_options(before) == [section_option_label("三.(一)", "标准")]
    for n in range(3, 13):
        _add_plan(n, lead)
    after = client.get(url).get_data(as_text=True)
    assert _section_options(after) == _section_options(before)
    # Only the plan chooser grows, by one short option per plan — not by its sections.
    added_plan_options = sum(len(f"第{n}号专项规划") + 40 for n in range(3, 13))
    assert len(after) - len(before) <= added_plan_options


def test_without_a_plan_each_section_names_its_plan(office_client):
    client, lead = office_client
    _add_plan(1, lead)
    _add_plan(2, lead)
    options = _section_options(client.get("/items").get_data(as_text=True))
    assert options == [
        f"{plan_short_title(LONG_TITLE)} · 三.(一) 标准",
        "第2号专项规划 · 三.(一) 标准",
    ]
    # A very long plan title is shortened with an ellipsis, not cut without a sign.
    assert plan_short_title(LONG_TITLE).endswith("…")
    assert len(plan_short_title(LONG_TITLE)) <= 14


def test_one_plan_needs_no_plan_name(office_client):
    client, lead = office_client
    _add_plan(2, lead)
    assert _section_options(client.get("/items").get_data(as_text=True)) == ["三.(一) 标准"]


def test_a_long_section_title_is_shortened_visibly():
    label = section_option_label("三.(一)", "标准" * 30, "短规划")
    assert label.startswith("短规划 · 三.(一) 标准") and label.endswith("…")
