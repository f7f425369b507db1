"""Scanned PDF pages read by the optional OCR engine (requirements-ocr.txt), and said so."""

from io import BytesIO

import pytest

from tracker.plans.parser import parse_plan
from tracker.plans.reading import read_plan_file

pytest.importorskip("rapidocr_onnxruntime")
pytest.importorskip("pypdfium2")
Image = pytest.importorskip("PIL.Image")
ImageDraw = pytest.importorskip("PIL.ImageDraw")
ImageFont = pytest.importorskip("PIL.ImageFont")

FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
LINES = [
    "某市文物保护实施方案",
    "一、总体要求",
    "（一）指导思想。坚持保护第一。",
    "二、主要任务",
    "（一）拓展利用途径。推动开放共享。",
]


def scanned_plan() -> bytes:
    """A one-page PDF that is only an image of printed text, as a scanner makes it."""
    try:
        font = ImageFont.truetype(FONT, 28)
    except OSError:
        pytest.skip(f"no CJK font at {FONT} to print the test page")
    page = Image.new("L", (1240, 700), 255)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(LINES):
        draw.text((80, 60 + number * 60), line, font=font, fill=0)
    out = BytesIO()
    page.save(out, "PDF", resolution=150)
    return out.getvalue()


def test_a_scanned_page_is_read_by_ocr_and_the_preview_says_so():
    text = read_plan_file("scan.pdf", scanned_plan(), 5_000_000)
    parsed = parse_plan(text)
    assert [n.title for n in parsed.nodes] == ["总体要求", "主要任务"]
    assert parsed.nodes[1].children[0].title == "拓展利用途径"
    assert any("page 1" in w and "OCR" in w for w in parsed.warnings)
    assert "\ue000" not in parsed.title + "".join(n.text for n in parsed.nodes)
