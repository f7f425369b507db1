"""Words for spreadsheet refusals and row problems, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.spreadsheets import dates, reader, rows

REFUSALS = {
    reader.NOT_XLSX: _l(
        "This file is not an Excel workbook (.xlsx). Save it as .xlsx and try again."
    ),
    reader.TOO_LARGE: _l("The file is larger than %(limit_mb)s MB."),
    reader.ZIP_BOMB: _l(
        "The workbook expands to far more data than a task table holds; it was refused unopened."
    ),
    reader.XML_ENTITIES: _l(
        "The workbook contains XML declarations (DOCTYPE/ENTITY) that a spreadsheet never needs; "
        "it was refused."
    ),
    reader.NO_HEADER: _l(
        "No header row with the expected columns was found in the first rows. Expected columns "
        "such as %(expected)s."
    ),
    reader.TOO_MANY_ROWS: _l(
        "The table has more than %(limit)s rows; split it into smaller files."
    ),
    reader.EMPTY: _l("The table has a header row but no rows below it."),
}

PROBLEMS = {
    rows.FORMULA: _l("a formula; paste the values instead"),
    rows.TOO_LONG: _l("text too long (%(length)s characters)"),
    rows.MISSING_CODE: _l("no number (序号)"),
    rows.CODE_TOO_LONG: _l("number longer than %(max)s characters"),
    rows.DUPLICATE_CODE: _l("the same number as row %(first_row)s"),
    rows.MISSING_TASK: _l("no task"),
    rows.TITLE_TOO_LONG: _l("task longer than %(max)s characters"),
    rows.MISSING_UNIT: _l("no responsible unit"),
    rows.UNKNOWN_DEPARTMENT: _l("unknown department “%(name)s”"),
    rows.BAD_DATE: _l("cannot read the date “%(text)s”"),
    rows.UNKNOWN_SECTION: _l("section “%(text)s” not found in the plan; left unchanged"),
    "retired_item": _l("the work item %(code)s is retired; reopen it first"),
    "inactive_department": _l("department “%(name)s” is deactivated"),
}

DATE_DETAILS = {
    dates.ERROR_UNREADABLE: _l("not a date or deadline phrase"),
    dates.ERROR_INVALID_DATE: _l("no such date"),
    dates.ERROR_NO_YEAR: _l("no year given"),
    dates.ERROR_OUT_OF_RANGE: _l("year out of range"),
}

FIELD_LABELS = {
    "code": _l("Number"),
    "section": _l("Section"),
    "title": _l("Task"),
    "description": _l("Content"),
    "lead": _l("Lead unit"),
    "co": _l("Co-units"),
    "due": _l("Deadline"),
    "progress": _l("Progress"),
    "lead_department_id": _l("Lead unit"),
    "co_department_ids": _l("Co-units"),
    "due_date": _l("Deadline"),
    "section_node_id": _l("Section"),
}


def refusal_text(code: str, params: dict | None = None) -> str:
    template = REFUSALS.get(code)
    if template is None:
        return code
    try:
        return str(template) % (params or {})
    except (KeyError, TypeError, ValueError):
        return str(template)


def problem_text(problem: dict) -> str:
    """One row problem as a sentence fragment: 'unknown department “市某局”'."""
    template = PROBLEMS.get(problem.get("code"))
    params = dict(problem.get("params") or {})
    if template is None:
        return str(problem.get("code"))
    try:
        text = str(template) % params
    except (KeyError, TypeError, ValueError):
        text = str(template)
    reason = params.get("reason")
    if problem.get("code") == rows.BAD_DATE and reason in DATE_DETAILS:
        text = _("%(problem)s: %(detail)s", problem=text, detail=DATE_DETAILS[reason])
    return text


def column_text(column: str, columns: dict) -> str:
    """The column as the file calls it, with its letter: 牵头单位 (E)."""
    header = columns.get(column)
    if header:
        return f"{header[0]} ({header[1]})"
    return str(FIELD_LABELS.get(column, column))
