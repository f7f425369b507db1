"""The evaluation report as .docx (a government document's layout) and .xlsx (for the office).

Layout after GB/T 9704 (党政机关公文格式): A4, title in 方正小标宋 二号, first-level headings
in 黑体 三号, body in 仿宋_GB2312 三号 with a two-character indent, page numbers "— 1 —".
East-Asian font names must be set on each run's rFonts/eastAsia, or Word falls back to its
default Chinese font whatever `font.name` says.
"""

from __future__ import annotations

import logging
from io import BytesIO

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from tracker.indicators.evaluation import Evaluation, percent_text

logger = logging.getLogger(__name__)

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
SIZE_ER_HAO, SIZE_SAN_HAO, SIZE_SI_HAO, SIZE_XIAO_WU = 22, 16, 14, 9
# Spreadsheet cells starting with these are formulas (or DDE) to Excel: show them as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _set_run_font(run, name: str, size: float, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(
    doc, text: str, *, font=BODY_FONT, size=SIZE_SAN_HAO, bold=False, indent=True, align=None
):
    paragraph = doc.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28)  # 公文: 22 lines a page, about 28 pt apart
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        paragraph.alignment = align
    _set_run_font(paragraph.add_run(text), font, size, bold)
    return paragraph


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _table(doc, header: list[str], rows: list[list[str]], widths_mm: list[float]):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"  # single borders on every cell
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(table.rows[0])
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _set_run_font(paragraph.add_run(text), HEADING_FONT, SIZE_XIAO_WU)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            _set_run_font(cell.paragraphs[0].add_run(str(text)), BODY_FONT, SIZE_XIAO_WU)
    for column, width in zip(table.columns, widths_mm, strict=True):
        for cell in column.cells:
            cell.width = Mm(width)
    return table


def _page_number_footer(section) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def add(text=None, field=None):
        run = paragraph.add_run(text or "")
        _set_run_font(run, PAGE_NUMBER_FONT, SIZE_SI_HAO)
        if field is not None:
            begin, instr, end = (
                OxmlElement("w:fldChar"),
                OxmlElement("w:instrText"),
                OxmlElement("w:fldChar"),
            )
            begin.set(qn("w:fldCharType"), "begin")
            instr.set(qn("xml:space"), "preserve")
            instr.text = field
            end.set(qn("w:fldCharType"), "end")
            run._element.extend([begin, instr, end])

    add("— ")
    add(field=" PAGE ")
    add(" —")


def _setup_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(SIZE_SAN_HAO)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _page_number_footer(section)
    return doc


def evaluation_docx(evaluation: Evaluation) -> bytes:
    """The report as a Word document, every text in the current (Chinese) locale."""
    doc = _setup_document()
    doc.core_properties.title = evaluation.title
    _paragraph(
        doc,
        evaluation.title,
        font=TITLE_FONT,
        size=SIZE_ER_HAO,
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _paragraph(
        doc, evaluation.subtitle, font="楷体_GB2312", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    _paragraph(doc, "", indent=False)

    _paragraph(doc, _("1. Overall situation"), font=HEADING_FONT)
    for text in evaluation.overview():
        _paragraph(doc, text)

    _paragraph(doc, _("2. Main indicators"), font=HEADING_FONT)
    _table(
        doc,
        indicator_header(evaluation),
        indicator_cells(evaluation),
        [8, 13, 34, 11, 14, 15, 17, 15, 15, 14],
    )
    _paragraph(
        doc,
        _("Indicators marked ★ are binding (约束性); the others are expected."),
        size=SIZE_XIAO_WU + 1.5,
        indent=False,
    )

    _paragraph(doc, _("3. Key tasks"), font=HEADING_FONT)
    for heading, first, lines in (
        (_("(1) By section of the plan"), _("Plan section"), evaluation.sections),
        (_("(2) By lead department"), _("Lead department"), evaluation.departments),
    ):
        _paragraph(doc, heading, font="楷体_GB2312")
        if lines:
            _table(doc, completion_header(first), _completion_cells(lines), [86, 22, 22, 26])
        else:
            _paragraph(doc, _("No work items yet."))

    _paragraph(doc, _("4. Problems"), font=HEADING_FONT)
    for number, text in enumerate(evaluation.problems(), start=1):
        _paragraph(doc, f"{number}. {text}")

    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _completion_cells(lines) -> list[list[str]]:
    return [
        [line.label, str(line.total), str(line.completed), percent_text(line.rate)]
        for line in lines
    ]


# --- .xlsx -------------------------------------------------------------------------------


def safe_cell(value):
    """Text that Excel would run as a formula is prefixed with a quote and stays text."""
    if not isinstance(value, str):
        return value
    # openpyxl refuses control characters outright; a parsed name may carry one.
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")


def _sheet(workbook, title: str, heading: str, header: list, rows: list[list], widths: list):
    """A sheet with a title line, a frozen header row, set widths and wrapped Chinese text."""
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([safe_cell(heading)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.cell(row=1, column=1).font = Font(name="黑体", size=14, bold=True)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    sheet.append([safe_cell(h) for h in header])
    for cell in sheet[2]:
        cell.font = Font(name="黑体", bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.border = _BORDER
    for values in rows:
        sheet.append([safe_cell(v) for v in values])
        for cell in sheet[sheet.max_row]:
            cell.alignment = _WRAP
            cell.border = _BORDER
            cell.font = Font(name="仿宋")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return sheet


def _rate_rows(lines) -> list[list]:
    return [[line.label, line.total, line.completed, round(line.rate, 4)] for line in lines]


def _format_rates(sheet) -> None:
    for row in sheet.iter_rows(min_row=3, min_col=4, max_col=4):
        for cell in row:
            cell.number_format = "0.0%"


def evaluation_xlsx(evaluation: Evaluation) -> bytes:
    """The report's tables, one sheet each, ready to filter and print."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(
        workbook,
        _("Main indicators"),
        f"{evaluation.title}{evaluation.subtitle}",
        indicator_header(evaluation),
        indicator_cells(evaluation),
        [6, 10, 36, 9, 12, 12, 14, 12, 12, 16],
    )
    sections = _sheet(
        workbook,
        _("Key tasks by section"),
        _("Key tasks by section of the plan"),
        completion_header(_("Plan section")),
        _rate_rows(evaluation.sections),
        [50, 12, 12, 12],
    )
    _format_rates(sections)
    departments = _sheet(
        workbook,
        _("Key tasks by department"),
        _("Key tasks by lead department"),
        completion_header(_("Lead department")),
        _rate_rows(evaluation.departments),
        [30, 12, 12, 12],
    )
    _format_rates(departments)
    _sheet(
        workbook,
        _("Overview and problems"),
        evaluation.title,
        [_("Part of the report"), _("Text")],
        [[_("1. Overall situation"), text] for text in evaluation.overview()]
        + [[_("4. Problems"), text] for text in evaluation.problems()],
        [18, 100],
    )
    workbook.properties.title = evaluation.title
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
