"""The 通报 as a .docx laid out like a government document: red masthead, 文号, title, table."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from flask_babel import format_date, format_percent
from flask_babel import gettext as _

from tracker.bulletins.data import Bulletin

# The fonts of Chinese official documents (GB/T 9704): 小标宋 titles, 仿宋 body, 黑体 headings.
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
RED = RGBColor(0xC0, 0x00, 0x00)


def _font(run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None):
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    # Word picks CJK glyphs from eastAsia; without it Chinese falls back to a default font.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    return run


def _paragraph(
    document,
    text: str = "",
    *,
    font=BODY_FONT,
    size=16.0,
    bold=False,
    color=None,
    align=None,
    indent=False,
    space_after=0,
):
    paragraph = document.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    paragraph.paragraph_format.line_spacing = Pt(28)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if text:
        _font(paragraph.add_run(text), font, size, bold=bold, color=color)
    return paragraph


def _red_rule(paragraph) -> None:
    """The red line under the masthead, as a bottom border of the 文号 paragraph."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", "12"),
        ("w:space", "4"),
        ("w:color", "C00000"),
    ):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _cell(cell, text: str, *, bold: bool = False) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), BODY_FONT, 11, bold=bold)


def _percent(value: float) -> str:
    return format_percent(value, "#,##0.#%")


def headers() -> list[str]:
    return [
        _("Rank"),
        _("Department"),
        _("Reports due"),
        _("On time"),
        _("Late"),
        _("Not reported"),
        _("Returned"),
        _("Overdue items"),
        _("On-time rate"),
    ]


def summary_text(bulletin: Bulletin) -> str:
    total = bulletin.total
    return _(
        "For the reporting period %(period)s (report deadline %(deadline)s), %(departments)s "
        "departments owed %(due)s progress reports: %(on_time)s were submitted on time, "
        "%(late)s late and %(missing)s not at all; %(returned)s were returned for rework. "
        "On %(as_of)s, %(overdue)s work items were past their due date.",
        period=bulletin.period_name,
        deadline=format_date(bulletin.period.deadline, "long"),
        departments=len(bulletin.lines),
        due=total.due,
        on_time=total.on_time,
        late=total.late,
        missing=total.missing,
        returned=total.returned,
        as_of=format_date(bulletin.as_of, "long"),
        overdue=total.overdue,
    )


def ranking_text(bulletin: Bulletin) -> list[str]:
    lines = []
    if bulletin.best:
        lines.append(
            _(
                "Best on-time reporting: %(names)s.",
                names="、".join(
                    f"{line.name}（{_percent(line.stats.on_time_rate)}）" for line in bulletin.best
                ),
            )
        )
    if bulletin.lagging:
        lines.append(
            _(
                "Most in arrears: %(names)s.",
                names="、".join(
                    _(
                        "%(name)s (%(overdue)s overdue, %(missing)s not reported)",
                        name=line.name,
                        overdue=line.stats.overdue,
                        missing=line.stats.missing,
                    )
                    for line in bulletin.lagging
                ),
            )
        )
    return lines


def render_docx(bulletin: Bulletin) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    _paragraph(
        document,
        _("Plan implementation bulletin"),
        font=TITLE_FONT,
        size=26,
        color=RED,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=12,
    )
    number = _paragraph(
        document,
        _("〔%(year)s〕 No. %(issue)s", year=bulletin.year, issue=bulletin.issue),
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=18,
    )
    _red_rule(number)
    _paragraph(
        document,
        _("Bulletin on the progress of plan tasks in %(period)s", period=bulletin.period_name),
        font=TITLE_FONT,
        size=22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=18,
    )
    _paragraph(
        document,
        bulletin.plan.title if bulletin.plan else "",
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_after=12,
    )
    _paragraph(document, summary_text(bulletin), indent=True)
    _paragraph(document, _("1. Reporting by department"), font=HEADING_FONT, size=16, indent=True)

    columns = headers()
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, columns, strict=True):
        _cell(cell, text, bold=True)
    for line in bulletin.lines:
        s = line.stats
        values = [
            line.position,
            line.name,
            s.due,
            s.on_time,
            s.late,
            s.missing,
            s.returned,
            s.overdue,
            _percent(s.on_time_rate),
        ]
        for cell, value in zip(table.add_row().cells, values, strict=True):
            _cell(cell, str(value))

    _paragraph(document, _("2. Ranking"), font=HEADING_FONT, size=16, indent=True)
    for text in ranking_text(bulletin) or [_("No department owed a report in this period.")]:
        _paragraph(document, text, indent=True)
    _paragraph(document)
    _paragraph(document, bulletin.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(document, format_date(bulletin.today, "long"), align=WD_ALIGN_PARAGRAPH.RIGHT)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
