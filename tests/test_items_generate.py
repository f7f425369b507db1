"""Generating work items from an imported plan: which nodes, which codes, idempotent."""

from collections import Counter
from types import SimpleNamespace

import pytest

from tests.items_support import ANHUI, SHAOXING, import_sample, make_plan
from tracker.items.generate import generate_items_from_plan, item_candidates, key_chapter_ids
from tracker.models import AuditEvent, PlanNode, ReportingPeriod, WorkItem

pytestmark = pytest.mark.skipif(not SHAOXING.exists(), reason="sample plans not available")


def test_shaoxing_gives_46_items_coded_back_to_their_source(db_session):
    plan = import_sample(SHAOXING)
    created = generate_items_from_plan(None, plan)
    assert len(created) == 46
    kinds = Counter(i.source_node.kind for i in created)
    assert kinds == {"item": 25, "task": 9, "column": 12}
    by_code = {i.code: i for i in created}
    assert "三.1.(2)" in by_code and "专栏5" in by_code and "三.8" in by_code
    item = by_code["三.1.(2)"]
    assert item.title == "提升标准制（修）订水平"
    assert item.description == item.source_node.text and item.description
    assert item.section_node.kind == "section" and item.section_node.number == "一"
    assert by_code["专栏12"].section_node.number == "四"
    assert all(i.due_date.isoformat() == "2025-12-31" for i in created)
    assert all(i.lead_department_id is None and i.status == "not_started" for i in created)
    # nothing from the background, requirements or safeguards chapters
    assert not any(i.code.startswith(("一", "二", "四")) for i in created)
    assert db_session.query(ReportingPeriod).filter_by(plan_id=plan.id).count() >= 20
    assert db_session.query(AuditEvent).filter_by(action="item.created").count() == 46


def test_generating_again_creates_nothing(db_session):
    plan = import_sample(SHAOXING)
    generate_items_from_plan(None, plan)
    assert generate_items_from_plan(None, plan) == []
    assert db_session.query(WorkItem).count() == 46


def test_anhui_leaf_sections_and_columns_become_items(db_session):
    plan = import_sample(ANHUI, title="安徽省应对气候变化“十五五”规划")
    created = generate_items_from_plan(None, plan)
    kinds = Counter(i.source_node.kind for i in created)
    assert kinds == {"section": 22, "column": 3}
    codes = [i.code for i in created]
    assert "专栏1" in codes and "二.(一)" in codes
    column = next(i for i in created if i.code == "专栏1")
    # the column's numbered entries stay in its description, ready to be split
    assert "（1）甲烷综合治理工程" in column.description
    assert column.section_node.kind == "section"
    assert all(i.source_node.kind != "item" for i in created)


def _node(id, kind, title="", parent=None, position=None):
    return SimpleNamespace(
        id=id, kind=kind, title=title, parent_id=parent, position=position or id, code=str(id)
    )


def test_key_chapter_fallbacks():
    # No 任务 in any title: every non-framing chapter with content counts.
    nodes = [
        _node(1, "chapter", "发展背景"),
        _node(2, "section", "现实基础", 1),
        _node(3, "chapter", "推进减排"),
        _node(4, "section", "甲", 3),
        _node(5, "chapter", "保障措施"),
        _node(6, "section", "组织", 5),
    ]
    assert key_chapter_ids(nodes) == [3]
    assert [c.node_id for c in item_candidates(nodes)] == [4]
    # Everything framing: the chapter with most structure.
    framing = [
        _node(1, "chapter", "总体要求"),
        _node(2, "section", "a", 1),
        _node(3, "chapter", "保障措施"),
        _node(4, "section", "b", 3),
        _node(5, "task", "c", 4),
    ]
    assert key_chapter_ids(framing) == [3]
    # No chapters at all: the whole tree is the work.
    flat = [_node(1, "task", "a"), _node(2, "item", "b", 1), _node(3, "task", "c")]
    assert [c.node_id for c in item_candidates(flat)] == [2, 3]


def test_small_plan_items_and_column(db_session):
    plan = make_plan()
    created = generate_items_from_plan(None, plan)
    assert [i.code for i in created] == ["三.1.(1)", "三.1.(2)", "专栏1"]
    section = db_session.query(PlanNode).filter_by(plan_id=plan.id, kind="section").one()
    assert {i.section_node_id for i in created} == {section.id}
