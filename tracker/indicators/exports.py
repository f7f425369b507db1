"""The evaluation report as .docx (a government document's layout) and .xlsx (for the office).

The GB/T 9704 page, fonts and tables come from ``tracker.documents.docx``; the sheets (frozen
header, widths, wrap, formula neutralisation) from ``tracker.documents.xlsx``. This module only
says what the report contains, in the current (Chinese) locale.
"""

from __future__ import annotations

from flask_babel import gettext as _

from tracker.documents import docx, xlsx
from tracker.indicators.evaluation import Evaluation, percent_text

# --- shared table content ----------------------------------------------------------------


def indicator_header(evaluation: Evaluation) -> list[str]:
    return [
        _("No."),
        _("Category"),
        _("Indicator"),
        _("Unit"),
        _("Baseline (%(year)s)", year=evaluation.plan.baseline_year),
        _("Target (%(year)s)", year=evaluation.plan.end_year),
        _("Value (%(year)s)", year=evaluation.year),
        _("Expected by %(year)s", year=evaluation.year),
        _("Status"),
        _("Responsible department"),
    ]


def indicator_cells(evaluation: Evaluation) -> list[list[str]]:
    rows = []
    for line in evaluation.indicators:
        name = f"{line.name}★" if line.binding else line.name
        status = line.status_text + (f"（{_('Warning')}）" if line.warning else "")
        rows.append(
            [
                str(line.number),
                line.category,
                name,
                line.unit or "—",
                line.baseline,
                line.target,
                line.value,
                line.expected,
                status,
                line.department,
            ]
        )
    return rows


def completion_header(first: str) -> list[str]:
    return [first, _("Work items (total)"), _("Completed items"), _("Completion rate")]


# --- .docx -------------------------------------------------------------------------------


def evaluation_docx(evaluation: Evaluation) -> bytes:
    """The report as a Word document, every text in the current (Chinese) locale."""
    doc = docx.new_document(title=evaluation.title)
    docx.title(doc, evaluation.title)
    docx.paragraph(doc, evaluation.subtitle, font=docx.SUBHEADING_FONT, align=docx.CENTER)
    docx.paragraph(doc)

    docx.heading(doc, _("1. Overall situation"))
    for text in evaluation.overview():
        docx.body(doc, text)

    docx.heading(doc, _("2. Main indicators"))
    docx.table(
        doc,
        indicator_header(evaluation),
        indicator_cells(evaluation),
        widths_mm=[8, 13, 34, 11, 14, 15, 17, 15, 15, 14],
    )
    docx.paragraph(
        doc,
        _("Indicators marked ★ are binding (约束性); the others are expected."),
        size=docx.SIZE_XIAO_WU + 1.5,
    )

    docx.heading(doc, _("3. Key tasks"))
    for heading, first, lines in (
        (_("(1) By section of the plan"), _("Plan section"), evaluation.sections),
        (_("(2) By lead department"), _("Lead department"), evaluation.departments),
    ):
        docx.heading(doc, heading, level=2)
        if lines:
            docx.table(
                doc,
                completion_header(first),
                _completion_cells(lines),
                widths_mm=[86, 22, 22, 26],
            )
        else:
            docx.body(doc, _("No work items yet."))

    docx.heading(doc, _("4. Problems"))
    for number, text in enumerate(evaluation.problems(), start=1):
        docx.body(doc, f"{number}. {text}")
    return docx.to_bytes(doc)


def _completion_cells(lines) -> list[list[str]]:
    return [
        [line.label, str(line.total), str(line.completed), percent_text(line.rate)]
        for line in lines
    ]


# --- .xlsx -------------------------------------------------------------------------------

RATE_FORMAT = "0.0%"


def _sheet(workbook, name: str, heading: str, header: list, rows: list, widths: list, formats=None):
    """One table on its own sheet: a title line, a frozen header row, set widths."""
    sheet = xlsx.add_sheet(workbook, name)
    xlsx.write_table(
        sheet, title=heading, headers=header, rows=rows, widths=widths, formats=formats
    )


def _rate_rows(lines) -> list[list]:
    return [[line.label, line.total, line.completed, round(line.rate, 4)] for line in lines]


def evaluation_xlsx(evaluation: Evaluation) -> bytes:
    """The report's tables, one sheet each, ready to filter and print."""
    workbook = xlsx.new_workbook(evaluation.title)
    _sheet(
        workbook,
        _("Main indicators"),
        f"{evaluation.title}{evaluation.subtitle}",
        indicator_header(evaluation),
        indicator_cells(evaluation),
        [6, 10, 36, 9, 12, 12, 14, 12, 12, 16],
    )
    _sheet(
        workbook,
        _("Key tasks by section"),
        _("Key tasks by section of the plan"),
        completion_header(_("Plan section")),
        _rate_rows(evaluation.sections),
        [50, 12, 12, 12],
        {4: RATE_FORMAT},
    )
    _sheet(
        workbook,
        _("Key tasks by department"),
        _("Key tasks by lead department"),
        completion_header(_("Lead department")),
        _rate_rows(evaluation.departments),
        [30, 12, 12, 12],
        {4: RATE_FORMAT},
    )
    _sheet(
        workbook,
        _("Overview and problems"),
        evaluation.title,
        [_("Part of the report"), _("Text")],
        [[_("1. Overall situation"), text] for text in evaluation.overview()]
        + [[_("4. Problems"), text] for text in evaluation.problems()],
        [18, 100],
    )
    return xlsx.to_bytes(workbook)
