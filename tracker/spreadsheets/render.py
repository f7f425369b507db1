"""Rendering the office's tables as .xlsx: frozen headers, sized and wrapped columns, real date
cells, and no cell a spreadsheet would run as a formula — pure, no database."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
PERCENT_FORMAT = "0%"
# A cell starting with one of these is a formula to Excel, LibreOffice or a CSV import
# (CWE-1236); tab and carriage return smuggle the same past naive checks.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32767  # Excel's own limit; longer text is cut rather than corrupting the file

DECOMPOSITION_HEADERS = (
    "序号",
    "章节",
    "重点任务",
    "具体内容",
    "牵头单位",
    "配合单位",
    "完成时限",
    "进展情况",
)
# (min, max) widths in Excel character units; CJK characters count double.
_DECOMPOSITION_WIDTHS = (
    (8, 14),
    (12, 22),
    (16, 30),
    (30, 60),
    (10, 16),
    (12, 26),
    (12, 16),
    (24, 50),
)

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
_GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
STATUS_FILLS = {
    "good": PatternFill("solid", fgColor="C6EFCE"),
    "warn": PatternFill("solid", fgColor="FFEB9C"),
    "bad": PatternFill("solid", fgColor="FFC7CE"),
}


def neutralise(value: str) -> str:
    """Text a spreadsheet shows as typed and never evaluates (a leading apostrophe)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_CHARS]
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def set_value(ws: Worksheet, row: int, column: int, value, *, number_format: str | None = None):
    """Write one cell: strings neutralised and typed as text, dates as date cells."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = neutralise(value)
        cell.data_type = "s"  # never "f", whatever the text looks like
    elif isinstance(value, datetime):
        cell.value = value
        cell.number_format = number_format or 'yyyy"年"m"月"d"日" hh:mm'
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = number_format or DATE_FORMAT
    else:
        cell.value = value
        if number_format:
            cell.number_format = number_format
    return cell


def display_width(text: str) -> int:
    """Columns a line needs: wide (CJK, full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _cell_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 16
    return max((display_width(line) for line in str(value).split("\n")), default=0)


def size_columns(ws: Worksheet, widths: Sequence[tuple[int, int]], first_row: int) -> None:
    """Fit each column to its content between a minimum and a maximum (text wraps beyond)."""
    for index, (low, high) in enumerate(widths, start=1):
        longest = 0
        for (value,) in ws.iter_rows(
            min_row=first_row, min_col=index, max_col=index, values_only=True
        ):
            longest = max(longest, _cell_width(value))
        ws.column_dimensions[get_column_letter(index)].width = max(low, min(high, longest + 2))


def _title_row(ws: Worksheet, title: str, columns: int, subtitle: str | None = None) -> int:
    set_value(ws, 1, 1, title)
    ws.cell(row=1, column=1).font = Font(bold=True, size=15)
    ws.cell(row=1, column=1).alignment = _CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    ws.row_dimensions[1].height = 30
    if subtitle:
        set_value(ws, 2, 1, subtitle)
        ws.cell(row=2, column=1).alignment = Alignment(horizontal="right")
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns)
        return 3
    return 2


def _header_row(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    for column, text in enumerate(headers, start=1):
        cell = set_value(ws, row, column, text)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
        cell.border = _BORDER
    # Frozen below the header, repeated on every printed page.
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    ws.print_title_rows = f"{row}:{row}"


def _page_setup(ws: Worksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _body_row(ws: Worksheet, row: int, values: Sequence, formats: dict[int, str] | None = None):
    formats = formats or {}
    for column, value in enumerate(values, start=1):
        cell = set_value(ws, row, column, value, number_format=formats.get(column))
        cell.alignment = _WRAP
        cell.border = _BORDER


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- 任务分解表 --------------------------------------------------------------------------


@dataclass
class DecompositionRow:
    code: str
    section: str
    title: str
    description: str
    lead: str
    co: str
    due: date | None
    progress: str


@dataclass
class Group:
    label: str
    rows: list[DecompositionRow] = field(default_factory=list)
    position: int = 0


def render_decomposition(title: str, groups: Sequence[Group], subtitle: str | None = None) -> bytes:
    """序号 | 章节 | 重点任务 | 具体内容 | 牵头单位 | 配合单位 | 完成时限 | 进展情况, by section.

    序号 carries the item's code, so the same file can be edited and uploaded again.
    """
    workbook = Workbook()
    ws = workbook.active
    ws.title = "任务分解表"
    columns = len(DECOMPOSITION_HEADERS)
    header = _title_row(ws, title, columns, subtitle)
    _header_row(ws, header, DECOMPOSITION_HEADERS)
    row = header + 1
    for group in groups:
        if group.label:
            cell = set_value(ws, row, 1, group.label)
            cell.font = Font(bold=True)
            for column in range(1, columns + 1):
                ws.cell(row=row, column=column).fill = _GROUP_FILL
                ws.cell(row=row, column=column).border = _BORDER
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
            row += 1
        for item in group.rows:
            _body_row(
                ws,
                row,
                (
                    item.code,
                    item.section,
                    item.title,
                    item.description,
                    item.lead,
                    item.co,
                    item.due,
                    item.progress,
                ),
            )
            row += 1
    size_columns(ws, _DECOMPOSITION_WIDTHS, header + 1)
    _page_setup(ws)
    return _to_bytes(workbook)


# --- 进展情况表 --------------------------------------------------------------------------

PROGRESS_HEADERS = (
    "序号",
    "重点任务",
    "牵头单位",
    "配合单位",
    "完成时限",
    "报告期",
    "进展情况",
    "进度",
    "状态",
    "审核时间",
)
_PROGRESS_WIDTHS = (
    (8, 14),
    (16, 30),
    (10, 16),
    (12, 26),
    (12, 16),
    (8, 10),
    (30, 60),
    (6, 8),
    (8, 12),
    (12, 16),
)


@dataclass
class ProgressRow:
    code: str
    title: str
    lead: str
    co: str
    due: date | None
    period: str
    narrative: str
    progress: int | None
    status: str
    verified_on: date | None
    light: str | None = None  # good / warn / bad: fills the status cell


def render_progress(title: str, rows: Sequence[ProgressRow], subtitle: str | None = None) -> bytes:
    """Each item with its latest verified report for the chosen period."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "进展情况表"
    header = _title_row(ws, title, len(PROGRESS_HEADERS), subtitle)
    _header_row(ws, header, PROGRESS_HEADERS)
    for offset, item in enumerate(rows, start=1):
        row = header + offset
        _body_row(
            ws,
            row,
            (
                item.code,
                item.title,
                item.lead,
                item.co,
                item.due,
                item.period,
                item.narrative,
                None if item.progress is None else item.progress / 100,
                item.status,
                item.verified_on,
            ),
            {8: PERCENT_FORMAT},
        )
        if item.light in STATUS_FILLS:
            ws.cell(row=row, column=9).fill = STATUS_FILLS[item.light]
    size_columns(ws, _PROGRESS_WIDTHS, header + 1)
    _page_setup(ws)
    return _to_bytes(workbook)


# --- 主要指标 ----------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    number: int
    category: str
    name: str
    unit: str
    baseline: str
    target: str
    attribute: str
    values: dict[int, float | str | None]
    fills: dict[int, str]  # year → good / warn / bad
    status: str
    warning: str


def render_indicators(
    title: str,
    years: Sequence[int],
    rows: Sequence[IndicatorRow],
    baseline_year: int,
    target_year: int,
    subtitle: str | None = None,
) -> bytes:
    """The plan's indicators with their verified yearly values, status and 预警."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "主要指标"
    headers = (
        "序号",
        "类别",
        "指标",
        "单位",
        f"{baseline_year}年基期值",
        f"{target_year}年目标值",
        "属性",
        *(f"{year}年" for year in years),
        "状态",
        "预警",
    )
    header = _title_row(ws, title, len(headers), subtitle)
    _header_row(ws, header, headers)
    first_year_column = 8
    for offset, item in enumerate(rows, start=1):
        row = header + offset
        _body_row(
            ws,
            row,
            (
                item.number,
                item.category,
                item.name,
                item.unit,
                item.baseline,
                item.target,
                item.attribute,
                *(item.values.get(year) for year in years),
                item.status,
                item.warning,
            ),
        )
        for index, year in enumerate(years):
            fill = STATUS_FILLS.get(item.fills.get(year, ""))
            if fill:
                ws.cell(row=row, column=first_year_column + index).fill = fill
    widths = [(6, 8), (8, 12), (20, 40), (6, 10), (8, 14), (8, 14), (8, 10)]
    widths += [(8, 12)] * len(years) + [(8, 14), (6, 10)]
    size_columns(ws, widths, header + 1)
    _page_setup(ws)
    return _to_bytes(workbook)
