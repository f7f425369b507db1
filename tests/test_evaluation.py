"""The mid-term / final evaluation: its data, the page, and the .docx / .xlsx downloads."""

import io
from datetime import date, datetime

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook
from sqlalchemy import event

from tests.indicators_support import add_value, indicator, make_plan
from tracker.documents.xlsx import safe_value as safe_cell
from tracker.extensions import db
from tracker.indicators.evaluation import build_evaluation, default_year, evaluation_kind
from tracker.indicators.exports import evaluation_docx, evaluation_xlsx
from tracker.models import PlanNode, WorkItem

TODAY = date(2026, 11, 27)
pytestmark = pytest.mark.today(TODAY.isoformat())


@pytest.fixture(autouse=True)
def _request_context(app):
    """Labels are translated; tracker.i18n picks the locale from the request's session."""
    with app.test_request_context():
        yield


@pytest.fixture
def world(factories):
    plan = make_plan()
    scjgj = factories.department("市市场监管局")
    fgw = factories.department("市发改委")
    floor, target, cumulative = indicator(plan, 1), indicator(plan, 6), indicator(plan, 11)
    floor.department, target.department = scjgj, fgw
    add_value(floor, 2023, 95.5)  # binding floor not met → warning
    add_value(target, 2023, 3400.0)  # 3070 → 4300: 27 % at 60 % of the time → far behind
    add_value(cumulative, 2021, 20.0)
    add_value(cumulative, 2022, 22.0)
    add_value(cumulative, 2023, 21.0)  # 63 of 100 at 60 % → on track
    add_value(indicator(plan, 9), 2022, "完成")  # milestone done in 2022
    add_value(indicator(plan, 20), 2023, 2.9, state="submitted")  # not verified: no data
    sections = [
        PlanNode(
            plan=plan, kind="section", number="一", title="建设质量强市", code="三.(一)", position=1
        ),
        PlanNode(
            plan=plan, kind="section", number="二", title="推进标准化", code="三.(二)", position=2
        ),
    ]
    db.session.add_all(sections)
    db.session.flush()

    def item(code, section, lead, status="in_progress", completed_at=None, retired=False):
        db.session.add(
            WorkItem(
                plan_id=plan.id,
                code=code,
                title=f"事项{code}",
                section_node_id=section.id if section else None,
                lead_department_id=lead.id if lead else None,
                status=status,
                completed_at=completed_at,
                retired_at=datetime(2022, 1, 1) if retired else None,
            )
        )

    item("1", sections[0], scjgj, "completed", datetime(2023, 6, 1))
    # Completed at 00:30 on 1 Jan 2024 in Shanghai (16:30 UTC on 31 Dec): counts for 2024.
    item("2", sections[0], scjgj, "completed", datetime(2023, 12, 31, 16, 30))
    item("3", sections[1], fgw, "completed", datetime(2023, 12, 31, 15, 30))  # 23:30 local
    item("4", sections[1], fgw)
    item("5", None, None)
    item("6", sections[1], fgw, "completed", datetime(2022, 1, 1), retired=True)
    db.session.flush()

    class World:
        pass

    w = World()
    w.plan, w.scjgj, w.fgw = plan, scjgj, fgw
    w.office, w.leader = factories.user("office"), factories.user("leader")
    w.liaison = factories.user("liaison", scjgj)
    return w


def _line(report, number):
    return next(line for line in report.indicators if line.number == number)


def test_mid_or_final_by_year_and_the_default_year(world):
    assert evaluation_kind(world.plan, 2023) == "mid"
    assert evaluation_kind(world.plan, 2025) == "final"
    assert default_year(world.plan, date(2024, 3, 1)) == 2023
    assert default_year(world.plan, date(2030, 3, 1)) == 2025
    assert default_year(world.plan, date(2021, 3, 1)) == 2021


def test_indicator_lines_statuses_and_problems(world):
    report = build_evaluation(world.plan, 2023, today=TODAY)
    assert report.kind == "mid"
    floor = _line(report, 1)
    assert (floor.status.value, floor.warning, floor.value, floor.department) == (
        "not_met",
        True,
        "95.5",
        "市市场监管局",
    )
    assert _line(report, 6).status.value == "far_behind"
    assert not _line(report, 6).warning  # 预期性: no 预警
    cumulative = _line(report, 11)
    assert cumulative.status.value == "on_track"
    assert "63" in cumulative.value and cumulative.baseline == "[56]"
    assert cumulative.expected == "60"
    assert _line(report, 9).status.value == "done"
    assert _line(report, 20).status.value == "no_data"
    assert [line.number for line in report.warnings] == [1]
    problems = " ".join(report.problems())
    assert "制造业产品质量合格率" in problems and "R&D" in problems


def test_work_items_by_section_and_department_as_at_the_year_end(world):
    report = build_evaluation(world.plan, 2023, today=TODAY)
    sections = [(s.label, s.total, s.completed) for s in report.sections]
    assert sections[0] == ("（一）建设质量强市", 2, 1)  # item 2 finished in 2024 (Shanghai)
    assert sections[1] == ("（二）推进标准化", 2, 1)  # the retired item is left out
    assert sections[2][1:] == (1, 0)  # the item outside any section comes last
    departments = {d.label: (d.total, d.completed) for d in report.departments}
    assert departments["市市场监管局"] == (2, 1) and departments["市发改委"] == (2, 1)
    assert (report.items_total, report.items_completed) == (5, 2)
    later = build_evaluation(world.plan, 2024, today=TODAY)
    assert later.sections[0].completed == 2


def _docx_text(data: bytes):
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]
    return document, paragraphs, tables


def test_docx_is_a_chinese_government_style_report(app, world):
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("zh_Hans_CN"):
            report = build_evaluation(world.plan, 2023, today=TODAY)
            data = evaluation_docx(report)
    document, paragraphs, tables = _docx_text(data)
    assert paragraphs[0] == "绍兴市质量发展“十四五”规划中期评估报告"
    assert "一、总体情况" in paragraphs and "四、存在问题" in paragraphs
    title_run = document.paragraphs[0].runs[0]
    assert title_run.font.size.pt == 22
    assert title_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    body_run = document.paragraphs[paragraphs.index("一、总体情况") + 1].runs[0]
    assert body_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    indicators_table = tables[0]
    assert indicators_table[0][0] == "序号" and "责任单位" in indicators_table[0]
    floor_row = next(row for row in indicators_table if row[0] == "1")
    assert "制造业产品质量合格率★" in floor_row and "市市场监管局" in floor_row
    assert any("预警" in cell for cell in floor_row)
    assert document.tables[0].style.name == "Table Grid"
    sections_table = tables[1]
    assert sections_table[1][:3] == ["（一）建设质量强市", "2", "1"]
    footer_xml = document.sections[0].footer._element.xml
    assert "PAGE" in footer_xml
    assert any("制造业产品质量合格率" in p and "未达标" in p for p in paragraphs)


def test_xlsx_has_frozen_headers_widths_wrapping_and_no_formulas(app, world):
    indicator(world.plan, 6).name = '=HYPERLINK("http://evil.example","点我")'
    with app.test_request_context():
        from flask_babel import force_locale

        with force_locale("zh_Hans_CN"):
            data = evaluation_xlsx(build_evaluation(world.plan, 2023, today=TODAY))
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    assert sheet.title == "主要指标"
    assert sheet.freeze_panes == "A3"
    assert sheet["A2"].value == "序号" and sheet["J2"].value == "责任单位"
    names = [sheet.cell(row=r, column=3).value for r in range(3, sheet.max_row + 1)]
    assert "制造业产品质量合格率★" in names
    hostile = next(n for n in names if "HYPERLINK" in n)
    assert hostile.startswith("'=")
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert sheet.column_dimensions["C"].width >= 30
    assert sheet["C3"].alignment.wrap_text
    by_section = workbook.worksheets[1]
    assert by_section["A3"].value == "（一）建设质量强市" and by_section["B3"].value == 2
    assert by_section["D3"].number_format == "0.0%"
    problems = workbook.worksheets[-1]
    assert any("预警" in str(c.value) or "未达标" in str(c.value) for c in problems["B"])


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "正常", 5, None])
def test_safe_cell_neutralises_formula_prefixes(value):
    result = safe_cell(value)
    if isinstance(value, str) and value[:1] in "=+-@\t\r":
        assert result == "'" + value
    else:
        assert result == value


# --- the page and the downloads ----------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("office", 200), ("leader", 200), ("liaison", 403)])
def test_evaluation_page_is_for_office_and_leaders(client, world, factories, who, status):
    db.session.commit()
    factories.login_as(client, getattr(world, who))
    url = f"/indicators/evaluation?plan={world.plan.id}&year=2023"
    assert client.get(url).status_code == status
    assert client.get(url.replace("evaluation?", "evaluation.docx?")).status_code == status
    assert client.get(url.replace("evaluation?", "evaluation.xlsx?")).status_code == status


def test_office_chooses_mid_or_final(client, world, factories):
    db.session.commit()
    factories.login_as(client, world.office)
    html = client.get(f"/indicators/evaluation?plan={world.plan.id}&year=2025").get_data(
        as_text=True
    )
    assert "终期评估报告" in html
    html = client.get(f"/indicators/evaluation?plan={world.plan.id}&year=2025&type=mid").get_data(
        as_text=True
    )
    assert "中期评估报告" in html
    assert client.get(f"/indicators/evaluation?plan={world.plan.id}&year=2030").status_code == 404


def test_downloads_are_chinese_even_for_an_english_reader(client, world, factories):
    db.session.commit()
    factories.login_as(client, world.office)
    client.post("/language", data={"locale": "en"})
    page = client.get(f"/indicators/evaluation?plan={world.plan.id}&year=2023")
    assert "mid-term evaluation report" in page.get_data(as_text=True)
    response = client.get(f"/indicators/evaluation.docx?plan={world.plan.id}&year=2023")
    assert response.mimetype.endswith("wordprocessingml.document")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(
        f'attachment; filename="evaluation-{world.plan.id}-2023-mid.docx"'
    )
    assert "filename*=UTF-8''" in disposition and "%E4%B8%AD%E6%9C%9F" in disposition  # 中期
    _document, paragraphs, _tables = _docx_text(response.data)
    assert paragraphs[0].endswith("中期评估报告")
    response = client.get(f"/indicators/evaluation.xlsx?plan={world.plan.id}&year=2023")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert load_workbook(io.BytesIO(response.data)).worksheets[0]["A2"].value == "序号"


def test_evaluation_runs_a_bounded_number_of_queries(client, world, factories):
    factories.login_as(client, world.office)
    counts = []
    for size in (0, 60):
        for n in range(size):
            db.session.add(
                WorkItem(
                    plan_id=world.plan.id,
                    code=f"x{size}-{n}",
                    title="事项",
                    lead_department_id=(world.scjgj if n % 2 else world.fgw).id,
                    status="completed" if n % 3 == 0 else "in_progress",
                )
            )
        for ind in world.plan.indicators:
            for year in (2021, 2022):
                if size and not any(v.year == year for v in ind.values):
                    add_value(ind, year, 1.0 if ind.kind != "milestone" else "未完成")
        db.session.commit()
        counter = {"n": 0}

        def count(*_args, **_kwargs):
            counter["n"] += 1

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            response = client.get(f"/indicators/evaluation?plan={world.plan.id}&year=2023")
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200
        counts.append(counter["n"])
    assert counts[0] == counts[1] <= 10
