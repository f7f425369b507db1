"""Reading an uploaded 任务分解表 safely: refuse what is not an .xlsx, zip bombs, XML entities,
wrong columns and too many rows before any row is interpreted — pure, no database."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import openpyxl
from openpyxl.utils import get_column_letter

from tracker.documents.archive import CONTENT_TYPES_PART, ZIP_MAGIC, zip_summary

logger = logging.getLogger(__name__)

# Stable refusal codes; the web layer translates them.
NOT_XLSX = "not_xlsx"
TOO_LARGE = "too_large"
ZIP_BOMB = "zip_bomb"
XML_ENTITIES = "xml_entities"
NO_HEADER = "no_header"
TOO_MANY_ROWS = "too_many_rows"
EMPTY = "empty"

# Fields of a decomposition table and the header texts that mean them (DOMAIN.md).
HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "code": ("序号", "编号", "任务编号", "代码", "任务代码"),
    "section": ("章节", "所属章节", "篇章", "板块"),
    "title": ("重点任务", "主要任务", "任务名称", "工作任务", "任务"),
    "description": ("具体内容", "工作内容", "内容与要求", "主要内容", "具体措施", "工作要求"),
    "lead": ("牵头单位", "牵头部门", "主办单位", "牵头"),
    "co": ("配合单位", "责任单位", "配合部门", "协办单位", "参与单位", "责任部门"),
    "due": ("完成时限", "完成时间", "时间节点", "完成期限", "时限"),
    "progress": ("进展情况", "完成情况", "推进情况"),
}
TEXT_FIELDS = ("code", "section", "title", "description", "lead", "co", "progress")
HEADER_SCAN_ROWS = 10
MAX_COLUMNS = 30
_XML_DANGER = (b"<!DOCTYPE", b"<!ENTITY")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """How much an upload may hold; every limit is checked before the rows are read."""

    max_bytes: int = 5 * 1024 * 1024
    max_uncompressed: int = 50 * 1024 * 1024
    max_members: int = 200
    max_ratio: int = 200
    max_rows: int = 5000
    max_cell_chars: int = 5000


class SpreadsheetRejected(ValueError):
    """The whole file is refused; `code` is stable and `params` fill the message."""

    def __init__(self, code: str, **params) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class RawRow:
    """One data row: raw cell values by field, with cells that were formulas or too long."""

    number: int  # the row number as the spreadsheet shows it
    values: dict[str, object]
    formulas: list[str] = field(default_factory=list)
    too_long: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class SheetData:
    sheet: str
    header_row: int
    columns: dict[str, tuple[str, str]]  # field → (header text, column letter)
    rows: list[RawRow]


def header_key(text: object) -> str | None:
    """The field a header cell names, tolerant of spaces, line breaks and （…） notes."""
    if text is None:
        return None
    folded = unicodedata.normalize("NFKC", str(text))
    folded = re.sub(r"\s+", "", folded)
    bare = re.sub(r"\(.*?\)", "", folded) or folded
    for candidate in (folded, bare):
        for key, variants in HEADER_VARIANTS.items():
            if candidate in variants:
                return key
    for key, variants in HEADER_VARIANTS.items():
        if any(bare.startswith(variant) for variant in variants if len(variant) > 1):
            return key
    return None


def check_archive(data: bytes, limits: Limits) -> None:
    """Refuse anything but a sane .xlsx zip before openpyxl sees it."""
    if len(data) > limits.max_bytes:
        raise SpreadsheetRejected(TOO_LARGE, limit_mb=limits.max_bytes // (1024 * 1024))
    summary = zip_summary(data) if data.startswith(ZIP_MAGIC) else None
    if summary is None:
        raise SpreadsheetRejected(NOT_XLSX)
    names = summary.names
    if CONTENT_TYPES_PART not in names or not any(n.startswith("xl/worksheets/") for n in names):
        raise SpreadsheetRejected(NOT_XLSX)
    if summary.count > limits.max_members or summary.inflated > limits.max_uncompressed:
        raise SpreadsheetRejected(ZIP_BOMB)
    # Real sheets compress 10–30×; a megabyte that shrank 200× is built to explode.
    if summary.overcompressed(limits.max_ratio, above=_CHUNK):
        raise SpreadsheetRejected(ZIP_BOMB)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.infolist():
            if member.filename.endswith((".xml", ".rels", ".vml")):
                _refuse_xml_entities(archive, member)


def _refuse_xml_entities(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """No DOCTYPE or ENTITY anywhere (billion laughs, external entities); sizes are bounded."""
    tail = b""
    try:
        with archive.open(member) as stream:
            head = stream.read(4)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 would hide the markers
                raise SpreadsheetRejected(XML_ENTITIES)
            chunk = head
            while chunk:
                window = tail + chunk
                if any(marker in window for marker in _XML_DANGER):
                    raise SpreadsheetRejected(XML_ENTITIES)
                tail = window[-16:]
                chunk = stream.read(_CHUNK)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError):
        # Encrypted, damaged or an unsupported compression method.
        raise SpreadsheetRejected(NOT_XLSX) from None
    except OSError:
        raise SpreadsheetRejected(NOT_XLSX) from None


def _find_header(rows) -> tuple[int, dict[int, tuple[str, str]]] | None:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found: dict[int, tuple[str, str]] = {}
        seen: set[str] = set()
        for col, cell in enumerate(row):
            key = header_key(cell)
            if key and key not in seen:
                found[col] = (key, str(cell).strip())
                seen.add(key)
        if _usable(seen):
            return index, found
    return None


def _usable(keys: set[str]) -> bool:
    """Enough columns to make items: something to do and someone to do it."""
    return bool(keys & {"title", "description"}) and bool(keys & {"lead", "co"})


def _clean(value: object) -> object:
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        # Our own exports write '=… for text starting like a formula; read it back as typed.
        if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
            text = text[1:]
        return text or None
    if isinstance(value, datetime | date | int | float) or value is None:
        return value
    return str(value)


def read_sheet(data: bytes, limits: Limits | None = None) -> SheetData:
    """The first sheet with a recognisable header, as raw rows. Raises SpreadsheetRejected."""
    limits = limits or Limits()
    check_archive(data, limits)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception as error:  # openpyxl raises many types for a damaged file
        logger.info("spreadsheet refused by openpyxl: %s", type(error).__name__)
        raise SpreadsheetRejected(NOT_XLSX) from None
    try:
        for sheet in workbook.worksheets:
            result = _read_one(sheet, limits)
            if result is not None:
                return result
    except SpreadsheetRejected:
        raise
    except Exception as error:
        logger.info("spreadsheet unreadable: %s", type(error).__name__)
        raise SpreadsheetRejected(NOT_XLSX) from None
    finally:
        workbook.close()
    raise SpreadsheetRejected(NO_HEADER, expected=_expected_headers())


def _expected_headers() -> str:
    return "、".join(("序号", "重点任务", "具体内容", "牵头单位", "配合单位", "完成时限"))


def _read_one(sheet, limits: Limits) -> SheetData | None:
    head_cells = []
    iterator = sheet.iter_rows(max_col=MAX_COLUMNS)
    for row in iterator:
        head_cells.append(row)
        if len(head_cells) >= HEADER_SCAN_ROWS:
            break
    header = _find_header([[c.value for c in row] for row in head_cells])
    if header is None:
        return None
    header_index, columns = header
    header_row = head_cells[header_index][0].row if head_cells[header_index] else header_index + 1
    rows: list[RawRow] = []

    def take(row) -> None:
        raw = _raw_row(row, columns, limits)
        if raw is None:
            return
        if len(rows) >= limits.max_rows:
            raise SpreadsheetRejected(TOO_MANY_ROWS, limit=limits.max_rows)
        rows.append(raw)

    for row in head_cells[header_index + 1 :]:
        take(row)
    for row in iterator:
        take(row)
    if not rows:
        raise SpreadsheetRejected(EMPTY)
    letters = {key: (text, get_column_letter(col + 1)) for col, (key, text) in columns.items()}
    return SheetData(sheet=sheet.title, header_row=header_row, columns=letters, rows=rows)


def _raw_row(row, columns: dict[int, tuple[str, str]], limits: Limits) -> RawRow | None:
    values: dict[str, object] = {}
    formulas: list[str] = []
    too_long: list[tuple[str, int]] = []
    number = None
    for col, cell in enumerate(row):
        if number is None and getattr(cell, "row", None):
            number = cell.row
        if col not in columns:
            continue
        key = columns[col][0]
        value = _clean(cell.value)
        if value is None:
            continue
        if getattr(cell, "data_type", None) == "f":
            formulas.append(key)
            value = None
        elif isinstance(value, str) and len(value) > limits.max_cell_chars:
            too_long.append((key, len(value)))
            value = value[: limits.max_cell_chars]
        values[key] = value
    if not values and not formulas:
        return None
    return RawRow(number=number or 0, values=values, formulas=formulas, too_long=too_long)
