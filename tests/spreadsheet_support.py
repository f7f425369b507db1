"""Helpers for the spreadsheet tests: build .xlsx files in memory, hostile ones included."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

HEADERS = ["序号", "章节", "重点任务", "具体内容", "牵头单位", "配合单位", "完成时限", "进展情况"]


def xlsx(rows, headers=HEADERS, *, title_row: str | None = None, formulas=()) -> bytes:
    """A workbook with an optional title row, a header row and the given rows.

    `formulas` lists (row_index, column_index, formula) written as real formula cells.
    """
    workbook = Workbook()
    ws = workbook.active
    if title_row:
        ws.append([title_row])
    if headers:
        ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    offset = (1 if title_row else 0) + (1 if headers else 0)
    for row_index, column_index, formula in formulas:
        ws.cell(row=offset + row_index + 1, column=column_index + 1).value = formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_member(data: bytes, name: str, content: bytes, *, level: int = 6) -> bytes:
    """The same zip with one member replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info.filename))
        target.writestr(name, content)
    return out.getvalue()


def zip_bomb(uncompressed_mb: int = 60) -> bytes:
    """A valid-looking .xlsx whose sheet inflates to many megabytes of nothing."""
    base = xlsx([["1", "", "任务", "", "市发改委", "", "2025年底前", ""]])
    filler = b"<row/>" * (uncompressed_mb * 1024 * 1024 // 6)
    sheet = b'<?xml version="1.0"?><worksheet><sheetData>' + filler + b"</sheetData></worksheet>"
    return rewrite_member(base, "xl/worksheets/sheet1.xml", sheet, level=9)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData>
</worksheet>"""
