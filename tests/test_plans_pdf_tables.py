"""PDF plans: ruled indicator tables read as grids (pdfplumber), pages without text named."""

import pytest

from tests.plans_support import (
    CHINESE_FONT_OBJECTS,
    _pdf,
    _stream,
    make_scanned_pdf,
    make_text_pdf,
)
from tracker.plans.parser import parse_plan
from tracker.plans.reading import PlanFileError, read_plan_file

pdfplumber = pytest.importorskip("pdfplumber")

LIMIT = 5_000_000
WIDTHS = (60, 200, 50, 60, 60, 60)


def _show(x: float, y: float, text: str, size: int = 10) -> bytes:
    hex_text = text.encode("utf-16-be").hex().upper().encode()
    return b"BT /F1 %d Tf %.1f %.1f Td <%s> Tj ET" % (size, x, y, hex_text)


def make_table_pdf(pages: list[tuple[list[str], list[list[str]], list[str]]]) -> bytes:
    """Pages of text lines, a ruled table (cells "" are merged into the cell above), text."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", *CHINESE_FONT_OBJECTS]
    kids = []
    for before, rows, after in pages:
        ops, y = [], 800.0
        for line in before:
            ops.append(_show(40, y, line, 11))
            y -= 18
        top = y
        for row_index, row in enumerate(rows):
            x = 40.0
            for col, cell in enumerate(row):
                width = WIDTHS[col]
                merged_below = row_index + 1 < len(rows) and rows[row_index + 1][col] == ""
                # Draw the cell's left, top and right edges; the bottom only if not merged.
                ops.append(b"%.1f %.1f m %.1f %.1f l S" % (x, y, x, y - 20))
                ops.append(b"%.1f %.1f m %.1f %.1f l S" % (x + width, y, x + width, y - 20))
                if row_index == 0:
                    ops.append(b"%.1f %.1f m %.1f %.1f l S" % (x, y, x + width, y))
                if not merged_below:
                    ops.append(b"%.1f %.1f m %.1f %.1f l S" % (x, y - 20, x + width, y - 20))
                if cell:
                    ops.append(_show(x + 3, y - 14, cell, 9))
                x += width
            y -= 20
        y = min(y, top) - 20
        for line in after:
            ops.append(_show(40, y, line, 11))
            y -= 18
        page_number = len(objects) + 1
        kids.append(page_number)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (page_number + 1)
        )
        objects.append(_stream(b"\n".join(ops)))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    return _pdf(objects)


HEADER = ["类别", "指标", "单位", "2020年", "2025年", "属性"]


def test_a_ruled_indicator_table_over_two_pages_is_read_as_a_grid():
    first = (
        ["某市文化发展规划", "一、发展目标", "表1 主要指标"],
        [
            HEADER,
            ["文化", "县级博物馆覆盖率（%）", "", "80", "≥95", "约束性"],
            ["", "非遗保护项目", "项", "120", "〔10〕", "预期性"],
        ],
        [],
    )
    second = (
        [],
        [
            HEADER,
            ["旅游", "游客人次增速", "%", "5", "3-5", "预期性"],
        ],
        ["二、重点任务", "（一）加强保护。做好文物保护工作。"],
    )
    text = read_plan_file("plan.pdf", make_table_pdf([first, second]), LIMIT)
    parsed = parse_plan(text)
    rows = [(i.category, i.name, i.unit, i.baseline, i.target, i.kind) for i in parsed.indicators]
    assert rows == [
        ("文化", "县级博物馆覆盖率", "%", 80, 95, "floor"),
        ("文化", "非遗保护项目", "项", 120, 10, "cumulative"),
        ("旅游", "游客人次增速", "%", 5, "3-5", "target"),
    ]
    assert [i.attribute for i in parsed.indicators] == ["约束性", "预期性", "预期性"]
    assert [n.title for n in parsed.nodes] == ["发展目标", "重点任务"]
    assert "县级博物馆" not in parsed.nodes[0].text


def test_a_page_without_text_is_named_in_a_warning():
    text = make_text_pdf("某市发展规划\n一、总体要求\n（一）指导思想。坚持发展。")
    parsed = parse_plan(read_plan_file("plan.pdf", text, LIMIT) + "\n\f\n\f二、主要任务\n")
    assert any("page 2" in w and "no text" in w for w in parsed.warnings)
    assert not any("page 1 " in w or "page 3" in w for w in parsed.warnings)
    assert [n.title for n in parsed.nodes] == ["总体要求", "主要任务"]


def test_a_wholly_scanned_pdf_is_refused_with_its_reason():
    with pytest.raises(PlanFileError) as error:
        read_plan_file("scan.pdf", make_scanned_pdf(3), LIMIT)
    assert error.value.code == "no_text_layer"
