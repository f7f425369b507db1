"""Responsibility and deadline notes: read from the text, kept out of titles, carried into the
JSON contract and the stored nodes, and used to fill work items' departments and due dates."""

import json

import pytest

from tracker.extensions import db
from tracker.items.generate import generate_items_from_plan
from tracker.models import DepartmentAlias, PlanImport, PlanNode
from tracker.plans.annotations import deadline_date, find_annotations, parse_note
from tracker.plans.operations import import_plan
from tracker.plans.parser import parse_plan


@pytest.mark.parametrize(
    ("note", "lead", "co"),
    [
        (
            "牵头单位：省工信厅；责任单位：省发改委、省科技厅",
            ["省工信厅"],
            ["省发改委", "省科技厅"],
        ),
        (
            "责任单位：省通信管理局，省铁塔公司、各市人民政府",
            [],
            ["省通信管理局", "省铁塔公司", "各市人民政府"],
        ),
        ("市商务局、市财政局负责", [], ["市商务局", "市财政局"]),
        ("市发改委牵头，市财政局、市统计局配合", ["市发改委"], ["市财政局", "市统计局"]),
        ("牵头单位：市教育局；配合单位：市人社局", ["市教育局"], ["市人社局"]),
        ("省发展改革委牵头，各市人民政府负责", ["省发展改革委"], ["各市人民政府"]),
        ("市教育局牵头，市财政局、市人社局按职责分工负责", ["市教育局"], ["市财政局", "市人社局"]),
        ("省发展改革委牵头", ["省发展改革委"], []),
    ],
)
def test_responsibility_patterns_keep_names_as_written(note, lead, co):
    responsibility, _ = parse_note(note)
    assert responsibility == {"lead": lead, "co": co, "raw": note}


@pytest.mark.parametrize("note", ["2021年", "含国家级10家", "以上数据为预计数", "省、市、县"])
def test_brackets_that_name_no_one_are_not_annotations(note):
    assert parse_note(note) == (None, None)


@pytest.mark.parametrize(
    ("raw", "year", "date"),
    [
        ("2025年底前", None, "2025-12-31"),
        ("6月底前完成", 2022, "2022-06-30"),
        ("6月底完成", None, None),
        ("2023年9月15日前", None, "2023-09-15"),
        ("2022年上半年", None, "2022-06-30"),
        ("三季度", 2024, "2024-09-30"),
        ("长期坚持", 2022, None),
    ],
)
def test_deadline_dates(raw, year, date):
    assert deadline_date(raw, year) == date


def test_deadline_read_from_the_note_not_from_a_sentence():
    text = "到2025年底前建成十个中心。（牵头单位：市发改委；完成时限：2023年6月底前）"
    responsibility, deadline, raws = find_annotations(text)
    assert responsibility["lead"] == ["市发改委"]
    assert deadline == {"raw": "2023年6月底前"}
    assert find_annotations("到2025年底前建成十个中心。")[1] is None


PLAN = """绍兴市测试工作2022年实施方案

一、重点任务
（一）加强组织领导。建立工作机制。（牵头单位：市发改委；责任单位：市财政局、市统计局）
1．完善统计体系（市统计局牵头，市财政局配合）。健全指标。（2022年6月底前）
2．建设检测平台。建成检测中心三个。（责任单位：市市场监管局、市不存在局；6月底前完成）
3．长期任务。持续推进。（市财政局负责；长期坚持）
"""


def test_json_contract_carries_notes_and_titles_stay_clean():
    data = parse_plan(PLAN).to_dict()
    section = data["nodes"][0]["children"][0]
    assert section["responsibility"] == {
        "lead": ["市发改委"],
        "co": ["市财政局", "市统计局"],
        "raw": "牵头单位：市发改委；责任单位：市财政局、市统计局",
    }
    task_1, task_2, task_3 = section["children"]
    assert task_1["title"] == "完善统计体系"
    assert task_1["responsibility"]["lead"] == ["市统计局"]
    assert task_1["deadline"] == {"raw": "2022年6月底前", "date": "2022-06-30"}
    assert task_2["deadline"] == {"raw": "6月底前完成", "date": "2022-06-30"}
    assert task_3["deadline"] == {"raw": "长期坚持", "date": None}
    assert "deadline" not in section and "responsibility" not in data["nodes"][0]
    json.dumps(data, ensure_ascii=False)


def test_generated_items_take_departments_and_due_dates_from_the_notes(db_session, factories):
    fagai = factories.department("发改委", name="绍兴市发展和改革委员会")
    db.session.add(DepartmentAlias(department=fagai, alias="市发改委"))
    caizheng = factories.department("财政局", name="市财政局")
    tongji = factories.department("统计局", name="市统计局")
    factories.department("监管局", name="市市场监管局")
    plan = import_plan(
        None, parse_plan(PLAN), PLAN, title="绍兴市测试工作2022年实施方案", period=(2022, 2022)
    )
    db.session.flush()
    stored = db.session.query(PlanNode).filter_by(plan_id=plan.id, code="一.1").one()
    assert stored.deadline == {"raw": "2022年6月底前", "date": "2022-06-30"}
    items = {item.code: item for item in generate_items_from_plan(None, plan)}
    task_1 = items["一.1"]
    assert task_1.lead_department_id == tongji.id
    assert [d.id for d in task_1.co_departments] == [caizheng.id]
    assert task_1.due_date.isoformat() == "2022-06-30"
    # No lead named: the first unit leads; the unknown one is left out.
    task_2 = items["一.2"]
    assert task_2.lead_department.name == "市市场监管局"
    assert task_2.co_departments == []
    # 长期坚持 names no date: due at the plan's end.
    assert items["一.3"].due_date.year == plan.end_year
    assert items["一.3"].lead_department_id == caizheng.id


def test_preview_lists_names_that_match_no_department(client, factories):
    factories.department("财政局", name="市财政局")
    office = factories.user("office")
    factories.login_as(client, office)
    parsed = parse_plan(PLAN)
    staged = PlanImport(
        filename="plan.txt",
        source_text=PLAN,
        source_sha256="1" * 64,
        parsed_json=parsed.to_dict(),
        created_by_id=office.id,
    )
    db.session.add(staged)
    db.session.commit()
    page = client.get(f"/plans/import/{staged.id}").get_data(as_text=True)
    assert "data-unknown-departments" in page
    assert "市不存在局" in page and "市统计局" in page
    # The tree shows each node's notes.
    assert "data-responsibility" in page and "data-deadline" in page and "6月底前完成" in page
    listed = page[page.index("data-unknown-departments") :]
    assert "<li>市财政局</li>" not in listed


@pytest.mark.parametrize(
    ("note", "lead", "co", "deadline"),
    [
        ("省发展改革委牵头，2022年6月底前完成", ["省发展改革委"], [], "2022年6月底前完成"),
        ("市商务局、市财政局负责，长期坚持", [], ["市商务局", "市财政局"], "长期坚持"),
        ("责任单位：市教育局，2023年底前", [], ["市教育局"], "2023年底前"),
        ("2024年底前", None, None, "2024年底前"),
    ],
)
def test_a_deadline_clause_anywhere_in_the_note(note, lead, co, deadline):
    responsibility, when = parse_note(note)
    if lead is None:
        assert responsibility is None
    else:
        assert (responsibility["lead"], responsibility["co"]) == (lead, co)
    assert when == {"raw": deadline}


def test_the_api_gives_the_notes_as_documented(client, factories):
    from tests.test_api_openapi import Checker
    from tracker.api.tokens import create_token

    office = factories.user("office")
    plan = import_plan(None, parse_plan(PLAN), PLAN, title="测试方案", period=(2022, 2022))
    _, token = create_token(None, office, name="t")
    db.session.commit()
    document = client.get("/api/v1/openapi.json").get_json()
    check = Checker(client, document)
    body = check(
        "GET",
        "/api/v1/plans/{plan_id}",
        {"Authorization": f"Bearer {token}"},
        status=200,
        plan_id=plan.id,
    )
    section = body["nodes"][0]["children"][0]
    assert section["responsibility"]["lead"] == ["市发改委"]
    assert section["children"][0]["deadline"] == {"raw": "2022年6月底前", "date": "2022-06-30"}
    assert "deadline" not in section
