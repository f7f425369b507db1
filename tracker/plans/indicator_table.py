"""The indicator table (主要指标) of a plan text: find it among the lines and read its rows — pure.

The table arrives as PDF-extracted lines: one row per line when it fits, otherwise the row
number, the wrapped name cell and the value cells on separate lines; the category column
(质量 / 建设) is printed as loose fragments between the rows. A row is closed by its attribute
cell (约束性 / 预期性), which is the one thing every row has.
"""

import logging
import re
import unicodedata
from dataclasses import asdict, dataclass

logger = logging.getLogger(__name__)

ATTRIBUTES = ("约束性", "预期性")

# Comparators that turn a value into a floor ("不低于 96": hold at or above it every year).
_FLOOR_WORDS = ("不低于", "不少于", "不小于", "≥", "＞", ">")
_EMPTY_CELLS = frozenset({"", "/", "／", "-", "－", "—", "——", "–"})
_CN_DIGITS = dict(
    zip("〇零一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True)
)

# A header line names the columns; "序号" is the one column name every such table shares.
_HEADER_RE = re.compile(r"序\s*号")
_ROW_START_RE = re.compile(r"^(\d{1,3})(?:\s+(.*))?$")
_ATTRIBUTE_END_RE = re.compile(rf"(?:{'|'.join(ATTRIBUTES)})\s*$")
_NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_RANK_RE = re.compile(r"^(?:第|前)([一二三四五六七八九十\d]+)(?:名|位)?$")
# The value cells are one token each, except a comparator that may be set off by a space.
_COMPARATORS = "|".join(map(re.escape, _FLOOR_WORDS + ("不高于", "不超过")))
_VALUE = rf"(?:(?:{_COMPARATORS})\s*)?\S+"
_ROW_RE = re.compile(
    rf"^(?P<name>.+?)\s+(?P<unit>\S+)\s+(?P<baseline>{_VALUE})\s+(?P<target>{_VALUE})"
    rf"\s+(?P<attribute>{'|'.join(ATTRIBUTES)})$"
)
# Category labels and header fragments are short and never carry sentence punctuation.
_FRAGMENT_MAX_CHARS = 8
_SENTENCE_PUNCT = set("。，；：、！？,;:")
# How far a header may sprawl before the first row; beyond this it is not a table.
_MAX_HEADER_LINES = 16
# A name cell wraps over a few lines at most; more means the row never closed.
_MAX_ROW_LINES = 8


@dataclass
class Indicator:
    """One row of the indicator table, values as printed but typed."""

    number: int
    category: str
    name: str
    unit: str | None
    baseline: int | float | str | None
    target: int | float | str | None
    attribute: str
    cumulative: bool
    kind: str

    def to_dict(self) -> dict:
        """The JSON shape other tools rely on."""
        return asdict(self)


@dataclass
class TableSpan:
    """Line indexes [start, end) that a table occupies, so the tree parser can skip them."""

    start: int
    end: int


@dataclass
class _Row:
    number: int
    line_number: int
    parts: list[str]
    category_index: int  # how many category labels were printed before this row
    closed: bool = False


def extract_indicator_tables(
    lines: list[str],
) -> tuple[list[Indicator], list[TableSpan], list[str]]:
    """Find every indicator table in ``lines`` (stripped, blank lines kept) and read it.

    Returns the indicators, the spans the tables occupy and warnings for rows that could
    not be read (their text is quoted in the warning so nothing is silently lost).
    """
    indicators: list[Indicator] = []
    spans: list[TableSpan] = []
    warnings: list[str] = []
    index = 0
    while index < len(lines):
        if _looks_like_header(lines, index):
            found = _read_table(lines, index)
            if found is not None:
                table_indicators, span, table_warnings = found
                indicators.extend(table_indicators)
                spans.append(span)
                warnings.extend(table_warnings)
                index = span.end
                continue
        index += 1
    return indicators, spans, warnings


def _looks_like_header(lines: list[str], index: int) -> bool:
    line = lines[index]
    return bool(_HEADER_RE.search(line)) and "。" not in line and len(line) <= 40


def _read_table(lines: list[str], header: int):
    """Read rows after the header line; None if no row follows (then it was not a table)."""
    rows: list[_Row] = []
    labels: list[str] = []
    fragments: list[str] = []
    fragment_start: int | None = None
    expected = 1
    open_row: _Row | None = None
    index = header + 1
    while index < len(lines):
        line = lines[index]
        if not line or _is_page_footer(line):
            index += 1
            continue
        if open_row is not None:
            open_row.parts.append(line)
            open_row.closed = bool(_ATTRIBUTE_END_RE.search(line))
            if open_row.closed or len(open_row.parts) >= _MAX_ROW_LINES:
                open_row = None
            index += 1
            continue
        start = _ROW_START_RE.match(line)
        if start and int(start.group(1)) == expected:
            if fragments:
                labels.append("".join(fragments))
                fragments, fragment_start = [], None
            open_row = _Row(
                expected, index + 1, [start.group(2)] if start.group(2) else [], len(labels)
            )
            rows.append(open_row)
            if start.group(2) and _ATTRIBUTE_END_RE.search(start.group(2)):
                open_row.closed, open_row = True, None
            expected += 1
            index += 1
            continue
        if not rows:
            # Header cells (一级 / 指标 / 2020年 / 实际值 …) sit between 序号 and row 1.
            if index - header > _MAX_HEADER_LINES:
                return None
            index += 1
            continue
        if _is_fragment(line):
            fragment_start = index if fragment_start is None else fragment_start
            fragments.append(line)
            index += 1
            continue
        break
    if not rows:
        return None
    # Fragments after the last row label nothing: they belong to the text that follows.
    end = fragment_start if fragment_start is not None else index
    if fragment_start is None and index < len(lines) and _is_table_note(lines[index]):
        end = index + 1
    indicators, warnings = _rows_to_indicators(rows, labels)
    return indicators, TableSpan(_table_start(lines, header), end), warnings


def _table_start(lines: list[str], header: int) -> int:
    """Include the header fragments and the table title printed above the 序号 line."""
    start = header
    index = header - 1
    while index >= 0 and (not lines[index] or _is_fragment(lines[index])):
        if lines[index]:
            start = index
        index -= 1
    if index >= 0 and _is_table_title(lines[index]):
        start = index
    return start


def _is_table_title(line: str) -> bool:
    named = "指标" in line or "表" in line
    return named and len(line) <= 40 and not (_SENTENCE_PUNCT & set(line))


def _is_table_note(line: str) -> bool:
    return line.startswith(("注：", "注:", "备注"))


def _is_fragment(line: str) -> bool:
    return (
        len(line) <= _FRAGMENT_MAX_CHARS
        and not any(ch.isdigit() for ch in line)
        and not (_SENTENCE_PUNCT & set(line))
    )


def _is_page_footer(line: str) -> bool:
    # Inside a table a bare number is a row number, so only dashed page numbers are footers.
    return bool(re.fullmatch(r"[—\-–－一]+\s*\d{1,3}\s*[—\-–－一]*", line))


def _rows_to_indicators(rows: list[_Row], labels: list[str]) -> tuple[list[Indicator], list[str]]:
    indicators: list[Indicator] = []
    warnings: list[str] = []
    for row in rows:
        # A label is printed at or after the first row of its group, so rows before any label
        # belong to the first one.
        category = labels[max(row.category_index - 1, 0)] if labels else ""
        indicator, problem = parse_indicator_row(row.number, " ".join(row.parts), category)
        if not row.closed:
            problem = problem or "row has no 约束性/预期性 cell"
        if indicator is not None and row.closed:
            indicators.append(indicator)
        if problem:
            warnings.append(
                f"line {row.line_number}: indicator {row.number}: {problem}: "
                f"{' '.join(row.parts)!r}"
            )
    return indicators, warnings


def parse_indicator_row(number: int, text: str, category: str) -> tuple[Indicator | None, str]:
    """Read one row's cells (name, unit, baseline, target, attribute) from its joined text.

    Returns the indicator (None if the cells cannot be told apart) and a problem note ("" if
    none). Values keep their printed text when they are neither numbers, ranks nor milestones.
    """
    match = _ROW_RE.match(text.strip())
    if not match:
        return None, "cells not recognised"
    baseline, base_flags = parse_value(match.group("baseline"))
    target, target_flags = parse_value(match.group("target"))
    flags = base_flags | target_flags
    kind = _kind_of(target, target_flags, flags)
    unit = match.group("unit")
    indicator = Indicator(
        number=number,
        category=category,
        name=_join_wrapped(match.group("name")),
        unit=None if unit in _EMPTY_CELLS else unit,
        baseline=baseline,
        target=target,
        attribute=match.group("attribute"),
        cumulative="cumulative" in flags,
        kind=kind,
    )
    problem = "value not understood" if "unknown" in flags else ""
    return indicator, problem


def _kind_of(target, target_flags: set[str], flags: set[str]) -> str:
    if "cumulative" in flags:
        return "cumulative"
    if "floor" in target_flags:
        return "floor"
    if "rank" in flags:
        return "rank"
    if isinstance(target, str):
        return "milestone"
    return "target"


def parse_value(cell: str) -> tuple[int | float | str | None, set[str]]:
    """Type one value cell; the flags say how it was written (cumulative, floor, rank …)."""
    cell = re.sub(r"\s+", "", cell)
    if cell in _EMPTY_CELLS:
        return None, set()
    bracketed = re.fullmatch(r"[\[［【](.*)[\]］】]", cell)
    if bracketed:
        value, flags = parse_value(bracketed.group(1))
        return value, flags | {"cumulative"}
    for word in _FLOOR_WORDS:
        if cell.startswith(word) and _NUMBER_RE.match(cell[len(word) :]):
            return _to_number(cell[len(word) :]), {"floor"}
    if cell.endswith("以上") and _NUMBER_RE.match(cell[:-2]):
        return _to_number(cell[:-2]), {"floor"}
    if _NUMBER_RE.match(cell.rstrip("%％")):
        return _to_number(cell.rstrip("%％")), set()
    rank = _RANK_RE.match(cell)
    if rank:
        return chinese_numeral(rank.group(1)), {"rank"}
    if re.fullmatch(r"[\u4e00-\u9fff]+", cell):
        return cell, {"milestone"}  # 完成, 建成 …: done or not
    return cell, {"unknown"}


def _to_number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def chinese_numeral(text: str) -> int:
    """一 → 1, 十二 → 12, 二十二 → 22, 一百零三 → 103, "7" → 7; 0 if it is not a numeral."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in "十百":
            total += (current or 1) * (10 if ch == "十" else 100)
            current = 0
        else:
            return 0
    return total + current


def _join_wrapped(name: str) -> str:
    # A space between two Chinese characters (or “” 、（）) is where the cell wrapped, not part
    # of the name; spaces next to Latin text ("R&D经费支出占 GDP比重") are kept as printed.
    words = name.split()
    joined = words[:1]
    for word in words[1:]:
        glue = "" if _is_wide(joined[-1][-1]) and _is_wide(word[0]) else " "
        joined.append(glue + word)
    return "".join(joined)


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WFA"
