"""Helpers for the plan-area tests: real small PDF and DOCX files, sample plans, uploads."""

from __future__ import annotations

import html
import os
import re
from io import BytesIO
from pathlib import Path

import pytest

PLANS = Path(os.environ.get("PLAN_SAMPLES_DIR", "/work/shared/plans"))
SHAOXING = PLANS / "shaoxing-quality-14th-fyp.txt"
ANHUI = PLANS / "anhui-climate-15th-fyp.txt"
SHAOXING_TITLE = "绍兴市质量发展“十四五”规划"

# A small plan in the genre: a title, chapters, sections, tasks, items, a 专栏 and indicators.
SMALL_PLAN = """绍兴市测试工作“十四五”规划

一、总体要求
（一）指导思想。坚持高质量发展。
（二）发展目标。到2025年，全面完成各项任务。
二、重点任务
（一）提升产品质量
1．加强质量监管。完善质量监管体系，开展专项抽查。
（1）开展质量提升行动。每年组织一次行动。
（2）推进标准化建设。制定地方标准十项。
2．培育知名品牌。推动企业创建品牌。
专栏1 品牌培育工程
到2025年，新增省级品牌企业二十家。
（二）强化质量基础
3．建设检验检测平台。建成检测中心三个。
三、保障措施
（一）加强组织领导。建立协调机制。
"""


def read_sample(path: Path) -> str:
    if not path.exists():
        pytest.skip(f"sample plan {path} not available (set PLAN_SAMPLES_DIR)")
    return path.read_text(encoding="utf-8")


def big_plan(tasks: int = 60) -> str:
    """A plan with many tasks and items, for the bounded-queries test."""
    lines = ["绍兴市大型测试“十四五”规划", "", "一、重点任务"]
    for section in range(1, 4):
        lines.append(f"（{'一二三'[section - 1]}）第{section}部分任务")
        for n in range(1, tasks // 3 + 1):
            number = (section - 1) * (tasks // 3) + n
            lines.append(f"{number}．任务{number}。完成第{number}项工作。")
            for item in range(1, 4):
                lines.append(f"（{item}）事项{number}-{item}。按期完成。")
        lines.append(f"专栏{section} 重点工程{section}")
        lines.append(f"建设重点工程{section}。")
    lines.append("二、保障措施")
    lines.append("（一）加强领导。建立机制。")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------- PDF


def _pdf(objects: list[bytes]) -> bytes:
    """Assemble numbered objects (1-based, the first is the catalog) with a correct xref."""
    out = BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _stream(content: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n" % (len(content), extra) + content + b"\nendstream"


# Objects 3-5 of a PDF that writes Chinese with the standard non-embedded STSong-Light font.
CHINESE_FONT_OBJECTS = [
    b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
    b"/DescendantFonts [4 0 R] >>",
    b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
    b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
    b"/FontDescriptor 5 0 R /DW 1000 >>",
    b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
    b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
    b"/CapHeight 880 /StemV 93 >>",
]


def make_text_pdf(text: str, lines_per_page: int = 45) -> bytes:
    """A PDF whose text layer is `text`, in the Adobe-GB1 font every PDF reader knows.

    STSong-Light with the UniGB-UCS2-H CMap is the standard non-embedded Chinese font of
    PDF 1.4, so the strings are plain UCS-2 and extract back to the same characters.
    """
    lines = text.splitlines()
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)] or [[]]
    # 1 catalog, 2 pages, 3 Type0 font, 4 CID font, 5 descriptor, then page/content pairs.
    first_page = 6
    kids = b" ".join(b"%d 0 R" % (first_page + 2 * i) for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)),
        *CHINESE_FONT_OBJECTS,
    ]
    for index, page_lines in enumerate(pages):
        ops = [b"BT /F1 11 Tf 16 TL 40 800 Td"]
        for line in page_lines:
            ops.append(b"<%s> Tj T*" % line.encode("utf-16-be").hex().upper().encode())
        ops.append(b"ET")
        page_number = first_page + 2 * index
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_number + 1)
        )
        objects.append(_stream(b"\n".join(ops)))
    return _pdf(objects)


def make_scanned_pdf(pages: int = 2) -> bytes:
    """A PDF of page images only, as a scanner makes it: no text layer at all."""
    image = bytes([0, 255] * 32)  # an 8×8 grey pattern
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages)), pages),
        _stream(
            image,
            b"/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 ",
        ),
    ]
    for index in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /XObject << /Im1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * index)
        )
        objects.append(_stream(b"q 515 0 0 762 40 40 cm /Im1 Do Q"))
    return _pdf(objects)


# ---------------------------------------------------------------------------- DOCX


def make_docx(text: str, table: list[list[str]] | None = None, merge_first_column=()) -> bytes:
    """A Word file with one paragraph per line of `text`, then an optional table.

    `merge_first_column` lists (first_row, last_row) ranges merged vertically in column 0,
    like the category column of an indicator table.
    """
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                if value:
                    grid.cell(r, c).text = value
        for first, last in merge_first_column:
            grid.cell(first, 0).merge(grid.cell(last, 0))
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- pages


def upload(client, data: bytes | None, filename: str = "plan.txt", **fields):
    """POST the upload form (CSRF is off in tests; the CSRF test covers it)."""
    form = {"title": "", "period": "", "target": "auto", **fields}
    if data is not None:
        form["file"] = (BytesIO(data), filename)
    return client.post("/plans/import", data=form, content_type="multipart/form-data")


def import_id_from(response) -> int:
    location = response.headers["Location"]
    assert "/plans/import/" in location, location
    return int(location.split("/plans/import/")[1].split("?")[0])


def import_via_pages(client, text: str, title: str = "", period: str = "") -> int:
    """Upload and confirm a plan text; returns the plan id."""
    staged = import_id_from(upload(client, text.encode("utf-8"), "plan.txt"))
    preview = client.get(f"/plans/import/{staged}")
    assert preview.status_code == 200
    response = client.post(
        f"/plans/import/{staged}/apply",
        data={
            "title": title or field_value(preview, "title"),
            "period": period or field_value(preview, "period"),
            "base": field_value(preview, "base"),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").split("/plans/")[1])


def field_value(response, name: str) -> str:
    """The value of an <input name=…> on a page."""
    page = response.get_data(as_text=True)
    match = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', page)
    assert match, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else ""
