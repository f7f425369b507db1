"""Rule files: checking every line, versions per year, all or nothing (CLI and operation)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.assessment_support import HEADER, RULES_2025, store_rules
from tracker.assessment.operations import rule_set_for
from tracker.assessment.parsing import RuleFileError, as_csv, parse_rules
from tracker.extensions import db
from tracker.models import AssessmentRule, AssessmentRuleSet


def problems(text: str) -> list[str]:
    with pytest.raises(RuleFileError) as caught:
        parse_rules(text)
    return [str(p) for p in caught.value.problems]


def test_a_clean_file_reads_into_versions():
    [version] = parse_rules(RULES_2025)
    assert (version.first_year, version.last_year, version.base) == (2025, None, 100)
    assert version.caps == {"报送": 10, "质量": 5, "落实": 20}
    assert [rule.event for rule in version.rules][:3] == [
        "report_on_time",
        "report_late",
        "report_missing",
    ]


def test_unknown_event_names_its_line():
    text = HEADER + "2025,,100,报送,10,report_late,-1\n2025,,100,报送,10,letter_purple,-2\n"
    [problem] = problems(text)
    assert problem.startswith("第3行：") and "letter_purple" in problem


def test_negative_cap_names_its_line():
    [problem] = problems(HEADER + "2025,,100,报送,-5,report_late,-1\n")
    assert problem.startswith("第2行：") and "不能小于零" in problem


def test_overlapping_versions_in_one_file():
    text = HEADER + "2025,2026,100,报送,,report_late,-1\n2026,,100,报送,,report_late,-2\n"
    [problem] = problems(text)
    assert problem.startswith("第3行：") and "重叠" in problem and "第2行" in problem


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("20x5,,100,报送,,report_late,-1", "不是有效年度"),
        ("2026,2025,100,报送,,report_late,-1", "早于起始年度"),
        ("2025,,abc,报送,,report_late,-1", "须为数字"),
        ("2025,,100,报送,,report_late,lots", "须为数字"),
        ("2025,,100,,,report_late,-1", "请填写类别"),
        ("2025,,100,报送,,report_late", "应有7列"),
        ("2025,,,报送,,report_late,-1", "基础分"),
    ],
)
def test_other_bad_lines(line, words):
    [problem] = problems(HEADER + line + "\n")
    assert problem.startswith("第2行：") and words in problem


def test_every_problem_is_listed():
    text = HEADER + "2025,,100,报送,-1,report_late,-1\n2025,,100,报送,,nope,-1\n"
    assert [p.split("：")[0] for p in problems(text)] == ["第2行", "第3行"]


def test_duplicate_event_and_disagreeing_cap_or_base():
    text = HEADER + (
        "2025,,100,报送,10,report_late,-1\n"
        "2025,,100,报送,10,report_late,-2\n"
        "2025,,100,报送,12,report_missing,-2\n"
        "2025,,90,报送,,report_on_time,1\n"
    )
    found = problems(text)
    assert [p.split("：")[0] for p in found] == ["第3行", "第4行", "第5行"]


def test_empty_file():
    assert problems(HEADER) == ["文件中没有考核细则。"]


def test_stored_rules_read_back_as_the_same_file():
    store_rules()
    again = parse_rules(as_csv(db.session.scalars(select(AssessmentRuleSet)).all()))
    assert [(r.event, r.category, r.points) for r in again[0].rules] == [
        (r.event, r.category, r.points) for r in parse_rules(RULES_2025)[0].rules
    ]


def test_a_later_version_succeeds_the_open_one():
    store_rules()
    store_rules(HEADER + "2027,,100,报送,10,report_late,-2\n")
    assert rule_set_for(2024) is None
    assert rule_set_for(2026).first_year == 2025
    assert rule_set_for(2026).last_year == 2026
    assert rule_set_for(2030).first_year == 2027


def test_overlap_with_a_stored_version_stores_nothing():
    store_rules(HEADER + "2025,2026,100,报送,10,report_late,-2\n")
    db.session.commit()
    with pytest.raises(RuleFileError) as caught:
        store_rules(HEADER + "2027,,100,报送,,report_late,-1\n2026,2026,100,报送,,report_late,-1\n")
    db.session.rollback()
    [problem] = caught.value.problems
    assert problem.line == 3 and "2025–2026" in str(problem)
    assert db.session.scalar(select(func.count(AssessmentRuleSet.id))) == 1


def test_the_same_first_year_again_is_an_overlap():
    store_rules()
    with pytest.raises(RuleFileError):
        store_rules()


def test_cli_import_and_show(runner, tmp_dir):
    path = tmp_dir / "rules.csv"
    path.write_text(RULES_2025, encoding="utf-8")
    result = runner.invoke(args=["assessment", "rules", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2025" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AssessmentRule.id))) == 13
    shown = runner.invoke(args=["assessment", "rules", "show"])
    assert shown.exit_code == 0
    assert shown.output.splitlines()[0] == HEADER.strip()
    assert "2025,,100,报送,10,report_late,-1" in shown.output


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (RULES_2025 + "2025,,100,报送,10,made_up_event,-1\n", "第15行"),
        (RULES_2025.replace("质量,5,grade_poor", "质量,-5,grade_poor"), "第7行"),
        (RULES_2025 + "2026,,100,报送,,report_late,-1\n", "第15行"),
    ],
    ids=["unknown-event", "negative-cap", "overlapping-version"],
)
def test_cli_import_refuses_bad_files_and_stores_nothing(runner, tmp_dir, text, line):
    path = tmp_dir / "rules.csv"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["assessment", "rules", "import", str(path)])
    assert result.exit_code == 1
    assert "未保存任何内容" in result.output
    assert line in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AssessmentRuleSet.id))) == 0
    assert db.session.scalar(select(func.count(AssessmentRule.id))) == 0


def test_cli_import_refuses_overlap_with_stored_rules(runner, tmp_dir):
    store_rules()
    db.session.commit()
    path = tmp_dir / "rules.csv"
    path.write_text(HEADER + "2024,2025,100,报送,,report_late,-1\n", encoding="utf-8")
    result = runner.invoke(args=["assessment", "rules", "import", str(path)])
    assert result.exit_code == 1 and "第2行" in result.output and "重叠" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AssessmentRuleSet.id))) == 1
