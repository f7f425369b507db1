"""Workbooks in the house style — pure, no database.

A sheet is written top to bottom::

    workbook = new_workbook()
    ws = add_sheet(workbook, "进展情况表")
    first = write_table(ws, title="…", subtitle="…", headers=HEADERS, rows=rows,
                        widths=[(8, 14), 30, …], formats={8: PERCENT_FORMAT})
    fill(ws, first + 2, 9, "bad")        # optional: colour a status cell
    data = to_bytes(workbook)

For sheets with more than a plain table (the 任务分解表's merged section rows) the steps are
there on their own: ``title_row``, ``header_row``, ``group_row``, ``body_row``, ``finish``.
Every value goes through ``set_value``: strings are neutralised and typed as text (never a
formula), dates and datetimes become real date cells with a Chinese date format.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'
PERCENT_FORMAT = "0%"
# A cell starting with one of these is a formula to Excel, LibreOffice or a CSV import
# (CWE-1236); tab and carriage return smuggle the same past naive checks.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32767  # Excel's own limit; longer text is cut rather than corrupting the file
MAX_SHEET_TITLE = 31  # Excel refuses longer sheet names
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

_THIN = Side(style="thin", color="999999")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
STATUS_FILLS = {
    "good": PatternFill("solid", fgColor="C6EFCE"),
    "warn": PatternFill("solid", fgColor="FFEB9C"),
    "bad": PatternFill("solid", fgColor="FFC7CE"),
}

# A width is either fixed (a number) or fitted to the content between (minimum, maximum).
Width = float | tuple[float, float]


# --- cells -------------------------------------------------------------------------------


def neutralise(value: str) -> str:
    """Text a spreadsheet shows as typed and never evaluates (a leading apostrophe)."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return text[:MAX_CELL_CHARS]


def safe_value(value):
    """Any cell value made safe: strings neutralised, everything else unchanged."""
    return neutralise(value) if isinstance(value, str) else value


def set_value(ws: Worksheet, row: int, column: int, value, *, number_format: str | None = None):
    """Write one cell: strings neutralised and typed as text, dates as date cells."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = neutralise(value)
        cell.data_type = "s"  # never "f", whatever the text looks like
    elif isinstance(value, datetime):
        cell.value = value
        cell.number_format = number_format or DATETIME_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = number_format or DATE_FORMAT
    else:
        cell.value = value
        if number_format:
            cell.number_format = number_format
    return cell


def fill(ws: Worksheet, row: int, column: int, light: str | None) -> None:
    """Colour one cell good / warn / bad (anything else leaves it plain)."""
    if light in STATUS_FILLS:
        ws.cell(row=row, column=column).fill = STATUS_FILLS[light]


# --- widths ------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Columns a line needs: wide (CJK, full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _cell_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 16
    return max((display_width(line) for line in str(value).split("\n")), default=0)


def size_columns(ws: Worksheet, widths: Sequence[Width], first_row: int) -> None:
    """Set each column's width: fixed, or fitted to the content from ``first_row`` down
    between a minimum and a maximum (text wraps beyond)."""
    for index, width in enumerate(widths, start=1):
        letter = get_column_letter(index)
        if not isinstance(width, tuple):
            ws.column_dimensions[letter].width = width
            continue
        low, high = width
        longest = 0
        for (value,) in ws.iter_rows(
            min_row=first_row, min_col=index, max_col=index, values_only=True
        ):
            longest = max(longest, _cell_width(value))
        ws.column_dimensions[letter].width = max(low, min(high, longest + 2))


# --- rows --------------------------------------------------------------------------------


def title_row(ws: Worksheet, title: str, columns: int, subtitle: str | None = None) -> int:
    """A bold merged title line (and a right-aligned date line); returns the header's row."""
    cell = set_value(ws, 1, 1, title)
    cell.font = Font(bold=True, size=15)
    cell.alignment = CENTER
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    ws.row_dimensions[1].height = 30
    if subtitle:
        set_value(ws, 2, 1, subtitle).alignment = Alignment(horizontal="right")
        ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns)
        return 3
    return 2


def header_row(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    """Bold shaded headers, frozen below and repeated on every printed page."""
    for column, text in enumerate(headers, start=1):
        cell = set_value(ws, row, column, text)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = CENTER
        cell.border = BORDER
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
    ws.print_title_rows = f"{row}:{row}"


def group_row(ws: Worksheet, row: int, label: str, columns: int) -> None:
    """A bold shaded label merged across the table (a section between its rows)."""
    set_value(ws, row, 1, label).font = Font(bold=True)
    for column in range(1, columns + 1):
        ws.cell(row=row, column=column).fill = GROUP_FILL
        ws.cell(row=row, column=column).border = BORDER
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)


def body_row(ws: Worksheet, row: int, values: Sequence, formats: dict[int, str] | None = None):
    """One bordered, wrapped data row; ``formats`` maps a 1-based column to a number format."""
    formats = formats or {}
    for column, value in enumerate(values, start=1):
        cell = set_value(ws, row, column, value, number_format=formats.get(column))
        cell.alignment = WRAP
        cell.border = BORDER


def page_setup(ws: Worksheet) -> None:
    """A4 landscape, as wide as the page, as many pages long as it takes."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def finish(ws: Worksheet, widths: Sequence[Width], first_row: int) -> None:
    """Size the columns (content from ``first_row``) and set the page up for printing."""
    size_columns(ws, widths, first_row)
    page_setup(ws)


def write_table(
    ws: Worksheet,
    *,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence],
    widths: Sequence[Width],
    subtitle: str | None = None,
    formats: dict[int, str] | None = None,
) -> int:
    """Title, header and one row per entry of ``rows``; returns the first data row."""
    header = title_row(ws, title, len(headers), subtitle)
    header_row(ws, header, headers)
    for offset, values in enumerate(rows, start=1):
        body_row(ws, header + offset, values, formats)
    finish(ws, widths, header + 1)
    return header + 1


# --- workbooks ---------------------------------------------------------------------------


def new_workbook(title: str | None = None) -> Workbook:
    """A workbook with no sheet yet (``add_sheet`` adds them in order)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    if title:
        workbook.properties.title = neutralise(title)
    return workbook


def add_sheet(workbook: Workbook, name: str) -> Worksheet:
    """A new sheet named ``name``, cut to what Excel accepts."""
    clean = _SHEET_TITLE_FORBIDDEN.sub("", ILLEGAL_CHARACTERS_RE.sub("", name))
    return workbook.create_sheet(title=clean[:MAX_SHEET_TITLE] or "Sheet")


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
