"""Plan pages for everyone: the list, the tree with 专栏 and indicators, bounded queries; demo."""

import re

import pytest
from sqlalchemy import event, func, select

from tests.factories import plan_from_text
from tests.plans_support import SHAOXING_TITLE, SMALL_PLAN, big_plan
from tracker.demo import DemoResult, load_demo
from tracker.extensions import db
from tracker.models import Indicator, Plan, PlanNode, WorkItem
from tracker.plans.operations import archive_plan


def make_plan(text: str = SMALL_PLAN, title: str | None = None) -> Plan:
    plan = plan_from_text(text, title)
    db.session.commit()
    return plan


def add_items(plan: Plan, per_node: int = 1) -> None:
    """Work items made from every task and item node of the plan."""
    nodes = db.session.scalars(
        select(PlanNode).where(PlanNode.plan_id == plan.id, PlanNode.kind.in_(("task", "item")))
    ).all()
    for node in nodes:
        for n in range(per_node):
            db.session.add(
                WorkItem(
                    plan_id=plan.id,
                    source_node_id=node.id,
                    code=f"{node.code}-{n}",
                    title=node.title or node.code,
                )
            )
    db.session.commit()


@pytest.fixture
def reader(client, factories):
    user = factories.user("liaison")
    factories.login_as(client, user)
    return user


def test_plan_page_shows_the_tree_columns_and_indicators(client, reader):
    from tests.plans_support import SHAOXING, read_sample

    plan = make_plan(read_sample(SHAOXING))
    response = client.get(f"/plans/{plan.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert SHAOXING_TITLE in page and "绍政发〔2021〕19号" in page
    # Chapters → sections → tasks → items, each with its text, in document order.
    order = [
        page.index(t) for t in ("发展背景", "重点任务", "推进标准强市建设", "强化标准创新引领作用")
    ]
    assert order == sorted(order)
    assert page.count('class="plan-text') > 50
    assert page.count('class="column-box') == 12
    assert 'data-kind="chapter"' in page and 'data-kind="item"' in page
    # Anchors by node id, so links survive a revision.
    node = db.session.scalar(select(PlanNode).where(PlanNode.code == "三.1.(2)"))
    assert f'id="node-{node.id}"' in page
    # The indicator table: all 23 rows with the columns of the issue.
    table = page[page.index("indicator-table") :]
    for header in ("序号", "类别", "指标名称", "单位", "基期值", "目标值", "指标属性"):
        assert header in table
    assert "制造业产品质量合格率" in table and "约束性" in table and "[100]" not in table[:200]
    assert table.count("<tr>") == 24
    assert 'src="/vendor/app/plans.js"' in page


def test_the_tree_shows_work_item_counts_per_node(client, factories, app):
    factories.login_as(client, factories.user("office"))
    plan = make_plan()
    add_items(plan, per_node=2)
    single = db.session.scalar(select(PlanNode).where(PlanNode.code == "三.(一)"))
    db.session.add(WorkItem(plan_id=plan.id, source_node_id=single.id, code="三.(一)", title="x"))
    db.session.commit()
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert page.count("data-items") == 6  # three tasks and two items with two, one with one
    assert page.count("工作事项：2") == 5 and page.count("工作事项：1") == 1
    # One work item: a link straight to it.
    only = db.session.scalar(select(WorkItem).where(WorkItem.source_node_id == single.id))
    assert f'href="/items/{only.id}"' in page
    # Several: the item list filtered to the node (and what lies under it).
    node = db.session.scalar(select(PlanNode).where(PlanNode.code == "二.1"))
    assert f'href="/items?plan={plan.id}&amp;node={node.id}"' in page


def test_liaisons_count_only_their_departments_work_items(client, factories):
    mine, other = factories.department("市发改委"), factories.department("市经信局")
    plan = make_plan()
    nodes = dict(db.session.execute(select(PlanNode.code, PlanNode.id)).all())
    db.session.add_all(
        [
            WorkItem(
                plan_id=plan.id,
                source_node_id=nodes["二.1"],
                code="a",
                title="a",
                lead_department_id=mine.id,
            ),
            WorkItem(
                plan_id=plan.id,
                source_node_id=nodes["二.1"],
                code="b",
                title="b",
                lead_department_id=other.id,
            ),
            WorkItem(
                plan_id=plan.id,
                source_node_id=nodes["二.2"],
                code="c",
                title="c",
                lead_department_id=other.id,
            ),
        ]
    )
    db.session.commit()
    co_owned = db.session.scalar(select(WorkItem).where(WorkItem.code == "c"))
    co_owned.co_departments.append(mine)
    db.session.commit()
    factories.login_as(client, factories.user("liaison", mine))
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert page.count("data-items") == 2 and "工作事项：2" not in page
    factories.login_as(client, factories.user("liaison", factories.department("市科技局")))
    assert "data-items" not in client.get(f"/plans/{plan.id}").get_data(as_text=True)
    factories.login_as(client, factories.user("leader"))
    assert "工作事项：2" in client.get(f"/plans/{plan.id}").get_data(as_text=True)


def test_indicator_rows_link_to_their_page_once_it_exists(client, reader, app):
    from tests.plans_support import SHAOXING, read_sample

    plan = make_plan(read_sample(SHAOXING))
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    indicator = db.session.scalar(select(Indicator).where(Indicator.number == 1))
    with app.test_request_context():
        from flask import url_for

        url = url_for("indicators.detail", indicator_id=indicator.id)
    assert f'href="{url}"' in page


def test_plan_text_is_escaped(client, reader):
    hostile = SMALL_PLAN.replace("坚持高质量发展。", "<script>alert(1)</script>坚持。")
    plan = make_plan(hostile)
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_plans_are_listed_side_by_side_with_counts(client, reader):
    old = make_plan(SMALL_PLAN.replace("十四五", "十三五"), title="绍兴市测试工作“十三五”规划")
    new = make_plan()
    add_items(new)
    archive_plan(None, old)
    db.session.commit()
    response = client.get("/plans/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.index("执行中的规划") < page.index("绍兴市测试工作“十四五”规划")
    assert page.index("已归档的规划") < page.index("绍兴市测试工作“十三五”规划")
    assert "规划期 2021—2025 年" in page and "规划期 2016—2020 年" in page
    assert "条目：14" in page and "工作事项：5" in page
    # Everyone has the navigation link; only the office gets the import button.
    assert 'href="/plans/"' in page and "导入规划" not in page


def test_an_archived_plan_stays_readable_with_a_badge(client, reader):
    plan = make_plan()
    archive_plan(None, plan)
    db.session.commit()
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "已归档" in page and "加强质量监管" in page


def test_a_missing_plan_is_404(client, reader):
    assert client.get("/plans/999").status_code == 404


def _statements(client, url: str) -> int:
    count = {"n": 0}

    def before_cursor_execute(*_args, **_kwargs):
        count["n"] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)
    assert response.status_code == 200
    return count["n"]


def test_plan_pages_run_the_same_queries_for_a_small_and_a_large_plan(client, reader):
    small = make_plan()
    large = make_plan(big_plan(90))
    add_items(large, per_node=3)
    sizes = db.session.execute(
        select(PlanNode.plan_id, func.count()).group_by(PlanNode.plan_id)
    ).all()
    assert dict(sizes)[large.id] > 10 * dict(sizes)[small.id]
    _statements(client, f"/plans/{small.id}")  # warm up whatever is cached per process
    assert _statements(client, f"/plans/{small.id}") == _statements(client, f"/plans/{large.id}")
    listing = _statements(client, "/plans/")
    make_plan(big_plan(30), title="第三个“十五五”规划")
    assert _statements(client, "/plans/") == listing


def test_navigation_has_plans_for_every_role(client, factories):
    for role in ("admin", "office", "liaison", "leader"):
        factories.login_as(client, factories.user(role))
        page = client.get("/plans/").get_data(as_text=True)
        assert re.search(r'href="/plans/"[^>]*>规划<', page), role


# --- demo --------------------------------------------------------------------------------


def test_demo_imports_the_shaoxing_plan_once(app):
    from tracker.demo.plan import DEMO_PLAN_FILE

    assert DEMO_PLAN_FILE.exists()
    result = load_demo()
    db.session.commit()
    plan = db.session.scalar(select(Plan))
    assert plan.title == SHAOXING_TITLE and (plan.start_year, plan.end_year) == (2021, 2025)
    assert db.session.scalar(select(func.count()).select_from(PlanNode)) == 85
    assert db.session.scalar(select(func.count()).select_from(Indicator)) == 23
    assert any("imported plan" in message for message in result.messages)
    again = DemoResult()
    from tracker.demo.plan import import_demo_plan

    assert import_demo_plan(again, {}, None).id == plan.id
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 1
    assert any("already imported" in message for message in again.messages)


def test_demo_plan_step_comes_first(app):
    from tracker.demo.plan import import_demo_plan
    from tracker.demo.steps import extra_demo_steps

    assert extra_demo_steps()[0] is import_demo_plan


def test_flask_demo_command_loads_the_plan(runner):
    result = runner.invoke(args=["demo", "--now", "2026-11-27T02:00:00"])
    assert result.exit_code == 0, result.output
    assert "绍兴市质量发展" in result.output
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 1
