"""The assessment section of a 通报: the quarter's score ranking, when rules cover the year."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from tracker.assessment.documents import period_title, ranking_rows
from tracker.assessment.sheets import ScoreSheets, build_sheets
from tracker.documents import docx


def bulletin_section(period, today: date, timezone: str) -> ScoreSheets | None:
    """The sheets of the quarter the bulletin's period falls in (a monthly period: its
    quarter so far); None when no rules cover its year."""
    quarter = (period.start_date.month - 1) // 3 + 1
    result = build_sheets(period.start_date.year, quarter, today, timezone)
    return result if result.rule_set is not None else None


def add_to_docx(document, result: ScoreSheets | None) -> None:
    """Heading and ranking table after the bulletin's own sections."""
    if result is None:
        return
    docx.heading(document, _("6. Assessment scores (%(period)s)", period=period_title(result)))
    headers, rows = ranking_rows(result)
    docx.table(document, headers, rows, size=11, center_body=True)
