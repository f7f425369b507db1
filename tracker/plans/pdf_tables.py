"""Ruled tables in a PDF read as grids with pdfplumber, instead of from the text stream.

A PDF's text stream prints a table cell by cell, wrapped names and merged category cells
scattered between the rows; pdfplumber finds the table from its ruling lines and returns the
cells. Pages that may hold an indicator table (they name 指标 and 属性/约束性/预期性/单位, or
continue a table from the page before) are re-read: the text around each table as text, the
table as tab-separated rows (tracker.plans.indicator_grid). Without pdfplumber installed, or
when it fails on a file, the text stream is used as before.
"""

from __future__ import annotations

import logging
import re
import time
from io import BytesIO

logger = logging.getLogger(__name__)

# A header line names the indicator column and another column on the same line; a page of
# rows prints both attribute values.
_HEADER_HINT_RE = re.compile(r"指\s*标.{0,40}?(?:属\s*性|单\s*位|20\d{2}\s*年)")
_ROWS_HINT_RE = re.compile(r"约束性[\s\S]*预期性|预期性[\s\S]*约束性")
# pdfplumber takes ~0.1 s a page: the table search stops after this long (a 300-page plan
# must still be previewed within 30 s); the remaining pages keep their text stream.
_BUDGET_SECONDS = 8.0
_MIN_COLUMNS = 3
_MIN_ROWS = 2


def may_hold_table(page_text: str) -> bool:
    """Cheap test on the text stream: only such pages are handed to the table finder."""
    return bool(_HEADER_HINT_RE.search(page_text) or _ROWS_HINT_RE.search(page_text))


def pages_with_tables(data: bytes, stream_pages: list[str]) -> dict[int, str]:
    """Page index → that page's text with its ruled tables as grids (only pages with one)."""
    try:
        import pdfplumber
    except ImportError:  # an optional reader: the text stream still works
        return {}
    found: dict[int, str] = {}
    started = time.monotonic()
    try:
        with pdfplumber.open(BytesIO(data)) as pdf:
            previous_had_table = False
            for index, page in enumerate(pdf.pages):
                text = stream_pages[index] if index < len(stream_pages) else ""
                if not (previous_had_table or may_hold_table(text)):
                    previous_had_table = False
                    continue
                if time.monotonic() - started > _BUDGET_SECONDS:
                    logger.info("table search stopped at page %d: time budget spent", index + 1)
                    break
                tables = [t for t in page.find_tables() if _is_grid(t)]
                previous_had_table = bool(tables)
                if tables:
                    found[index] = _page_with_grids(page, tables)
    except Exception as exc:  # pdfplumber on a damaged file: fall back to the text stream
        logger.info("pdfplumber could not read the tables: %s", exc)
        return {}
    return found


def _is_grid(table) -> bool:
    rows = table.extract()
    return len(rows) >= _MIN_ROWS and max((len(row) for row in rows), default=0) >= _MIN_COLUMNS


def _page_with_grids(page, tables) -> str:
    parts: list[str] = []
    top = 0.0
    for table in sorted(tables, key=lambda t: t.bbox[1]):
        x0, y0, x1, y1 = table.bbox
        if y0 > top:
            parts.append(_text(page, top, y0))
        for row in table.extract():
            cells = [_cell(cell) for cell in row]
            if any(cells):
                parts.append("\t".join(cells))
        top = max(top, y1)
    if top < page.height:
        parts.append(_text(page, top, page.height))
    return "\n".join(part for part in parts if part)


def _text(page, top: float, bottom: float) -> str:
    region = page.crop((0, top, page.width, min(bottom, page.height)))
    return region.extract_text() or ""


def _cell(cell: str | None) -> str:
    # A cell's lines are one wrapped name: CJK lines join directly, Latin words with a space.
    lines = [line.strip() for line in (cell or "").splitlines() if line.strip()]
    joined = ""
    for line in lines:
        if joined and joined[-1].isascii() and line[0].isascii():
            joined += " "
        joined += line
    return joined.replace("\t", " ")
