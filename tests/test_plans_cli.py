"""`flask plan parse|import|list|archive`: the JSON contract, imports, revisions, bad input."""

import json

import pytest
from sqlalchemy import func, select

from tests.plans_support import (
    ANHUI,
    SHAOXING,
    SHAOXING_TITLE,
    SMALL_PLAN,
    make_docx,
    make_scanned_pdf,
    make_text_pdf,
    read_sample,
)
from tracker.extensions import db
from tracker.models import AuditEvent, Indicator, Plan, PlanImport, PlanNode


def counts() -> tuple[int, int, int, int]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Plan, PlanNode, Indicator, PlanImport)
    )


@pytest.fixture
def shaoxing_file(tmp_path):
    path = tmp_path / "shaoxing.txt"
    path.write_text(read_sample(SHAOXING), encoding="utf-8")
    return path


# --- the JSON contract -------------------------------------------------------------------


def test_parse_json_prints_exactly_the_contract(runner):
    sample = read_sample(SHAOXING)
    result = runner.invoke(args=["plan", "parse", str(SHAOXING), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["title", "doc_number", "nodes", "indicators", "warnings"]
    assert data["title"] == SHAOXING_TITLE
    assert data["doc_number"] == "绍政发〔2021〕19号"
    assert [n["number"] for n in data["nodes"]] == ["一", "二", "三", "四"]
    node = data["nodes"][2]
    assert set(node) == {"kind", "number", "title", "text", "children"}
    assert len(data["indicators"]) == 23
    assert set(data["indicators"][0]) == {
        "number",
        "category",
        "name",
        "unit",
        "baseline",
        "target",
        "attribute",
        "cumulative",
        "kind",
    }
    assert data["indicators"][0]["kind"] == "floor"
    assert data["warnings"] == []
    # Exactly ParsedPlan.to_dict(), nothing else and nothing written.
    from tracker.plans.parser import parse_plan

    assert data == parse_plan(sample).to_dict()
    assert counts() == (0, 0, 0, 0)


def test_parse_without_json_prints_a_readable_tree_and_the_warnings(runner, tmp_path):
    path = tmp_path / "small.txt"
    path.write_text(SMALL_PLAN + "孤立\n", encoding="utf-8")
    result = runner.invoke(args=["plan", "parse", str(path)])
    assert result.exit_code == 0, result.output
    assert "绍兴市测试工作“十四五”规划" in result.output
    assert "二、重点任务  [二]" in result.output
    assert "    1．加强质量监管  [二.1]" in result.output
    assert "专栏1 品牌培育工程" in result.output
    assert "warnings" in result.output or "no warnings" in result.output


def test_parse_reads_pdf_and_docx_too(runner, tmp_path):
    pdf = tmp_path / "small.pdf"
    pdf.write_bytes(make_text_pdf(SMALL_PLAN, lines_per_page=5))
    docx_file = tmp_path / "small.docx"
    docx_file.write_bytes(make_docx(SMALL_PLAN))
    for path in (pdf, docx_file):
        result = runner.invoke(args=["plan", "parse", str(path), "--json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert [n["title"] for n in data["nodes"]] == ["总体要求", "重点任务", "保障措施"]


# --- import, re-import, revision ---------------------------------------------------------


def test_import_then_identical_reimport_says_unchanged(runner, shaoxing_file):
    result = runner.invoke(args=["plan", "import", str(shaoxing_file)])
    assert result.exit_code == 0, result.output
    assert "imported plan #" in result.output
    plan = db.session.scalar(select(Plan))
    assert plan.title == SHAOXING_TITLE and (plan.start_year, plan.end_year) == (2021, 2025)
    assert plan.doc_number == "绍政发〔2021〕19号"
    before = counts()
    assert before[:3] == (1, 85, 23)
    again = runner.invoke(args=["plan", "import", str(shaoxing_file), "--yes"])
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.output
    assert counts() == before
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("plan.imported") == 1 and "plan_import.applied" in actions


def test_import_with_title_and_period_options(runner, tmp_path):
    path = tmp_path / "anhui.txt"
    path.write_text(read_sample(ANHUI), encoding="utf-8")
    result = runner.invoke(
        args=[
            "plan",
            "import",
            str(path),
            "--title",
            "安徽省应对气候变化规划",
            "--period",
            "2026-2030",
        ]
    )
    assert result.exit_code == 0, result.output
    plan = db.session.scalar(select(Plan))
    assert plan.title == "安徽省应对气候变化规划" and plan.end_year == 2030


def test_bad_period_is_refused_and_nothing_written(runner, tmp_path):
    path = tmp_path / "small.txt"
    path.write_text(SMALL_PLAN, encoding="utf-8")
    result = runner.invoke(args=["plan", "import", str(path), "--period", "2025-2021"])
    assert result.exit_code != 0
    assert "2021-2025" in result.output
    assert counts() == (0, 0, 0, 0)


def test_revision_shows_the_diff_and_asks(runner, tmp_path):
    path = tmp_path / "small.txt"
    path.write_text(SMALL_PLAN, encoding="utf-8")
    assert runner.invoke(args=["plan", "import", str(path)]).exit_code == 0
    node_ids = dict(db.session.execute(select(PlanNode.code, PlanNode.id)).all())
    revised = SMALL_PLAN.replace("每年组织一次行动。", "每半年组织一次行动。").replace(
        "3．建设检验检测平台。建成检测中心三个。\n", ""
    )
    path.write_text(revised, encoding="utf-8")
    before = counts()

    declined = runner.invoke(args=["plan", "import", str(path)], input="n\n")
    assert declined.exit_code == 1
    assert "~ 二.1.(1)" in declined.output and "- 二.3" in declined.output
    assert "not applied" in declined.output
    assert counts() == before

    applied = runner.invoke(args=["plan", "import", str(path), "--yes"])
    assert applied.exit_code == 0, applied.output
    assert "updated plan" in applied.output
    db.session.expire_all()
    after = dict(db.session.execute(select(PlanNode.code, PlanNode.id)).all())
    assert "二.3" not in after
    assert all(after[code] == node_ids[code] for code in after)
    changed = db.session.scalar(select(PlanNode).where(PlanNode.code == "二.1.(1)"))
    assert "每半年" in changed.text
    assert counts()[0] == 1


def test_list_and_archive(runner, shaoxing_file):
    runner.invoke(args=["plan", "import", str(shaoxing_file)])
    plan_id = db.session.scalar(select(Plan.id))
    listed = runner.invoke(args=["plan", "list"])
    assert f"#{plan_id}" in listed.output and "active" in listed.output
    assert "85 headings, 23 indicators" in listed.output
    archived = runner.invoke(args=["plan", "archive", str(plan_id)])
    assert archived.exit_code == 0 and "archived" in archived.output
    assert "archived" in runner.invoke(args=["plan", "list"]).output
    twice = runner.invoke(args=["plan", "archive", str(plan_id)])
    assert twice.exit_code == 1 and "已经归档" in twice.output
    assert runner.invoke(args=["plan", "archive", "999"]).exit_code == 1
    assert runner.invoke(args=["plan", "unarchive", str(plan_id)]).exit_code == 0


def test_an_archived_plan_cannot_be_revised_from_the_cli(runner, tmp_path):
    path = tmp_path / "small.txt"
    path.write_text(SMALL_PLAN, encoding="utf-8")
    runner.invoke(args=["plan", "import", str(path)])
    runner.invoke(args=["plan", "archive", str(db.session.scalar(select(Plan.id)))])
    path.write_text(SMALL_PLAN.replace("二十家", "三十家"), encoding="utf-8")
    before = counts()
    result = runner.invoke(args=["plan", "import", str(path), "--yes"])
    assert result.exit_code == 1
    assert "archived" in result.output
    assert counts() == before


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "文件为空"),
        ("binary.txt", bytes(range(256)) * 8, "不是文本文件"),
        ("scan.pdf", make_scanned_pdf(), "没有文字层"),
        (
            "prose.txt",
            "这是一段没有任何标题的文字。\n只是普通的段落。\n".encode(),
            "没有识别出任何标题",
        ),
        ("plan.doc", SMALL_PLAN.encode(), "另存为 .docx"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(runner, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    for command in (["plan", "import", str(path)], ["plan", "parse", str(path)]):
        result = runner.invoke(args=command)
        if command[1] == "parse" and name == "prose.txt":
            assert result.exit_code == 0  # parsing prose is not an error; importing it is
            continue
        assert result.exit_code == 1, result.output
        assert message in result.output
    assert counts() == (0, 0, 0, 0)


def test_a_file_over_the_limit_is_refused(runner, tmp_path, app, monkeypatch):
    monkeypatch.setitem(app.config, "PLAN_MAX_BYTES", 1000)
    path = tmp_path / "big.txt"
    path.write_text(SMALL_PLAN * 20, encoding="utf-8")
    result = runner.invoke(args=["plan", "import", str(path)])
    assert result.exit_code == 1
    assert "大小限制" in result.output
    assert counts() == (0, 0, 0, 0)
