"""The preview as an editor: corrections to a parse, saved with the import, kept on revision."""

import pytest

from tests.plans_support import SMALL_PLAN, field_value, import_id_from, upload
from tracker.extensions import db
from tracker.models import Plan, PlanImport, PlanNode
from tracker.plans.corrections import apply_corrections, make_correction
from tracker.plans.parser import parse_plan
from tracker.plans.tree import flatten

TABLE = "序号\t指标\t单位\t2020年\t2025年\t属性\n1\t检测合格率\t%\t96\t98\t约束性\n"


def titles(parsed) -> dict[str, str]:
    return {node.code: node.title for node in flatten(parsed.nodes)}


def corrected(parsed, *requests):
    corrections = []
    for op, code, value in requests:
        current = apply_corrections(parsed, corrections).parsed
        correction = make_correction(current, op, code, value)
        assert correction is not None, (op, code, value)
        corrections.append(correction)
    return apply_corrections(parsed, corrections)


def test_every_correction_on_a_parse():
    parsed = parse_plan(SMALL_PLAN.replace("二、重点任务", "二、重点任务\n" + TABLE))
    result = corrected(
        parsed,
        ("rename", "一.(一)", "指导思想与原则"),
        ("kind", "二.1.(2)", "task"),
        ("delete", "三.(一)", ""),
        ("merge", "一.(二)", ""),
        ("split", "二.3", "建成检测中心"),
        ("move", "专栏1", "二.(二)"),
        ("indicator", "1", "target=99"),
    )
    assert result.stale == []
    after = result.parsed
    names = titles(after)
    assert names["一.(一)"] == "指导思想与原则"
    assert "一.(二)" not in names and "发展目标" in after.nodes[0].children[0].text
    assert "三.(一)" not in names
    section_2 = after.nodes[1].children[1]
    assert [n.kind for n in section_2.children] == ["task", "task", "column"]
    assert section_2.children[1].title == "建成检测中心三个"
    assert after.indicators[0].target == 99
    # The parse itself is untouched.
    assert titles(parsed)["一.(一)"] == "指导思想"


@pytest.mark.parametrize(
    ("op", "code", "value"),
    [
        ("rename", "九.(九)", "没有这个节点"),
        ("kind", "一", "volume"),
        ("merge", "一", ""),
        ("split", "一.(一)", "不在文中的短语"),
        ("move", "二", "二.(一)"),
        ("indicator", "7", "target=1"),
        ("shout", "一", "x"),
    ],
)
def test_a_correction_that_does_not_fit_is_refused(op, code, value):
    assert make_correction(parse_plan(SMALL_PLAN), op, code, value) is None


def test_a_node_moved_to_the_top_level():
    result = corrected(parse_plan(SMALL_PLAN), ("move", "二.(二)", "/"))
    assert [n.title for n in result.parsed.nodes][-1] == "强化质量基础"


def test_a_correction_does_not_replay_on_a_node_whose_title_changed():
    correction = make_correction(parse_plan(SMALL_PLAN), "rename", "一.(一)", "新标题")
    revised = parse_plan(SMALL_PLAN.replace("（一）指导思想。", "（一）总体思路。"))
    result = apply_corrections(revised, [correction])
    assert result.applied == [] and result.stale == [correction]
    assert titles(result.parsed)["一.(一)"] == "总体思路"


@pytest.fixture
def office(client, factories):
    user = factories.user("office")
    factories.login_as(client, user)
    return user


def post_correction(client, staged: int, op: str, code: str, value: str = ""):
    return client.post(
        f"/plans/import/{staged}/corrections", data={"op": op, "code": code, "value": value}
    )


def apply(client, staged: int):
    preview = client.get(f"/plans/import/{staged}")
    response = client.post(
        f"/plans/import/{staged}/apply",
        data={
            "title": field_value(preview, "title"),
            "period": field_value(preview, "period"),
            "base": field_value(preview, "base"),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_corrections_are_shown_applied_with_the_import_and_kept_on_revision(client, office):
    staged = import_id_from(upload(client, SMALL_PLAN.encode(), "plan.txt"))
    assert post_correction(client, staged, "rename", "一.(一)", "指导思想与原则").status_code == 302
    assert post_correction(client, staged, "delete", "三.(一)").status_code == 302
    page = client.get(f"/plans/import/{staged}").get_data(as_text=True)
    assert "指导思想与原则" in page and 'data-correction="applied"' in page
    apply(client, staged)
    db.session.expire_all()
    plan = db.session.query(Plan).one()
    nodes = {n.code: n.title for n in db.session.query(PlanNode).filter_by(plan_id=plan.id)}
    assert nodes["一.(一)"] == "指导思想与原则" and "三.(一)" not in nodes
    assert len(plan.corrections) == 2
    shown = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert "data-plan-corrections" in shown and "指导思想与原则" in shown

    # A revision: the renamed node is unchanged, so its correction replays; the deleted
    # node's title changed, so that correction is shown as no longer applying.
    revised = SMALL_PLAN.replace("加强组织领导", "健全工作机制").replace(
        "每年组织一次", "每季度组织一次"
    )
    again = import_id_from(upload(client, revised.encode(), "plan.txt"))
    page = client.get(f"/plans/import/{again}").get_data(as_text=True)
    assert 'data-correction="applied"' in page and 'data-correction="stale"' in page
    apply(client, again)
    db.session.expire_all()
    nodes = {n.code: n.title for n in db.session.query(PlanNode).filter_by(plan_id=plan.id)}
    assert nodes["一.(一)"] == "指导思想与原则"
    assert nodes["三.(一)"] == "健全工作机制"


def test_a_bad_correction_is_a_form_error_and_undo_takes_the_last_back(client, office):
    staged = import_id_from(upload(client, SMALL_PLAN.encode(), "plan.txt"))
    response = post_correction(client, staged, "rename", "九.(九)", "x")
    assert response.status_code == 422
    assert "data-correction-list" not in response.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(PlanImport, staged).corrections
    post_correction(client, staged, "rename", "一", "总体要求与目标")
    assert client.post(f"/plans/import/{staged}/corrections/undo").status_code == 302
    db.session.expire_all()
    assert db.session.get(PlanImport, staged).corrections == []


def test_liaisons_cannot_correct(client, factories):
    office = factories.user("office")
    factories.login_as(client, office)
    staged = import_id_from(upload(client, SMALL_PLAN.encode(), "plan.txt"))
    factories.login_as(client, factories.user("liaison"))
    assert post_correction(client, staged, "rename", "一", "x").status_code in (403, 404)
    db.session.expire_all()
    assert not db.session.get(PlanImport, staged).corrections
