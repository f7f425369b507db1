"""Score sheets as .xlsx (ranking and every line) and .docx (the ranking as a document),
built with the document kit (tracker/documents)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _

from tracker.assessment.scoring import Sheet, number
from tracker.assessment.sheets import ScoreSheets
from tracker.assessment.vocabulary import event_label
from tracker.documents import docx, xlsx


def period_title(result: ScoreSheets) -> str:
    if result.quarter:
        return _("%(year)s Q%(quarter)s", year=result.year, quarter=result.quarter)
    return _("Year %(year)s", year=result.year)


def categories(result: ScoreSheets) -> list[str]:
    """The rule book's categories in the order of its rules."""
    seen: dict[str, None] = {}
    for rule in result.book.rules if result.book else ():
        seen.setdefault(rule.category, None)
    return list(seen)


def category_total(sheet: Sheet, category: str) -> Decimal:
    return sum((line.points for line in sheet.lines if line.rule.category == category), Decimal(0))


def ranking_rows(result: ScoreSheets) -> tuple[list[str], list[list]]:
    names = categories(result)
    headers = [_("Rank"), _("Department"), _("Base score"), *names, _("Score")]
    rows = [
        [
            sheet.rank,
            sheet.name,
            number(sheet.base),
            *(number(category_total(sheet, name)) for name in names),
            number(sheet.score),
        ]
        for sheet in result.sheets
    ]
    return headers, rows


def line_rows(result: ScoreSheets) -> tuple[list[str], list[list]]:
    headers = [
        _("Department"),
        _("Category"),
        _("Rule"),
        _("Points each"),
        _("Count"),
        _("Points"),
        _("Events"),
    ]
    rows = [
        [
            sheet.name,
            line.rule.category,
            event_label(line.rule.event),
            number(line.rule.points),
            line.count,
            number(line.points),
            "、".join(event.label for event in line.events),
        ]
        for sheet in result.sheets
        for line in sheet.lines
    ]
    return headers, rows


def sheets_xlsx(result: ScoreSheets) -> bytes:
    title = _("Assessment scores, %(period)s", period=period_title(result))
    workbook = xlsx.new_workbook(title)
    headers, rows = ranking_rows(result)
    xlsx.write_table(
        xlsx.add_sheet(workbook, _("Ranking")),
        title=title,
        headers=headers,
        rows=rows,
        widths=[6, (16, 40), *([10] * (len(headers) - 2))],
    )
    headers, rows = line_rows(result)
    xlsx.write_table(
        xlsx.add_sheet(workbook, _("Lines")),
        title=title,
        headers=headers,
        rows=rows,
        widths=[(16, 40), (8, 16), (16, 40), 8, 8, 8, (20, 80)],
    )
    return xlsx.to_bytes(workbook)


def sheets_docx(result: ScoreSheets, today: date) -> bytes:
    document = docx.new_document(title=_("Assessment scores"))
    docx.title(
        document,
        _("Assessment scores, %(period)s", period=period_title(result)),
        space_after=18,
    )
    docx.body(
        document,
        _(
            "Scored from %(first)s to %(last)s by the rules in force for %(year)s: base score "
            "%(base)s, plus or minus the points of each rule, each category within its cap.",
            first=format_date(result.first_day, "long"),
            last=format_date(result.last_day, "long"),
            year=result.year,
            base=number(result.book.base) if result.book else "—",
        ),
    )
    headers, rows = ranking_rows(result)
    docx.table(document, headers, rows, size=11, center_body=True)
    docx.paragraph(document)
    docx.paragraph(document, format_date(today, "long"), align=docx.RIGHT)
    return docx.to_bytes(document)
