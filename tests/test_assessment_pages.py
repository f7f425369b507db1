"""Score sheet pages, rule page, downloads: who sees what, bad input, page == command."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.assessment_support import HEADER, RULES_2025, scene, store_rules
from tests.conftest import login_as, make_user
from tracker.extensions import db
from tracker.models import AssessmentRuleSet, Department


@pytest.fixture
def seeded():
    s = scene()
    store_rules()
    s.office = make_user("office")
    s.leader = make_user("leader")
    s.liaison_a = make_user("liaison", s.a)
    s.liaison_b = make_user("liaison", s.b)
    db.session.commit()
    return s


def test_office_sees_every_department_ranked(client, seeded):
    login_as(client, seeded.office)
    page = client.get("/assessment/?year=2025")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.index(seeded.b.name) < text.index(seeded.a.name)
    assert "102.5" in text and "93.5" in text


def test_page_and_command_agree(client, runner, seeded):
    """The command's numbers are the page's, department by department and line by line."""
    login_as(client, seeded.leader)
    result = runner.invoke(args=["assessment", "score", "--year", "2025", "--json"])
    printed = json.loads(result.output)
    ids = dict(db.session.execute(select(Department.name, Department.id)).all())
    assert len(printed) == 2  # 甲局 and 乙局; the leader's department has nothing to assess
    for sheet in printed:
        page = client.get(f"/assessment/departments/{ids[sheet['department']]}?year=2025")
        text = page.get_data(as_text=True)
        score = re.search(r'data-score="([^"]+)" data-rank="(\d+)"', text)
        assert Decimal(score.group(1)) == Decimal(str(sheet["score"]))
        assert int(score.group(2)) == sheet["rank"]
        shown = [
            {"rule": rule, "count": int(count), "points": Decimal(points)}
            for rule, count, points in re.findall(
                r'data-rule="([^"]+)" data-count="(\d+)" data-points="([^"]+)"', text
            )
        ]
        assert shown == [
            {**line, "points": Decimal(str(line["points"]))} for line in sheet["lines"]
        ]


def test_department_sheet_traces_each_line_to_its_rows(client, seeded):
    login_as(client, seeded.liaison_a)
    text = client.get(f"/assessment/departments/{seeded.a.id}?year=2025").get_data(as_text=True)
    assert f"/items/{seeded.a2.id}" in text  # the missing report → the item
    assert f"/reports/{seeded.a1.reports[1].id}" in text  # the late report
    assert "93.5" in text


def test_liaison_sees_only_its_own_department(client, seeded):
    login_as(client, seeded.liaison_a)
    assert client.get(f"/assessment/departments/{seeded.b.id}?year=2025").status_code == 404
    assert client.get("/assessment/?year=2025").status_code == 403
    mine = client.get("/assessment/mine?year=2025")
    assert mine.status_code == 302 and f"/assessment/departments/{seeded.a.id}" in mine.location


@pytest.mark.parametrize("query", ["year=1999", "year=2025&quarter=5", "year=2999"])
def test_bad_ranges_are_404(client, seeded, query):
    login_as(client, seeded.office)
    assert client.get(f"/assessment/?{query}").status_code == 404


def test_downloads(client, seeded):
    login_as(client, seeded.office)
    xlsx = client.get("/assessment/sheets.xlsx?year=2025")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(xlsx.data))
    ranking = [[c.value for c in row] for row in workbook.worksheets[0].iter_rows()]
    assert any(row[1] == seeded.b.name and row[-1] == 102.5 for row in ranking)
    lines = [[c.value for c in row] for row in workbook.worksheets[1].iter_rows()]
    assert any(row[0] == seeded.a.name and row[5] == -3 for row in lines)
    docx = client.get("/assessment/sheets.docx?year=2025&quarter=1")
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.data))
    cells = [cell.text for row in document.tables[0].rows for cell in row.cells]
    assert seeded.a.name in cells and "98.5" in cells
    login_as(client, seeded.liaison_a)
    assert client.get("/assessment/sheets.xlsx?year=2025").status_code == 403


def test_no_rules_for_the_year(client, seeded):
    login_as(client, seeded.office)
    page = client.get("/assessment/?year=2024")
    assert page.status_code == 200 and "尚未制定适用于2024年的考核细则" in page.get_data(True)
    assert client.get("/assessment/sheets.xlsx?year=2024").status_code == 404


def test_rules_page_shows_versions_and_offers_next_year(client, seeded):
    login_as(client, seeded.office)
    page = client.get("/assessment/rules")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "report_missing" in text
    assert "2027,,100,报送,10,report_late,-1" in text  # today is 2026: next year's draft


def test_rules_page_stores_a_new_version(client, seeded):
    login_as(client, seeded.office)
    answer = client.post(
        "/assessment/rules",
        data={"rules": HEADER + "2027,,100,报送,10,report_late,-2\n", "note": "绍督〔2026〕9号"},
    )
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AssessmentRuleSet.id))) == 2


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (HEADER + "2027,,100,报送,10,no_such_event,-2\n", "第2行"),
        (HEADER + "2027,,100,报送,-1,report_late,-2\n", "不能小于零"),
        (HEADER + "2025,,100,报送,,report_late,-2\n", "重叠"),
    ],
    ids=["unknown-event", "negative-cap", "overlapping-version"],
)
def test_rules_page_refuses_bad_rules(client, seeded, text, words):
    login_as(client, seeded.office)
    answer = client.post("/assessment/rules", data={"rules": text})
    assert answer.status_code == 422
    assert words in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AssessmentRuleSet.id))) == 1


def test_only_the_office_edits_rules(client, seeded):
    for user in (seeded.leader, seeded.liaison_a):
        login_as(client, user)
        assert client.get("/assessment/rules").status_code == 403
        assert client.post("/assessment/rules", data={"rules": RULES_2025}).status_code == 403


def test_bulletin_has_the_quarters_assessment_section(client, seeded):
    login_as(client, seeded.office)
    page = client.get(f"/bulletins/{seeded.q1.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "bulletin-assessment" in text
    assert f"/assessment/departments/{seeded.b.id}?year=2025&amp;quarter=1" in text
    docx = client.get(f"/bulletins/{seeded.q1.id}.docx")
    document = Document(io.BytesIO(docx.data))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    assert "102.5" in cells and "98.5" in cells
    # The section comes after the letters' (5) and takes the next number, page and .docx.
    for headings in (
        [p.text for p in document.paragraphs],
        re.findall(r'<h2 class="h5"[^>]*>\s*([^<]+)', text),
    ):
        numbered = [
            h.strip()[:2] for h in headings if h.strip()[:2] in ("5.", "6.", "五、", "六、")
        ]
        assert numbered in (["5.", "6."], ["五、", "六、"]), headings


def test_bulletin_without_rules_has_no_section(client, seeded):
    db.session.execute(AssessmentRuleSet.__table__.delete())
    db.session.commit()
    login_as(client, seeded.office)
    assert "bulletin-assessment" not in client.get(f"/bulletins/{seeded.q1.id}").get_data(True)


def test_a_letter_line_links_to_the_letter(client):
    s = scene()
    store_rules(HEADER + "2025,,100,督办,,letter_red,-5\n2025,,100,督办,,letter_yellow,-1\n")
    liaison = make_user("liaison", s.a)
    db.session.commit()
    login_as(client, liaison)
    text = client.get(f"/assessment/departments/{s.a.id}?year=2025").get_data(as_text=True)
    assert f"/letters/{s.red.id}" in text and f"/letters/{s.yellow.id}" in text
    assert client.get(f"/letters/{s.red.id}").status_code == 200


def test_rules_page_takes_an_uploaded_file(client, seeded):
    login_as(client, seeded.office)
    body = (HEADER + "2027,,90,报送,5,report_missing,-2\n").encode("utf-8-sig")
    answer = client.post(
        "/assessment/rules",
        data={"rules": "", "file": (io.BytesIO(body), "细则.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    db.session.expire_all()
    newest = db.session.scalars(select(AssessmentRuleSet).order_by(AssessmentRuleSet.id)).all()
    assert [(v.first_year, v.last_year, v.base_score) for v in newest] == [
        (2025, 2026, 100),
        (2027, None, 90),
    ]


def test_rules_page_refuses_a_file_that_is_not_utf8(client, seeded):
    login_as(client, seeded.office)
    answer = client.post(
        "/assessment/rules",
        data={"file": (io.BytesIO("2027,,90,报送".encode("gb18030") + b"\xff"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422 and "UTF-8" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AssessmentRuleSet.id))) == 1
