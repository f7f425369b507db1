"""Indicator tables that arrive as grids (one row per line, cells separated by tabs) — pure.

The readers put every table they can see as a grid into the text: PDF tables found by
pdfplumber, .docx tables from python-docx, spreadsheets pasted as text. Columns are found
by their header, whatever their order and whichever are missing: 序号, a category column
(领域/类别/一级指标, often merged), 指标 (the name, sometimes with the unit inside it:
县级博物馆覆盖率（%）), 单位, the base year and the target year (2020年 / 2025年 / 2030年, or
基期/目标), 年均/累计 and 属性. Values keep their printed meaning: ≥50 is a floor, 〔10〕 a
five-year cumulative value, 3-5 a range. A grid without a name column is not an indicator
table and is left to the text.
"""

import re
from dataclasses import dataclass

from tracker.plans.indicator_table import ATTRIBUTES, Indicator, TableSpan, parse_value

SEPARATOR = "\t"
_MIN_CELLS = 3
# A grid runs on across a page break: blank lines and page numbers between its rows.
_MAX_GAP_LINES = 3
_PAGE_NUMBER_RE = re.compile(r"^[—\-–－一\s]*\d{1,3}[—\-–－一\s]*$")
_YEAR_RE = re.compile(r"(20\d{2})")
_CATEGORY_WORDS = ("一级指标", "类别", "领域", "类型", "分类", "维度", "方面")
_BASE_WORDS = ("基期", "基数", "现状", "基准", "实际")
_TARGET_WORDS = ("目标", "预期")
_UNIT_IN_NAME_RE = re.compile(r"^(?P<name>.+?)\s*[（(](?P<unit>[^（）()]{1,8})[）)]$")
_EMPTY_CELLS = frozenset({"", "/", "／", "-", "－", "—", "——", "–"})
_RANGE_RE = re.compile(r"^\d+(?:\.\d+)?\s*[-－~～—至]\s*\d+(?:\.\d+)?%?$")


@dataclass
class _Columns:
    number: int | None = None
    category: int | None = None
    name: int | None = None
    unit: int | None = None
    baseline: int | None = None
    target: int | None = None
    mode: int | None = None
    attribute: int | None = None


def cells_of(line: str) -> list[str]:
    return [cell.strip() for cell in line.split(SEPARATOR)]


def extract_grid_tables(
    lines: list[str],
) -> tuple[list[Indicator], list[TableSpan], list[str]]:
    """Every grid in ``lines`` that is an indicator table, read; the spans it occupies."""
    indicators: list[Indicator] = []
    spans: list[TableSpan] = []
    warnings: list[str] = []
    for start, end in _grid_runs(lines):
        rows = [(index, cells_of(lines[index])) for index in range(start, end)]
        rows = [(index, cells) for index, cells in rows if SEPARATOR in lines[index]]
        found = _read_grid(rows, first_number=len(indicators) + 1)
        if found is None:
            continue
        table, problems = found
        indicators.extend(table)
        warnings.extend(problems)
        spans.append(TableSpan(_title_above(lines, start), end))
    return indicators, spans, warnings


def _title_above(lines: list[str], start: int) -> int:
    """Take the table's caption (表1 主要指标) with it, so it is not left as a paragraph."""
    index = start - 1
    while index >= 0 and not lines[index]:
        index -= 1
    line = lines[index] if index >= 0 else ""
    if ("指标" in line or "表" in line) and len(line) <= 40 and not re.search(r"[。，；：]", line):
        return index
    return start


def _grid_runs(lines: list[str]):
    index = 0
    while index < len(lines):
        if lines[index].count(SEPARATOR) + 1 < _MIN_CELLS:
            index += 1
            continue
        start = end = index
        gap = 0
        probe = index
        while probe < len(lines) and gap <= _MAX_GAP_LINES:
            line = lines[probe]
            if SEPARATOR in line:
                end, gap = probe + 1, 0
            elif not line or _PAGE_NUMBER_RE.match(line):
                gap += 1
            else:
                break
            probe += 1
        yield start, end
        index = end


def _read_grid(rows, first_number: int):
    header_rows = []
    for _, cells in rows:
        if any(_is_value(cell) for cell in cells[1:]) or not any(map(_is_header, cells)):
            break
        header_rows.append(cells)
    if not header_rows:
        return None
    width = max(len(cells) for _, cells in rows)
    headers = [
        "".join(row[col] for row in header_rows if col < len(row)).replace(" ", "")
        for col in range(width)
    ]
    columns = _columns(headers)
    if columns.name is None or (columns.target is None and columns.attribute is None):
        return None
    indicators: list[Indicator] = []
    warnings: list[str] = []
    if columns.attribute is None:
        warnings.append("indicator table has no 属性 column: its indicators are marked 预期性")
    category = ""
    for index, cells in rows[len(header_rows) :]:
        cells = cells + [""] * (width - len(cells))
        if cells[: len(headers)] == headers or all(c in headers for c in cells if c):
            continue  # the header printed again on the next page
        if columns.category is not None and cells[columns.category]:
            category = cells[columns.category]
        name = cells[columns.name]
        if not name:
            continue
        if not _has_values(cells, columns):
            # A row with a name and no values labels the rows below it (一、经济发展).
            category = re.sub(r"^[一二三四五六七八九十]+[、.．]\s*", "", name)
            continue
        indicator, problem = _indicator(cells, columns, name, category, first_number)
        if indicator is not None:
            indicators.append(indicator)
            first_number += 1
        if problem:
            warnings.append(f"line {index + 1}: indicator {name!r}: {problem}")
    return indicators, warnings


def _columns(headers: list[str]) -> _Columns:
    columns = _Columns()
    years: list[tuple[int, int]] = []
    for col, header in enumerate(headers):
        year = _YEAR_RE.search(header)
        if "序号" in header:
            columns.number = col
        elif "属性" in header or "性质" in header:
            columns.attribute = col
        elif "单位" in header:
            columns.unit = col
        elif any(word in header for word in _CATEGORY_WORDS) and columns.category is None:
            columns.category = col
        elif ("年均" in header or "累计" in header) and not year:
            columns.mode = col
        elif year:
            # Which year column is the target is decided by the years, not by a merged
            # "目标值" caption above them.
            years.append((int(year.group(1)), col))
            if any(word in header for word in _BASE_WORDS):
                columns.baseline = col
        elif "指标" in header and columns.name is None:
            columns.name = col
        elif any(word in header for word in _BASE_WORDS):
            columns.baseline = col
        elif any(word in header for word in _TARGET_WORDS):
            columns.target = col
    if years:
        years.sort()
        if columns.baseline is None and len(years) > 1:
            columns.baseline = years[0][1]
        if columns.target is None:
            base_year = next((y for y, c in years if c == columns.baseline), 0)
            later = [c for y, c in years if y > base_year and c != columns.baseline]
            columns.target = later[0] if later else years[-1][1]
    if columns.name is None and columns.category is not None:
        # 一级指标 / 二级指标: the second is the name.
        second = [c for c, h in enumerate(headers) if "指标" in h and c != columns.category]
        columns.name = second[0] if second else None
    return columns


def _indicator(cells, columns: _Columns, name: str, category: str, number: int):
    unit = cells[columns.unit] if columns.unit is not None else None
    unit = None if unit in _EMPTY_CELLS else unit
    name = re.sub(r"\s+", "", name)
    if not unit:
        inside = _UNIT_IN_NAME_RE.match(name)
        if inside:
            name, unit = inside.group("name"), inside.group("unit")
    baseline_cell = cells[columns.baseline] if columns.baseline is not None else ""
    target_cell = cells[columns.target] if columns.target is not None else ""
    baseline, base_flags = _value(baseline_cell)
    target, target_flags = _value(target_cell)
    mode = cells[columns.mode] if columns.mode is not None else ""
    attribute_cell = cells[columns.attribute] if columns.attribute is not None else ""
    attribute = next((a for a in ATTRIBUTES if a in attribute_cell), "预期性")
    problem = ""
    if columns.attribute is not None and attribute not in attribute_cell:
        problem = f"属性 {attribute_cell!r} is neither 约束性 nor 预期性; marked 预期性"
    if "unknown" in base_flags | target_flags:
        problem = problem or "value not understood"
    cumulative = "cumulative" in base_flags | target_flags or "累计" in mode
    if number_cell := (cells[columns.number] if columns.number is not None else ""):
        number = int(number_cell) if number_cell.isdigit() else number
    kind = (
        "cumulative"
        if cumulative
        else "floor"
        if "floor" in target_flags
        else "rank"
        if "rank" in target_flags
        else "milestone"
        if "milestone" in target_flags
        else "target"
    )
    indicator = Indicator(
        number=number,
        category=category[:60],
        name=name[:200],
        unit=(unit or "")[:30] or None,
        baseline=baseline,
        target=target,
        attribute=attribute,
        cumulative=cumulative,
        kind=kind,
    )
    return indicator, problem


def _value(cell: str):
    cell = (cell or "").replace("〔", "[").replace("〕", "]").replace("≥", "≥")
    compact = re.sub(r"\s+", "", cell)
    if _RANGE_RE.match(compact.strip("[]")):
        flags = {"range"} | ({"cumulative"} if compact.startswith("[") else set())
        return compact.strip("[]"), flags
    return parse_value(compact)


_HEADER_WORDS = re.compile(
    r"序号|指标|单位|属性|性质|类别|领域|类型|分类|维度|方面|目标|基期|基数|现状|基准|实际|预期|年均|累计|20\d{2}"
)


def _is_header(cell: str) -> bool:
    return bool(cell and _HEADER_WORDS.search(cell))


def _is_value(cell: str) -> bool:
    compact = re.sub(r"\s+", "", cell or "")
    if not compact or _YEAR_RE.fullmatch(compact.rstrip("年")):
        return False
    return bool(re.search(r"\d", compact)) and not re.search(r"20\d{2}\s*年", compact)


def _has_values(cells, columns: _Columns) -> bool:
    return any(
        cells[col]
        for col in (columns.baseline, columns.target, columns.attribute)
        if col is not None
    )
