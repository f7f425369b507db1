"""Word documents laid out after GB/T 9704 (党政机关公文格式) — pure, no database.

A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; lines 28 pt apart (22 a page);
title in 方正小标宋 二号, first-level headings in 黑体 三号, second-level in 楷体 三号, body in
仿宋_GB2312 三号 with a two-character first-line indent; page numbers "— 1 —" in 宋体 四号.
East-Asian font names must be set on each run's rFonts/eastAsia, or Word falls back to its
default Chinese font whatever ``font.name`` says — ``set_font`` does both.

    doc = new_document(title="…")
    title(doc, "…")
    heading(doc, "一、总体情况")
    body(doc, "…")
    table(doc, ["序号", …], rows, widths_mm=[8, …])
    data = to_bytes(doc)
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
# Chinese type sizes in points.
SIZE_YI_HAO, SIZE_ER_HAO, SIZE_SAN_HAO, SIZE_SI_HAO, SIZE_XIAO_WU = 26, 22, 16, 14, 9
LINE_PITCH = Pt(28)
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
RED = RGBColor(0xC0, 0x00, 0x00)

CENTER = WD_ALIGN_PARAGRAPH.CENTER
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
# XML 1.0 has no place for these; lxml refuses a run that carries one.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Text a .docx can hold: control characters (but tab and newline) dropped."""
    return _XML_ILLEGAL.sub("", text)


def set_font(run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None):
    """Font, size, weight (and colour) of one run, the East-Asian font included."""
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    return run


def new_document(*, title: str | None = None, page_numbers: bool = True) -> DocumentType:
    """An empty A4 document with the GB/T 9704 margins, 仿宋 三号 body and page numbers."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(SIZE_SAN_HAO)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    if page_numbers:
        _page_number_footer(section)
    if title:
        doc.core_properties.title = title
    return doc


def paragraph(
    doc,
    text: str = "",
    *,
    font: str = BODY_FONT,
    size: float = SIZE_SAN_HAO,
    bold: bool = False,
    color: RGBColor | None = None,
    align=None,
    indent: bool = False,
    space_after: float = 0,
):
    """One paragraph at the 28 pt line pitch; ``indent`` is the two-character first line."""
    para = doc.add_paragraph()
    fmt = para.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_after = Pt(space_after)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        para.alignment = align
    if text:
        set_font(para.add_run(clean_text(text)), font, size, bold=bold, color=color)
    return para


def title(doc, text: str, *, size: float = SIZE_ER_HAO, space_after: float = 0, color=None):
    """The document's title: 方正小标宋, centred."""
    return paragraph(
        doc, text, font=TITLE_FONT, size=size, align=CENTER, space_after=space_after, color=color
    )


def heading(doc, text: str, level: int = 1):
    """一、 headings in 黑体, （一） headings in 楷体; both 三号 and indented like the body."""
    font = HEADING_FONT if level == 1 else SUBHEADING_FONT
    return paragraph(doc, text, font=font, indent=True)


def body(doc, text: str, *, size: float = SIZE_SAN_HAO):
    """A body paragraph: 仿宋, two-character first-line indent."""
    return paragraph(doc, text, size=size, indent=True)


def red_rule(para) -> None:
    """The red line under a masthead, as a bottom border of the 文号 paragraph."""
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
    para._p.get_or_add_pPr().append(borders)


def _repeat_header(row) -> None:
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _write_cell(cell, text: str, font: str, size: float, *, align=None, bold=False) -> None:
    para = cell.paragraphs[0]  # a new cell holds one empty paragraph
    if align is not None:
        para.alignment = align
    set_font(para.add_run(clean_text(text)), font, size, bold=bold)


def table(
    doc,
    header: Sequence[str],
    rows: Sequence[Sequence],
    *,
    size: float = SIZE_XIAO_WU,
    widths_mm: Sequence[float] | None = None,
    center_body: bool = False,
):
    """A bordered, centred table: 黑体 header repeated on every page, 仿宋 cells."""
    grid = doc.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"  # single borders on every cell
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(grid.rows[0])
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        _write_cell(cell, text, HEADING_FONT, size, align=CENTER)
    body_align = CENTER if center_body else None
    for values in rows:
        for cell, value in zip(grid.add_row().cells, values, strict=True):
            _write_cell(cell, str(value), BODY_FONT, size, align=body_align)
    if widths_mm:
        for column, width in zip(grid.columns, widths_mm, strict=True):
            for cell in column.cells:
                cell.width = Mm(width)
    return grid


def _page_number_footer(section) -> None:
    para = section.footer.paragraphs[0]
    para.alignment = CENTER

    def add(text="", field=None):
        run = set_font(para.add_run(text), PAGE_NUMBER_FONT, SIZE_SI_HAO)
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


def to_bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
