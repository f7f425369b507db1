"""Interpreting raw rows of a 任务分解表 into item fields with row-by-row errors — pure."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from tracker.spreadsheets.dates import DeadlineError, parse_deadline
from tracker.spreadsheets.reader import RawRow, SheetData
from tracker.spreadsheets.units import resolve_owners, split_units

# Stable reason codes for row errors and notes; the web layer translates them.
FORMULA = "formula"
TOO_LONG = "too_long"
MISSING_CODE = "missing_code"
CODE_TOO_LONG = "code_too_long"
DUPLICATE_CODE = "duplicate_code"
MISSING_TASK = "missing_task"
TITLE_TOO_LONG = "title_too_long"
MISSING_UNIT = "missing_unit"
UNKNOWN_DEPARTMENT = "unknown_department"
BAD_DATE = "bad_date"
UNKNOWN_SECTION = "unknown_section"  # a note: the row is kept without a section

MAX_CODE = 60
MAX_TITLE = 300
# A title made from 内容与要求 when the table has no 重点任务 column: its first clause.
DERIVED_TITLE_CHARS = 80
_HEADING_TEXT = re.compile(r"^(?:[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、|专栏)")


@dataclass
class Problem:
    column: str  # the field key; the preview shows the file's own header and letter
    code: str
    params: dict = field(default_factory=dict)


@dataclass
class ParsedRow:
    row: int
    code: str | None = None
    section_text: str | None = None
    section_node_id: int | None = None
    title: str | None = None
    title_derived: bool = False  # made from the content: never overwrites an existing title
    description: str = ""
    lead_id: int | None = None
    co_ids: list[int] = field(default_factory=list)
    due: date | None = None
    due_text: str | None = None
    due_kind: str | None = None
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What interpreting a row needs from the outside world, as plain callables and values."""

    resolve_department: Callable[[str], int | None]
    resolve_section: Callable[[str], int | None] = lambda _text: None
    default_year: int | None = None
    plan_end: date | None = None


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def is_group_header(raw: RawRow) -> bool:
    """A row naming a section between task rows (often merged across the table)."""
    filled = {k: v for k, v in raw.values.items() if v is not None}
    if len(filled) != 1 or raw.formulas:
        return False
    ((key, value),) = filled.items()
    return key in ("code", "section") or (key == "title" and bool(_HEADING_TEXT.match(str(value))))


def derive_title(description: str) -> str:
    """The first clause of 内容与要求, for tables that have no 重点任务 column."""
    first = re.split(r"[。；;\n]", description, maxsplit=1)[0].strip()
    if len(first) > DERIVED_TITLE_CHARS:
        first = first[: DERIVED_TITLE_CHARS - 1] + "…"
    return first


def interpret_rows(sheet: SheetData, context: Context) -> list[ParsedRow]:
    """Every data row as item fields, with its errors; group-header rows set the section."""
    results: list[ParsedRow] = []
    seen_codes: dict[str, int] = {}
    current_section: str | None = None
    last_title: str | None = None
    has_title_column = "title" in sheet.columns
    for raw in sheet.rows:
        if is_group_header(raw):
            current_section = _text(next(v for v in raw.values.values() if v is not None))
            last_title = None
            continue
        parsed = _interpret(raw, context, current_section, last_title, has_title_column)
        if parsed.code:
            if parsed.code in seen_codes:
                parsed.errors.append(
                    Problem("code", DUPLICATE_CODE, {"first_row": seen_codes[parsed.code]})
                )
            else:
                seen_codes[parsed.code] = parsed.row
        if parsed.title and has_title_column:
            last_title = parsed.title
        results.append(parsed)
    return results


def _interpret(
    raw: RawRow,
    context: Context,
    current_section: str | None,
    last_title: str | None,
    has_title_column: bool,
) -> ParsedRow:
    values = raw.values
    parsed = ParsedRow(row=raw.number)
    for key in raw.formulas:
        parsed.errors.append(Problem(key, FORMULA))
    for key, length in raw.too_long:
        parsed.errors.append(Problem(key, TOO_LONG, {"length": length}))

    parsed.code = _text(values.get("code"))
    if not parsed.code:
        parsed.errors.append(Problem("code", MISSING_CODE))
    elif len(parsed.code) > MAX_CODE:
        parsed.errors.append(Problem("code", CODE_TOO_LONG, {"max": MAX_CODE}))

    parsed.section_text = _text(values.get("section")) or current_section
    if parsed.section_text:
        parsed.section_node_id = context.resolve_section(parsed.section_text)
        if parsed.section_node_id is None:
            parsed.notes.append(Problem("section", UNKNOWN_SECTION, {"text": parsed.section_text}))

    parsed.description = _text(values.get("description")) or ""
    title = _text(values.get("title"))
    if title is None and parsed.description:
        # Merged 重点任务 cells repeat over their rows; without the column, derive one.
        if has_title_column and last_title:
            title = last_title
        else:
            title, parsed.title_derived = derive_title(parsed.description), True
    if not title:
        parsed.errors.append(Problem("title", MISSING_TASK))
    elif len(title) > MAX_TITLE:
        parsed.errors.append(Problem("title", TITLE_TOO_LONG, {"max": MAX_TITLE}))
    parsed.title = title

    _interpret_units(parsed, values, context)
    _interpret_due(parsed, values, context)
    return parsed


def _interpret_units(parsed: ParsedRow, values: dict, context: Context) -> None:
    lead_mentions = split_units(values.get("lead"))
    co_mentions = split_units(values.get("co"))
    owners = resolve_owners(lead_mentions, co_mentions, context.resolve_department)
    for name in owners.unknown:
        column = "lead" if any(m.name == name for m in lead_mentions) else "co"
        parsed.errors.append(Problem(column, UNKNOWN_DEPARTMENT, {"name": name}))
    if not lead_mentions and not co_mentions:
        parsed.errors.append(Problem("lead", MISSING_UNIT))
    parsed.lead_id = owners.lead
    parsed.co_ids = list(owners.co)


def _interpret_due(parsed: ParsedRow, values: dict, context: Context) -> None:
    raw_due = values.get("due")
    parsed.due_text = _text(raw_due)
    try:
        deadline = parse_deadline(
            raw_due, default_year=context.default_year, plan_end=context.plan_end
        )
    except DeadlineError as error:
        parsed.errors.append(Problem("due", BAD_DATE, {"text": error.text, "reason": error.code}))
        return
    parsed.due, parsed.due_kind = deadline.due, deadline.kind
