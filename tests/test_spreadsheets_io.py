"""The pure spreadsheet functions: rendering, safe reading, units and row interpretation."""

import io
from datetime import date

import openpyxl
import pytest

from tests.spreadsheet_support import BILLION_LAUGHS, HEADERS, rewrite_member, xlsx, zip_bomb
from tracker.documents.xlsx import DATE_FORMAT, display_width, neutralise
from tracker.spreadsheets import reader
from tracker.spreadsheets.reader import Limits, SpreadsheetRejected, header_key, read_sheet
from tracker.spreadsheets.render import (
    DecompositionRow,
    Group,
    IndicatorRow,
    ProgressRow,
    render_decomposition,
    render_indicators,
    render_progress,
)
from tracker.spreadsheets.rows import (
    BAD_DATE,
    DUPLICATE_CODE,
    FORMULA,
    MISSING_CODE,
    MISSING_TASK,
    MISSING_UNIT,
    TOO_LONG,
    UNKNOWN_DEPARTMENT,
    Context,
    interpret_rows,
)
from tracker.spreadsheets.units import UnitMention, resolve_owners, split_units

DEPARTMENTS = {"市发改委": 1, "市发展改革委": 1, "市经信局": 2, "市市场监管局": 3, "市科技局": 4}
CONTEXT = Context(resolve_department=DEPARTMENTS.get, plan_end=date(2025, 12, 31))


def _load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def _row(code="三.1.(1)", title="加强计量基础", lead="市发改委", co="市经信局", due="2025年底前"):
    return [code, "（一）夯实质量基础", title, "具体内容……", lead, co, due, ""]


# --- rendering ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("x")']
)
def test_sec_34_formula_like_text_is_neutralised(text):
    assert neutralise(text).startswith("'")
    data = render_decomposition("表", [Group("", [_decomposition_row(title=text)])])
    ws = _load(data)
    cell = ws.cell(row=3, column=3)
    assert cell.data_type == "s"
    assert cell.value == "'" + text


def test_plain_text_is_left_alone_and_control_characters_dropped():
    assert neutralise("推进计量") == "推进计量"
    assert neutralise("a\x07b") == "ab"


def _decomposition_row(**fields):
    defaults = dict(
        code="三.1.(1)",
        section="（一）夯实质量基础",
        title="加强计量基础",
        description="建设计量中心。" * 10,
        lead="市市场监管局",
        co="市发改委、市经信局",
        due=date(2025, 12, 31),
        progress="已完成 60%",
    )
    return DecompositionRow(**(defaults | fields))


def test_decomposition_layout_headers_dates_widths_and_groups():
    groups = [
        Group("（一）夯实质量基础", [_decomposition_row(), _decomposition_row(code="三.1.(2)")]),
        Group("专栏1 计量", [_decomposition_row(code="专栏1-1", due=None)]),
    ]
    ws = _load(render_decomposition("绍兴市质量发展规划任务分解表", groups, "2026年11月"))
    assert ws["A1"].value == "绍兴市质量发展规划任务分解表"
    assert [c.value for c in ws[3]] == HEADERS
    assert ws.freeze_panes == "A4"
    assert ws["A4"].value == "（一）夯实质量基础"  # group row
    assert ws["A5"].value == "三.1.(1)"
    due = ws["G5"]
    assert due.is_date and due.value.date() == date(2025, 12, 31)
    assert due.number_format == DATE_FORMAT
    assert ws["D5"].alignment.wrap_text
    assert ws.column_dimensions["D"].width == 60  # capped: long text wraps
    assert 8 <= ws.column_dimensions["A"].width <= 14
    assert ws["A7"].value == "专栏1 计量" and ws["G8"].value is None


def test_progress_and_indicator_tables():
    rows = [
        ProgressRow(
            "三.1.(1)",
            "任务",
            "市发改委",
            "",
            date(2025, 12, 31),
            "2026Q3",
            "=cmd|' /C calc'!A0",
            60,
            "进行中",
            date(2026, 10, 9),
            "warn",
        ),
    ]
    ws = _load(render_progress("进展情况表", rows))
    assert ws.freeze_panes == "A3"
    assert ws["G3"].value.startswith("'=") and ws["G3"].data_type == "s"
    assert ws["K3"].value == 0.6 and ws["K3"].number_format == "0%"
    indicators = [
        IndicatorRow(
            1,
            "质量建设",
            "合格率",
            "%",
            "96.56",
            "96",
            "约束性",
            {2021: 97.0, 2022: "-1"},
            {2021: "good"},
            "达到",
            "",
        ),
    ]
    ws = _load(render_indicators("指标", [2021, 2022], indicators, 2020, 2025))
    assert ws["H2"].value == "2021年" and ws["H3"].value == 97.0
    assert ws["I3"].value == "'-1"


def test_display_width_counts_cjk_double():
    assert display_width("ab") == 2
    assert display_width("市发改委") == 8


# --- reading -----------------------------------------------------------------------------


def test_reads_rows_after_a_title_row_and_maps_columns():
    data = xlsx([_row()], title_row="某某规划任务分解表")
    sheet = read_sheet(data)
    assert sheet.header_row == 2
    assert sheet.columns["lead"] == ("牵头单位", "E")
    assert sheet.rows[0].number == 3
    assert sheet.rows[0].values["title"] == "加强计量基础"


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("工作内容", "description"),
        ("内容与要求", "description"),
        ("具体内容", "description"),
        ("配合单位", "co"),
        ("责任单位", "co"),
        ("完成情况", "progress"),
        ("进展情况", "progress"),
        ("完成时限", "due"),
        ("牵头单位\n（部门）", "lead"),
        ("序 号", "code"),
        ("备注", None),
    ],
)
def test_header_variants(header, key):
    assert header_key(header) == key


def test_shaoxing_house_style_is_accepted():
    data = xlsx(
        [["1", "建设计量中心。推进…", "市发改委（牵头）、市经信局"]],
        headers=["序号", "内容与要求", "责任单位"],
    )
    rows = interpret_rows(read_sheet(data), CONTEXT)
    assert rows[0].title == "建设计量中心"
    assert (rows[0].lead_id, rows[0].co_ids) == (1, [2])
    assert not rows[0].errors


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"%PDF-1.4 ...", b"PK\x03\x04garbage", b"<html><script>alert(1)</script>"],
)
def test_sec_34_not_a_spreadsheet_is_refused(data):
    with pytest.raises(SpreadsheetRejected) as error:
        read_sheet(data)
    assert error.value.code == reader.NOT_XLSX


def test_sec_34_wrong_columns_are_refused():
    with pytest.raises(SpreadsheetRejected) as error:
        read_sheet(xlsx([["a", "b"]], headers=["姓名", "电话"]))
    assert error.value.code == reader.NO_HEADER


def test_sec_34_zip_bomb_is_refused_before_parsing():
    with pytest.raises(SpreadsheetRejected) as error:
        read_sheet(zip_bomb(60))
    assert error.value.code == reader.ZIP_BOMB


def test_sec_34_high_compression_ratio_is_refused():
    with pytest.raises(SpreadsheetRejected) as error:
        read_sheet(zip_bomb(3), Limits(max_uncompressed=100 * 1024 * 1024))
    assert error.value.code == reader.ZIP_BOMB


def test_sec_34_xml_entities_are_refused():
    data = rewrite_member(xlsx([_row()]), "xl/worksheets/sheet1.xml", BILLION_LAUGHS)
    with pytest.raises(SpreadsheetRejected) as error:
        read_sheet(data)
    assert error.value.code == reader.XML_ENTITIES


def test_sec_34_too_many_rows_are_refused():
    rows = [_row(code=str(n)) for n in range(30)]
    with pytest.raises(SpreadsheetRejected) as error:
        read_sheet(xlsx(rows), Limits(max_rows=20))
    assert error.value.code == reader.TOO_MANY_ROWS
    assert error.value.params == {"limit": 20}


def test_too_large_file_is_refused():
    with pytest.raises(SpreadsheetRejected) as error:
        read_sheet(xlsx([_row()]), Limits(max_bytes=100))
    assert error.value.code == reader.TOO_LARGE


def test_empty_table_is_refused():
    with pytest.raises(SpreadsheetRejected) as error:
        read_sheet(xlsx([]))
    assert error.value.code == reader.EMPTY


# --- units -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("市发改委、市经信局", [("市发改委", False), ("市经信局", False)]),
        ("市发改委，市经信局", [("市发改委", False), ("市经信局", False)]),
        ("市发改委\n市经信局", [("市发改委", False), ("市经信局", False)]),
        ("市经信局、市发改委（牵头）", [("市经信局", False), ("市发改委", True)]),
        ("市经信局、市发改委 (牵头)", [("市经信局", False), ("市发改委", True)]),
        ("（市发改委牵头，市经信局配合）", [("市发改委", True), ("市经信局", False)]),
        (
            "牵头单位：市发改委；责任单位：市经信局、市科技局",
            [("市发改委", True), ("市经信局", False), ("市科技局", False)],
        ),
        ("市发改委、市经信局按职责分工负责", [("市发改委", False), ("市经信局", False)]),
        ("市发改委负责", [("市发改委", False)]),
        (None, []),
    ],
)
def test_split_units(cell, expected):
    assert [(m.name, m.marked_lead) for m in split_units(cell)] == expected


def test_first_unit_leads_unless_one_is_marked():
    owners = resolve_owners([], split_units("市经信局、市发改委"), DEPARTMENTS.get)
    assert (owners.lead, owners.co) == (2, (1,))
    owners = resolve_owners([], split_units("市经信局、市发改委（牵头）"), DEPARTMENTS.get)
    assert (owners.lead, owners.co) == (1, (2,))
    owners = resolve_owners(
        split_units("市科技局"), split_units("市经信局、市科技局"), DEPARTMENTS.get
    )
    assert (owners.lead, owners.co) == (4, (2,))
    owners = resolve_owners([UnitMention("市不存在局")], [], DEPARTMENTS.get)
    assert owners.lead is None and owners.unknown == ("市不存在局",)


# --- interpreting rows --------------------------------------------------------------------


def _codes(parsed):
    return [(p.column, p.code) for p in parsed.errors]


def test_rows_with_errors_say_column_and_reason():
    rows = [
        _row(),
        _row(code="2", lead="市不存在局"),
        _row(code="3", due="尽快"),
        _row(code="4", title=None),
        _row(code=None),
        _row(code="1" if False else "三.1.(1)"),
        _row(code="7", lead=None, co=None),
    ]
    rows[3][3] = None  # no description either
    parsed = interpret_rows(read_sheet(xlsx(rows)), CONTEXT)
    assert parsed[0].errors == []
    assert parsed[0].due == date(2025, 12, 31)
    assert (parsed[0].lead_id, parsed[0].co_ids) == (1, [2])
    assert _codes(parsed[1]) == [("lead", UNKNOWN_DEPARTMENT)]
    assert parsed[1].errors[0].params == {"name": "市不存在局"}
    assert _codes(parsed[2]) == [("due", BAD_DATE)]
    assert _codes(parsed[3]) == [("title", MISSING_TASK)]
    assert _codes(parsed[4]) == [("code", MISSING_CODE)]
    assert _codes(parsed[5]) == [("code", DUPLICATE_CODE)]
    assert parsed[5].errors[0].params == {"first_row": 2}
    assert _codes(parsed[6]) == [("lead", MISSING_UNIT)]
    assert [p.row for p in parsed] == [2, 3, 4, 5, 6, 7, 8]


def test_formula_cells_and_huge_cells_are_row_errors():
    data = xlsx([_row(), _row(code="2", title="x" * 6000)], formulas=[(0, 3, "=SUM(1,2)")])
    parsed = interpret_rows(read_sheet(data), CONTEXT)
    assert ("description", FORMULA) in _codes(parsed[0])
    assert ("title", TOO_LONG) in _codes(parsed[1])


def test_group_rows_set_the_section_and_merged_titles_fill_down():
    rows = [
        ["（二）提升产品质量", None, None, None, None, None, None, None],
        ["5", None, "实施质量提升行动", "内容一", "市经信局", None, "2024年底前", None],
        ["6", None, None, "内容二", "市经信局", None, "2024年底前", None],
    ]
    parsed = interpret_rows(read_sheet(xlsx(rows)), CONTEXT)
    assert len(parsed) == 2
    assert parsed[0].section_text == "（二）提升产品质量"
    assert parsed[1].title == "实施质量提升行动" and parsed[1].description == "内容二"


def test_round_trip_of_an_export():
    groups = [Group("（一）夯实质量基础", [_decomposition_row(title="=danger")])]
    data = render_decomposition("表", groups)
    parsed = interpret_rows(
        read_sheet(data),
        Context(resolve_department={"市市场监管局": 3, "市发改委": 1, "市经信局": 2}.get),
    )
    assert parsed[0].title == "=danger"  # the apostrophe our export added is not data
    assert (parsed[0].lead_id, parsed[0].co_ids) == (3, [1, 2])
    assert parsed[0].due == date(2025, 12, 31)
    assert parsed[0].errors == []
