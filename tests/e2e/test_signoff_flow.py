"""End to end in a real browser: a department with an approver — the liaison submits, the
approver signs off from their home page, the office finds it in the review queue."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import SKIP_WITHOUT_CHROMIUM
from tests.e2e.test_report_flow import log_in, shot
from tests.items_support import Scene

pytestmark = [pytest.mark.browser, SKIP_WITHOUT_CHROMIUM]


@pytest.fixture
def scene(app):
    from tests.conftest import make_user
    from tracker.extensions import db

    with app.test_request_context():
        scene = Scene()
        make_user("approver", scene.lead_dept, username="approver")
        db.session.commit()
        return {"item_id": scene.item.id, "code": scene.item.code}


def test_report_is_signed_off_then_reaches_the_office(live_server, scene, browser):
    liaison = log_in(browser, live_server, "lead")
    liaison.click(f"#to-write a[href='/items/{scene['item_id']}/report']")
    liaison.fill("#narrative", "本季度完成2项团体标准立项。")
    liaison.fill("#progress", "40")
    with liaison.expect_navigation():
        liaison.click("button[name=action][value=submit]")
    assert "报告已报送本单位负责人审签" in liaison.content()

    approver = log_in(browser, live_server, "approver")
    assert approver.url.endswith("/signoff")
    assert scene["code"] in approver.content()
    with approver.expect_navigation():
        approver.click("#signoff-queue a[href*='/reports/']")
    shot(approver, "signoff-01-approver-report")
    with approver.expect_navigation():
        approver.click("#approve-form button[type=submit]")
    assert "已审签并报送办公室" in approver.content()
    assert 'id="signoff-queue"' not in approver.content()

    office = log_in(browser, live_server, "office")
    office.goto(f"{live_server}/review")
    assert scene["code"] in office.content()
    shot(office, "signoff-02-office-queue")
