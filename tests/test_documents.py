"""The office-document kit itself: safe cells, real dates, frozen headers, the GB/T 9704 page,
and the one download response."""

import io
import zipfile
from datetime import date, datetime

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from tracker.documents import docx, xlsx
from tracker.documents.archive import zip_summary
from tracker.documents.download import send_download

# --- xlsx --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1"])
def test_formula_like_text_gets_an_apostrophe(text):
    assert xlsx.neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["推进质量强市", "1-2月", "a=b", "email@x.cn"])
def test_ordinary_text_is_left_alone(text):
    assert xlsx.neutralise(text) == text


def test_control_characters_go_and_long_text_is_cut():
    assert xlsx.neutralise("进\x00展\x07情\x1b况") == "进展情况"
    # A control character hiding a formula does not hide it for long.
    assert xlsx.neutralise("\x01=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert len(xlsx.neutralise("字" * 40000)) == xlsx.MAX_CELL_CHARS
    assert xlsx.neutralise("=" * 40000) == "'" + "=" * (xlsx.MAX_CELL_CHARS - 1)


def test_safe_value_passes_numbers_dates_and_none():
    today = date(2026, 11, 27)
    assert [xlsx.safe_value(v) for v in (5, 0.5, None, today)] == [5, 0.5, None, today]
    assert xlsx.safe_value("=1") == "'=1"


def _table(rows, **kwargs):
    workbook = xlsx.new_workbook("工作簿")
    ws = xlsx.add_sheet(workbook, "表[1]/测试:" + "很长" * 20)
    first = xlsx.write_table(
        ws,
        title="=标题",
        headers=["序号", "事项", "时限", "比例"],
        rows=rows,
        widths=[(6, 10), (10, 30), 14, (6, 8)],
        **kwargs,
    )
    return first, load_workbook(io.BytesIO(xlsx.to_bytes(workbook)))


def test_a_table_has_frozen_header_real_dates_and_no_formula():
    due = date(2026, 12, 31)
    stamp = datetime(2026, 11, 27, 9, 30)
    first, workbook = _table(
        [["1", "=cmd|' /C calc'!A0", due, 0.5], ["2", "推进" * 40, stamp, None]],
        subtitle="截至2026年11月27日",
        formats={4: xlsx.PERCENT_FORMAT},
    )
    ws = workbook.worksheets[0]
    assert first == 4
    assert ws.title == ("表1测试" + "很长" * 20)[:31]
    assert workbook.properties.title == "工作簿"
    assert ws["A1"].value == "'=标题" and ws["A2"].value == "截至2026年11月27日"
    assert [c.value for c in ws[3]] == ["序号", "事项", "时限", "比例"]
    assert ws["A3"].font.b
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3"
    # Dates are date cells with a Chinese format, not text.
    assert ws["C4"].is_date and ws["C4"].value == datetime(2026, 12, 31)
    assert ws["C4"].number_format == xlsx.DATE_FORMAT
    assert ws["C5"].is_date and ws["C5"].number_format == xlsx.DATETIME_FORMAT
    assert ws["D4"].value == 0.5 and ws["D4"].number_format == xlsx.PERCENT_FORMAT
    # Nothing anywhere is a formula.
    assert ws["B4"].value == "'=cmd|' /C calc'!A0" and ws["B4"].data_type == "s"
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
    # Fitted between min and max, fixed where a number is given; long text wraps.
    assert ws.column_dimensions["B"].width == 30
    assert ws.column_dimensions["C"].width == 14
    assert 6 <= ws.column_dimensions["A"].width <= 10
    assert ws["B5"].alignment.wrap_text
    assert ws.page_setup.orientation == "landscape"


def test_no_subtitle_puts_the_header_on_row_two():
    first, workbook = _table([["1", "事项", None, None]])
    assert first == 3 and workbook.worksheets[0].freeze_panes == "A3"


def test_cjk_counts_double_and_status_fills():
    assert xlsx.display_width("ab") == 2 and xlsx.display_width("市发改委") == 8
    workbook = xlsx.new_workbook()
    ws = xlsx.add_sheet(workbook, "s")
    xlsx.fill(ws, 1, 1, "bad")
    xlsx.fill(ws, 1, 2, "nonsense")
    assert ws["A1"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["B1"].fill.fill_type is None


# --- docx --------------------------------------------------------------------------------


def _east_asia(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def _document():
    doc = docx.new_document(title="关于规划实施情况的报告")
    docx.title(doc, "关于规划实施情况的报告")
    docx.heading(doc, "一、总体情况")
    docx.heading(doc, "（一）分章节", level=2)
    docx.body(doc, "正文\x07内容")
    docx.table(doc, ["序号", "指标"], [[1, "地区生产总值"]], widths_mm=[10, 40])
    return Document(io.BytesIO(docx.to_bytes(doc)))


def test_docx_page_has_the_gbt_9704_margins_and_page_numbers():
    section = _document().sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.top_margin.mm) == 37 and round(section.bottom_margin.mm) == 35
    assert round(section.left_margin.mm) == 28 and round(section.right_margin.mm) == 26
    footer = section.footer._element.xml
    assert "PAGE" in footer and "— " in section.footer.paragraphs[0].text


def test_docx_fonts_sizes_and_indent():
    document = _document()
    assert document.core_properties.title == "关于规划实施情况的报告"
    title, heading, subheading, body = document.paragraphs[:4]
    assert _east_asia(title.runs[0]) == docx.TITLE_FONT and title.runs[0].font.size.pt == 22
    assert _east_asia(heading.runs[0]) == "黑体" and heading.runs[0].font.size.pt == 16
    assert _east_asia(subheading.runs[0]) == "楷体_GB2312"
    assert _east_asia(body.runs[0]) == "仿宋_GB2312" and body.runs[0].font.size.pt == 16
    assert body.text == "正文内容"  # a control character would make Word refuse the file
    assert body.paragraph_format.first_line_indent.pt == 32  # two characters of 三号
    assert body.paragraph_format.line_spacing.pt == 28
    normal = document.styles["Normal"]
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"


def test_docx_table_repeats_its_header_in_heiti():
    table = _document().tables[0]
    assert table.style.name == "Table Grid"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    header, cell = table.rows[0].cells[0], table.rows[1].cells[1]
    assert _east_asia(header.paragraphs[0].runs[0]) == "黑体"
    assert cell.text == "地区生产总值" and _east_asia(cell.paragraphs[0].runs[0]) == "仿宋_GB2312"
    assert round(table.rows[1].cells[1].width.mm) == 40


def test_red_rule_and_no_page_numbers_when_asked():
    doc = docx.new_document(page_numbers=False)
    docx.red_rule(docx.paragraph(doc, "〔2026〕1号", align=docx.CENTER))
    document = Document(io.BytesIO(docx.to_bytes(doc)))
    assert 'w:color="C00000"' in document.paragraphs[0]._p.xml
    assert "PAGE" not in document.sections[0].footer._element.xml


# --- the download response ---------------------------------------------------------------


def test_download_is_a_private_no_store_attachment(app):
    with app.test_request_context():
        response = send_download(
            b"data", filename="任务分解表.xlsx", mimetype=xlsx.XLSX_MIMETYPE, ascii_name='a"b.xlsx'
        )
        response.direct_passthrough = False
        assert response.get_data() == b"data"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="ab.xlsx"; ')
    assert "filename*=UTF-8''%E4%BB%BB" in disposition
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.mimetype == xlsx.XLSX_MIMETYPE


# --- the archive look --------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_summary_reads_an_office_package_and_spots_a_bomb(tmp_path):
    workbook = xlsx.new_workbook()
    xlsx.add_sheet(workbook, "s")
    summary = zip_summary(xlsx.to_bytes(workbook))
    assert summary.is_office("xlsx") and not summary.is_office("docx")
    assert not summary.overcompressed(200, above=1 << 20)
    bomb = _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"\0" * (8 << 20)})
    path = tmp_path / "bomb.docx"
    path.write_bytes(bomb)
    summary = zip_summary(path)
    assert summary.is_office("docx") and summary.count == 2
    assert summary.inflated == (8 << 20) + 4
    assert summary.overcompressed(200, above=1 << 20)
    assert zip_summary(b"PK\x03\x04 not really a zip") is None
