"""Bad plan files: a clear message or a preview with warnings, quickly, and nothing imported."""

import time
from io import BytesIO

import pytest
from sqlalchemy import func, select

from tests.plans_support import SMALL_PLAN, import_id_from, make_text_pdf, upload
from tracker.extensions import db
from tracker.models import Indicator, Plan, PlanImport, PlanNode
from tracker.plans.parser import parse_plan

# The budget for any one file.
_SECONDS = 30


def counts() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Plan, PlanNode, Indicator)
    )


@pytest.fixture
def office(client, factories):
    user = factories.user("office")
    factories.login_as(client, user)
    return user


def encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(BytesIO(make_text_pdf(SMALL_PLAN))).pages:
        writer.add_page(page)
    writer.encrypt("secret")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["序号", "指标", "目标"])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


OLE2_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(
    ("filename", "data", "status", "message"),
    [
        ("locked.pdf", encrypted_pdf(), 422, "密码保护"),
        ("truncated.pdf", make_text_pdf(SMALL_PLAN)[:300], 422, "PDF"),
        ("plan.doc", OLE2_DOC, 400, "另存为 .docx"),
        ("plan.docx", OLE2_DOC, 422, "DOCX"),
        ("sheet.pdf", xlsx_bytes(), 422, "并不是真正的 PDF 文件"),
    ],
)
def test_unreadable_files_get_a_clear_message_and_nothing_is_written(
    client, office, filename, data, status, message
):
    started = time.monotonic()
    response = upload(client, data, filename)
    assert time.monotonic() - started < _SECONDS
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page and "data-error" in page
    assert counts() == (0, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(PlanImport)) == 0


NOVEL = (
    "第一章 雨夜\n那天晚上雨下得很大，他站在门口，不知道该不该进去。\n"
    "屋里的灯还亮着，母亲大概还在等他。\n"
    "第二章 远行\n第二天一早，他背起行囊离开了小镇。\n"
    "第三章 归来\n十年以后，他终于回到了这里。\n"
)


def test_a_novel_is_previewed_with_a_warning_and_not_imported(client, office):
    parsed = parse_plan(NOVEL)
    assert any("may not be a plan" in warning for warning in parsed.warnings)
    response = upload(client, NOVEL.encode(), "novel.txt")
    preview = client.get(f"/plans/import/{import_id_from(response)}")
    assert "may not be a plan" in preview.get_data(as_text=True)
    assert counts() == (0, 0, 0)


def test_a_300_page_plan_is_previewed_within_the_budget(client, office):
    lines = ["某省某某发展规划"]
    for chapter in "一二三四五六七八九十":
        lines.append(f"{chapter}、第{chapter}部分")
        for section in "一二三四五":
            lines.append(f"（{section}）加强工作。")
            for task in range(1, 19):
                lines.append(f"{task}．推进任务。加快推进各项约束性和预期性指标落实，")
                lines.append("确保目标如期实现，形成工作合力。（牵头单位：省发展改革委）")
    data = make_text_pdf("\n".join(lines), lines_per_page=6)
    assert data.count(b"/Type /Page ") >= 300
    started = time.monotonic()
    response = upload(client, data, "big.pdf")
    preview = client.get(f"/plans/import/{import_id_from(response)}")
    assert time.monotonic() - started < _SECONDS
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "推进任务" in page
    assert counts() == (0, 0, 0)


def test_a_300_page_scan_is_answered_within_the_budget(client, office):
    # With the OCR extra installed every page is tried until its time budget is spent.
    from tests.plans_support import make_scanned_pdf

    started = time.monotonic()
    response = upload(client, make_scanned_pdf(300), "scan.pdf")
    assert time.monotonic() - started < _SECONDS
    assert response.status_code == 422
    assert "没有文字层" in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)
