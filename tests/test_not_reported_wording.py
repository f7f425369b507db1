"""未报送 only after the report deadline (tracker/periods.py `not_reported_label`): before
it, the 通报 and the dashboards say 尚未报送（截止日未到） and nobody is ranked in arrears
for a report that is not yet due."""

from datetime import date, timedelta

import pytest

from tests.conftest import login_as
from tests.dashboard_support import make_item, make_period, make_plan, make_report
from tracker.bulletins.data import build_bulletin
from tracker.bulletins.document import headers, ranking_text, summary_text
from tracker.dashboard.overview import city_overview
from tracker.dashboard.reporting import deadline_cutoff
from tracker.extensions import db
from tracker.periods import deadline_passed

DEADLINE = date(2026, 10, 13)
LONG_NAME = "市" + "质量强市和标准化战略领导小组成员单位" * 6 + "局"

BEFORE = "尚未报送（截止日未到）"
AFTER = "未报送"


@pytest.fixture
def world(factories):
    slow = factories.department("市发改委")
    done = factories.department(LONG_NAME[:60])
    office = factories.department("市质量强市办", kind="office")
    plan, nodes = make_plan()
    q3 = make_period(plan, "2026Q3", date(2026, 7, 1), date(2026, 9, 30), DEADLINE)
    make_item(plan, "三.1.(1)", slow, due=date(2027, 6, 30), section=nodes["三.(一)"])
    written = make_item(plan, "三.2.(1)", done, due=date(2027, 6, 30), section=nodes["三.(二)"])
    cutoff = deadline_cutoff(DEADLINE, "Asia/Shanghai")
    make_report(written, q3, "verified", submitted_at=cutoff - timedelta(days=3))
    db.session.commit()
    return dict(plan=plan, q3=q3, slow=slow, office=office)


def test_the_rule_turns_the_day_after_the_deadline():
    period = type("P", (), {"deadline": DEADLINE})()
    assert not deadline_passed(period, DEADLINE - timedelta(days=1))
    assert not deadline_passed(period, DEADLINE)  # the deadline day is still in time
    assert deadline_passed(period, DEADLINE + timedelta(days=1))


@pytest.mark.today("2026-10-12")
def test_a_day_before_the_deadline_the_bulletin_says_not_yet(client, factories, world):
    bulletin = build_bulletin(world["q3"], date(2026, 10, 12), "Asia/Shanghai")
    assert bulletin.total.missing == 1
    assert BEFORE in headers(bulletin)
    assert f"{BEFORE}1份" in summary_text(bulletin) and "、未报送" not in summary_text(bulletin)
    assert bulletin.lagging == []  # the missing report is not due yet: no arrears
    assert not any("未报送" in text for text in ranking_text(bulletin))

    login_as(client, factories.user("office", world["office"]))
    html = client.get(f"/bulletins/{world['q3'].id}").get_data(as_text=True)
    assert f"<th>{BEFORE}</th>" in html
    assert f"<th>{AFTER}</th>" not in html
    assert LONG_NAME[:60] in html  # a very long department name is shown whole
    docx = client.get(f"/bulletins/{world['q3'].id}.docx")
    assert docx.status_code == 200


@pytest.mark.today("2026-10-14")
def test_a_day_after_the_deadline_it_is_not_reported(client, factories, world):
    bulletin = build_bulletin(world["q3"], date(2026, 10, 14), "Asia/Shanghai")
    assert AFTER in headers(bulletin) and BEFORE not in headers(bulletin)
    assert "、未报送1份" in summary_text(bulletin)
    assert [line.stats.department_id for line in bulletin.lagging] == [world["slow"].id]

    login_as(client, factories.user("office", world["office"]))
    html = client.get(f"/bulletins/{world['q3'].id}").get_data(as_text=True)
    assert f"<th>{AFTER}</th>" in html and BEFORE not in html
    plan_id = world["plan"].id
    for url in (f"/dashboard/?plan={plan_id}", f"/dashboard/department/{world['slow'].id}"):
        page = client.get(url).get_data(as_text=True)
        assert AFTER in page and BEFORE not in page, url


@pytest.mark.today("2026-10-12")
def test_dashboards_never_count_a_report_not_yet_due(client, factories, world):
    """The dashboards show the last period whose deadline has passed: before Q3's deadline
    there is none, so no department is counted 未报送 for Q3."""
    overview = city_overview(world["plan"], date(2026, 10, 12), 14)
    assert overview.period is None and overview.reporting == []
    login_as(client, factories.user("office", world["office"]))
    page = client.get(f"/dashboard/?plan={world['plan'].id}").get_data(as_text=True)
    assert "尚无已过报送截止日期的报告期" in page
