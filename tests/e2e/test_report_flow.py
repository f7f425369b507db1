"""End to end in a real browser: write, return, fix, resubmit, verify (headless Chromium).

The app runs on a real HTTP server (werkzeug, loopback, a free port) against the test
database, with CSRF protection on as in production. Playwright drives Debian's chromium;
each step leaves a screenshot in test-artifacts/e2e/.
"""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import ARTIFACTS, SKIP_WITHOUT_CHROMIUM
from tests.items_support import PDF_BYTES, Scene

pytestmark = [pytest.mark.browser, SKIP_WITHOUT_CHROMIUM]


@pytest.fixture
def scene(app):
    from tracker.extensions import db

    with app.test_request_context():
        scene = Scene()
        scene.item.title = "强化标准创新引领作用"
        db.session.commit()
        return {"item_id": scene.item.id, "code": scene.item.code}


def log_in(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    return page


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_report_is_returned_fixed_and_verified(live_server, scene, browser, tmp_path):
    evidence = tmp_path / "验收材料.pdf"
    evidence.write_bytes(PDF_BYTES)
    reason = "请补充标准立项文件作为佐证"

    # 1. The liaison writes the report with a file and submits it.
    liaison = log_in(browser, live_server, "lead")
    assert liaison.url.endswith("/my")
    liaison.click(f"#to-write a[href='/items/{scene['item_id']}/report']")
    liaison.fill("#narrative", "本季度完成2项团体标准立项。")
    liaison.fill("#progress", "40")
    liaison.set_input_files("#files", str(evidence))
    shot(liaison, "01-liaison-writes-report")
    with liaison.expect_navigation():
        liaison.click("button[name=action][value=submit]")
    assert "报告已提交督办室" in liaison.content()
    assert "验收材料.pdf" in liaison.content()
    shot(liaison, "02-liaison-submitted")

    # 2. The office returns it with a reason.
    office = log_in(browser, live_server, "office")
    assert office.url.endswith("/office")
    office.goto(f"{live_server}/review")
    with office.expect_navigation():
        office.click(f"text={scene['code']} >> xpath=ancestor::tr//a[contains(@href,'/reports/')]")
    office.click("#return-form button[type=submit]")  # without a reason first: refused
    assert "退回报告时请说明理由" in office.content()
    office.fill("#return-form textarea[name=reason]", reason)
    shot(office, "03-office-returns-with-reason")
    with office.expect_navigation():
        office.click("#return-form button[type=submit]")
    assert "已退回" in office.content()

    # 3. The liaison sees the reason first, fixes the report and resubmits.
    liaison.goto(f"{live_server}/my")
    returned = liaison.locator("#returned")
    assert reason in returned.inner_text()
    shot(liaison, "04-liaison-sees-reason")
    with liaison.expect_navigation():
        returned.locator("a.btn").first.click()
    assert reason in liaison.locator("#return-reason").inner_text()
    liaison.fill("#narrative", "本季度完成2项团体标准立项，已附立项文件。")
    liaison.fill("#progress", "60")
    shot(liaison, "05-liaison-fixes-report")
    with liaison.expect_navigation():
        liaison.click("button[name=action][value=submit]")
    assert "报告已提交督办室" in liaison.content()

    # 4. The office sees what changed since the return and verifies.
    office.goto(f"{live_server}/review")
    with office.expect_navigation():
        office.click(f"text={scene['code']} >> xpath=ancestor::tr//a[contains(@href,'/reports/')]")
    page = office.content()
    assert "退回后的修改" in page and "已附立项文件" in page
    shot(office, "06-office-reviews-resubmission")
    with office.expect_navigation():
        office.click("#verify-form button[type=submit]")
    assert "审核通过" in office.content()

    # 5. The item shows the new verified progress, and the whole history.
    liaison.goto(f"{live_server}/items/{scene['item_id']}")
    body = liaison.content()
    assert "60%" in liaison.locator(".progress").inner_text()
    assert reason in body and "历史：共提交 2 次" in body
    shot(liaison, "07-item-shows-new-progress")


def test_support_needed_becomes_a_coordination_request_the_office_resolves(
    live_server, scene, browser
):
    """需协调事项 in a report → verified → listed on /coordination → resolved with a note."""
    liaison = log_in(browser, live_server, "lead")
    liaison.goto(f"{live_server}/items/{scene['item_id']}/report")
    liaison.fill("#narrative", "本季度完成方案编制。")
    liaison.fill("#problems", "项目用地尚未落实。")
    liaison.fill("#support_needed", "请协调自然资源部门保障用地指标。")
    with liaison.expect_navigation():
        liaison.click("button[name=action][value=submit]")
    assert "报告已提交督办室" in liaison.content()

    office = log_in(browser, live_server, "office")
    office.goto(f"{live_server}/review")
    with office.expect_navigation():
        office.click(f"text={scene['code']} >> xpath=ancestor::tr//a[contains(@href,'/reports/')]")
    assert "项目用地尚未落实" in office.content()
    with office.expect_navigation():
        office.click("#verify-form button[type=submit]")
    office.goto(f"{live_server}/office")
    with office.expect_navigation():
        office.click("a[href='/coordination']:has-text('1')")
    row = office.locator(".coordination-row").first
    assert "请协调自然资源部门保障用地指标" in row.inner_text()
    with office.expect_navigation():
        row.locator("button[type=submit]").click()  # without a note first: refused
    assert "请填写办理结果" in office.content()
    row = office.locator(".coordination-row").first
    row.locator("textarea[name=resolution]").fill("已协调市自然资源局，年内保障。")
    shot(office, "08-office-resolves-coordination")
    with office.expect_navigation():
        row.locator("button[type=submit]").click()
    assert "协调事项已办结" in office.content()
