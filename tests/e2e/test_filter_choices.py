"""The item list's searchable filters in a real browser (static/choices.js): type part of a
department's name, pick it with the keyboard, filter; choose a plan and its sections only.

The page ships only the chosen options (issue 20); this checks that a user can still reach
every other one, and that the script runs under the CSP (no inline script).
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import ARTIFACTS, SKIP_WITHOUT_CHROMIUM
from tests.e2e.test_report_flow import log_in

pytestmark = [pytest.mark.browser, SKIP_WITHOUT_CHROMIUM]


@pytest.fixture
def scene(app):
    from tests.conftest import make_department, make_user
    from tests.items_support import make_item, make_plan
    from tracker.extensions import db
    from tracker.models import PlanNode

    with app.test_request_context():
        make_user("office", make_department("督办室", kind="office"), username="office")
        first, second = make_plan("第一规划"), make_plan("第二规划")
        wanted = make_department("市场监管局")
        for n in range(12):
            make_item(first, make_department(f"其他部门{n:02d}"), code=f"X{n}")
        make_item(first, wanted, code="W1", title="标准化示范项目")
        section = db.session.query(PlanNode).filter_by(plan_id=second.id, kind="section").one()
        make_item(second, wanted, code="S1", section_node_id=section.id)
        db.session.commit()
        return {"department": wanted.id, "second": second.id, "section": section.id}


def test_a_department_is_found_by_typing_and_chosen_with_the_keyboard(live_server, scene, browser):
    page = log_in(browser, live_server, "office")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server}/items")
    box = page.locator("input#department")
    box.fill("市场")
    page.wait_for_selector("#department-choices li[data-value]:has-text('市场监管局')")
    # Focusing asked for everything first; the typed words' answer replaces it.
    page.wait_for_selector("#department-choices li:has-text('其他部门')", state="detached")
    options = page.locator("#department-choices li[data-value]").all_inner_texts()
    assert "市场监管局" in options and not any("其他部门" in o for o in options)
    # "All" and "No owner" come first, then the match: down three times, Enter.
    for _ in range(3):
        box.press("ArrowDown")
    box.press("Enter")
    assert box.input_value() == "市场监管局"
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    assert re.search(rf"department={scene['department']}(&|$)", page.url)
    assert page.locator("input#department").input_value() == "市场监管局"
    # The visible text, not the HTML: a random CSRF token in it may hold "X3" (seen in CI).
    listed = page.locator("main").inner_text()
    assert "W1" in listed and "X3" not in listed
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "filter-choices-department.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e]


def test_sections_follow_the_chosen_plan(live_server, scene, browser):
    page = log_in(browser, live_server, "office")
    page.goto(f"{live_server}/items")
    page.locator("input#plan").fill("第二")
    page.locator("#plan-choices li[data-value]:has-text('第二规划')").click()
    page.locator("input#section").focus()
    page.wait_for_selector("#section-choices li[data-value]:has-text('三.(一)')")
    labels = page.locator("#section-choices li[data-value]").all_inner_texts()
    # Only the second plan's section, so no plan name in front of it.
    assert [label for label in labels if "三.(一)" in label] == ["三.(一) 标准"]
    page.locator("#section-choices li[data-value]:has-text('三.(一)')").click()
    with page.expect_navigation():
        page.click("form[role=search] button[type=submit]")
    assert f"plan={scene['second']}" in page.url and f"section={scene['section']}" in page.url
    listed = page.locator("main").inner_text()
    assert "S1" in listed and "W1" not in listed
