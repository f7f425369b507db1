"""The indicator chart in a real browser: plotly (served locally) draws under the strict CSP."""

import pytest

from tests.e2e.conftest import SKIP_WITHOUT_CHROMIUM
from tests.indicators_support import add_value, indicator, make_plan
from tracker.extensions import db

pytestmark = [pytest.mark.browser, SKIP_WITHOUT_CHROMIUM]


def test_chart_draws_without_csp_violations(live_server, browser, factories):
    from tests.conftest import TEST_PASSWORD

    plan = make_plan()
    target = indicator(plan, 20)
    for year, value in ((2021, 2.9), (2022, 3.0), (2023, 3.1)):
        add_value(target, year, value)
    user = factories.user("leader")
    db.session.commit()

    problems = []
    page = browser.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and "favicon" not in msg.location.get("url", "")
            else None
        ),
    )
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto(f"{live_server}/indicators/{target.id}")
    page.wait_for_selector("#indicator-chart[data-drawn='1'] .main-svg", timeout=15000)
    legend = page.locator("#indicator-chart .legend").text_content()
    assert "核定数值" in legend and "序时进度" in legend
    assert page.locator("#indicator-chart .scatterlayer .trace").count() >= 3
    assert not problems, problems
