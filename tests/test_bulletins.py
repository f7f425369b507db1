"""Bulletins (通报): per department for a period, ranked, printable and as .docx."""

import io
import zipfile
from datetime import date, datetime, timedelta

import pytest
from docx import Document

from tests.conftest import login_as
from tests.dashboard_support import make_item, make_period, make_plan, make_report
from tracker import clock
from tracker.bulletins.data import build_bulletin
from tracker.dashboard.reporting import deadline_cutoff
from tracker.extensions import db

TODAY = date(2026, 11, 27)
pytestmark = pytest.mark.today(TODAY.isoformat())


@pytest.fixture
def world(factories):
    fgw = factories.department("市发改委")
    jxj = factories.department("市经信局")
    office = factories.department(
        "市质量强市办", kind="office", name="绍兴市质量强市和标准化战略领导小组办公室"
    )
    plan, nodes = make_plan()
    q3 = make_period(plan, "2026Q3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 13))
    cutoff = deadline_cutoff(q3.deadline, "Asia/Shanghai")
    a = make_item(plan, "三.1.(1)", fgw, due=date(2026, 9, 1), section=nodes["三.(一)"])
    b = make_item(plan, "三.1.(2)", fgw, due=date(2027, 6, 30), section=nodes["三.(一)"])
    c = make_item(plan, "三.2.(1)", jxj, due=date(2027, 6, 30), section=nodes["三.(二)"])
    make_report(
        a,
        q3,
        "returned",
        submitted_at=cutoff + timedelta(hours=1),
        revisions=[(cutoff + timedelta(hours=1), "returned")],
    )
    make_report(c, q3, "verified", submitted_at=cutoff - timedelta(days=1))
    # b has no report at all.
    return dict(plan=plan, q3=q3, fgw=fgw, jxj=jxj, office=office, items=(a, b, c))


def test_bulletin_figures_and_ranking(app, world):
    bulletin = build_bulletin(world["q3"], TODAY, "Asia/Shanghai")
    assert [line.name for line in bulletin.lines] == ["市经信局", "市发改委"]
    jxj, fgw = (line.stats for line in bulletin.lines)
    assert (jxj.due, jxj.on_time, jxj.late, jxj.missing, jxj.returned) == (1, 1, 0, 0, 0)
    assert (fgw.due, fgw.on_time, fgw.late, fgw.missing, fgw.returned) == (2, 0, 1, 1, 1)
    assert fgw.overdue == 1  # due 1 September, open at the 13 October deadline
    assert bulletin.total.due == 3
    assert bulletin.issue == 1
    assert bulletin.issuer == "绍兴市质量强市和标准化战略领导小组办公室"
    assert [line.name for line in bulletin.lagging] == ["市发改委"]


def test_office_reads_a_printable_bulletin(client, factories, world):
    login_as(client, factories.user("office", world["office"]))
    html = client.get(f"/bulletins/{world['q3'].id}").get_data(as_text=True)
    assert "规划督办通报" in html
    assert "关于2026年第3季度规划任务推进情况的通报" in html
    assert "市发改委" in html and "按时报送率" in html
    plan_id, fgw_id = world["plan"].id, world["fgw"].id
    overdue_link = f"/items?plan={plan_id}&amp;department={fgw_id}&amp;due=overdue"
    # Overdue was counted at the 13 October deadline; today's list would not match it.
    assert overdue_link not in html
    with client.application.app_context():
        today = clock.today()
    current = make_period(
        world["plan"],
        "2026Q4",
        today - timedelta(days=30),
        today + timedelta(days=30),
        today + timedelta(days=40),
    )
    db.session.commit()
    html = client.get(f"/bulletins/{current.id}").get_data(as_text=True)
    assert overdue_link in html
    index = client.get("/bulletins/").get_data(as_text=True)
    assert f"/bulletins/{world['q3'].id}.docx" in index


def test_docx_download_in_chinese_fonts(client, factories, world):
    login_as(client, factories.user("leader", world["office"]))
    response = client.get(f"/bulletins/{world['q3'].id}.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.mimetype.endswith("wordprocessingml.document")
    document = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "规划督办通报" in text and "〔" in text
    table = document.tables[0]
    assert table.rows[0].cells[1].text == "部门"
    assert [row.cells[1].text for row in table.rows[1:]] == ["市经信局", "市发改委"]
    xml = zipfile.ZipFile(io.BytesIO(response.data)).read("word/document.xml").decode()
    assert 'w:eastAsia="仿宋_GB2312"' in xml and 'w:eastAsia="方正小标宋简体"' in xml


def test_liaisons_may_not_read_bulletins(client, factories, world):
    login_as(client, factories.user("liaison", world["fgw"]))
    assert client.get("/bulletins/").status_code == 403
    assert client.get(f"/bulletins/{world['q3'].id}").status_code == 403
    assert client.get(f"/bulletins/{world['q3'].id}.docx").status_code == 403


def test_unknown_period_is_404(client, factories, world):
    login_as(client, factories.user("office", world["office"]))
    assert client.get("/bulletins/9999").status_code == 404
    assert client.get("/bulletins/9999.docx").status_code == 404


def test_completed_and_retired_items_owe_nothing(app, world, factories):
    plan = world["plan"]
    make_item(plan, "旧1", world["jxj"], status="completed", completed_at=datetime(2026, 6, 1))
    make_item(plan, "旧2", world["jxj"], retired_at=datetime(2026, 5, 1))
    make_item(plan, "新1", world["jxj"], created_at=datetime(2026, 11, 1))
    bulletin = build_bulletin(world["q3"], TODAY, "Asia/Shanghai")
    assert next(line for line in bulletin.lines if line.name == "市经信局").stats.due == 1
