"""Item operations: create, edit with optimistic locking, assign, split, merge, retire, reopen."""

from datetime import date

import pytest

from tests.conftest import make_department, make_user
from tests.items_support import NOW, Scene, in_request, make_item, make_plan  # noqa: F401
from tracker.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from tracker.items.operations import (
    assign_item,
    create_item,
    reopen_item,
    retire_item,
    update_item,
)
from tracker.items.restructure import merge_items, split_item
from tracker.models import AuditEvent, Notice, WorkItem


def _details(item, **changes):
    fields = {
        "title": item.title,
        "code": item.code,
        "description": item.description,
        "deliverable": item.deliverable,
        "due_date": item.due_date,
        "priority": item.priority,
        "indicator_id": item.indicator_id,
    }
    fields.update(changes)
    return fields


def test_create_validates_and_audits(db_session):
    office = make_user("office")
    plan = make_plan()
    lead, co = make_department("甲局"), make_department("乙局")
    make_user("liaison", lead)
    item = create_item(
        office, plan, title="新事项", lead_department_id=lead.id, co_department_ids=[co.id, lead.id]
    )
    assert item.code == "新增1" and [d.id for d in item.co_departments] == [co.id]
    assert db_session.query(AuditEvent).filter_by(action="item.created").count() == 1
    assert db_session.query(Notice).filter_by(kind="item_assigned").count() == 1
    with pytest.raises(ValidationFailed) as error:
        create_item(office, plan, title="", code="新增1", priority=7)
    assert set(error.value.errors) == {"title", "code", "priority"}


def test_only_the_office_manages_items(db_session):
    scene = Scene()
    with pytest.raises(PermissionDenied):
        create_item(scene.lead, scene.plan, title="x")
    with pytest.raises(PermissionDenied):
        update_item(scene.lead, scene.item, expected_version=1, **_details(scene.item))
    with pytest.raises(NotFound):
        retire_item(scene.other, scene.item, expected_version=1, reason="x")
    with pytest.raises(PermissionDenied):
        assign_item(scene.leader, scene.item, expected_version=1, lead_department_id=None)


def test_stale_edit_is_refused_and_the_newer_data_survives(db_session):
    scene = Scene()
    loaded = scene.item.version
    update_item(
        scene.office, scene.item, expected_version=loaded, **_details(scene.item, title="甲")
    )
    with pytest.raises(StaleVersion) as error:
        update_item(
            scene.office2, scene.item, expected_version=loaded, **_details(scene.item, title="乙")
        )
    assert error.value.current_version == loaded + 1
    db_session.expire_all()
    assert db_session.get(WorkItem, scene.item.id).title == "甲"
    events = db_session.query(AuditEvent).filter_by(action="item.updated").all()
    assert len(events) == 1 and events[0].after == {"title": "甲"}


def test_edit_refuses_a_section_of_another_plan_or_none(db_session):
    """Before, the id went straight into the row: a foreign-key error (500) for a node that
    is gone, and silently another plan's heading for one that exists."""
    from tracker.models import PlanNode

    scene = Scene()
    foreign = db_session.query(PlanNode).filter_by(plan_id=make_plan("另一规划").id).first()
    own = db_session.query(PlanNode).filter_by(plan_id=scene.plan.id, kind="section").one()
    version = scene.item.version
    for node_id in (foreign.id, foreign.id + 1000):
        with pytest.raises(ValidationFailed) as error:
            update_item(
                scene.office,
                scene.item,
                expected_version=version,
                **_details(scene.item, title="改"),
                section_node_id=node_id,
            )
        assert set(error.value.errors) == {"section_node_id"}
    assert (scene.item.version, scene.item.title) == (version, "测试事项")
    update_item(
        scene.office,
        scene.item,
        expected_version=version,
        **_details(scene.item),
        section_node_id=own.id,
    )
    assert scene.item.section_node_id == own.id


def test_assign_notifies_only_new_owners(db_session):
    scene = Scene()
    new_dept = make_department("新局")
    newcomer = make_user("liaison", new_dept)
    db_session.query(Notice).delete()
    assign_item(
        scene.office,
        scene.item,
        expected_version=scene.item.version,
        lead_department_id=scene.lead_dept.id,
        co_department_ids=[scene.co_dept.id, new_dept.id],
    )
    notices = db_session.query(Notice).all()
    assert [n.user_id for n in notices] == [newcomer.id]
    event = db_session.query(AuditEvent).filter_by(action="item.assigned").one()
    assert event.after["co_department_ids"] == sorted([scene.co_dept.id, new_dept.id])
    with pytest.raises(ValidationFailed):
        assign_item(scene.office, scene.item, expected_version=None, lead_department_id=999999)


def test_split_a_column_into_parts(db_session):
    scene = Scene()
    parts = [{"title": "国际标准5项"}, {"title": "国家标准20项", "due_date": date(2026, 6, 30)}]
    created = split_item(
        scene.office, scene.item, expected_version=scene.item.version, parts=parts, now=NOW
    )
    assert [c.code for c in created] == ["三.1.(1)-1", "三.1.(1)-2"]
    assert all(c.lead_department_id == scene.lead_dept.id for c in created)
    assert [d.id for d in created[0].co_departments] == [scene.co_dept.id]
    assert created[1].due_date == date(2026, 6, 30)
    assert scene.item.retired_at == NOW
    with pytest.raises(ValidationFailed):
        split_item(scene.office, created[0], expected_version=None, parts=[{"title": "one"}])


def test_merge_retires_the_others_and_unions_owners(db_session):
    scene = Scene()
    third = make_department("丙局")
    other = make_item(scene.plan, third, code="三.1.(2)", title="另一事项", description="内容")
    merge_items(
        scene.office,
        scene.item,
        [other],
        expected_versions={scene.item.id: scene.item.version, other.id: other.version},
    )
    assert other.retired_at is not None
    assert {d.id for d in scene.item.co_departments} == {scene.co_dept.id, third.id}
    assert "【三.1.(2)】另一事项" in scene.item.description
    retired = db_session.query(AuditEvent).filter_by(action="item.retired", object_id=other.id)
    assert retired.one().after["merged_into"] == "三.1.(1)"
    with pytest.raises(ValidationFailed):
        merge_items(scene.office, scene.item, [], expected_versions={})


def test_retire_and_reopen_need_reasons_and_the_right_state(db_session):
    scene = Scene()
    with pytest.raises(ValidationFailed):
        retire_item(scene.office, scene.item, expected_version=None, reason="  ")
    with pytest.raises(InvalidTransition):
        reopen_item(scene.office, scene.item, expected_version=None, reason="x")
    retire_item(scene.office, scene.item, expected_version=None, reason="与其他事项重复")
    assert scene.item.is_closed
    with pytest.raises(InvalidTransition):
        retire_item(scene.office, scene.item, expected_version=None, reason="again")
    reopen_item(scene.office, scene.item, expected_version=None, reason="重新启用")
    assert not scene.item.is_closed and scene.item.retired_at is None
    comments = [
        e.comment
        for e in db_session.query(AuditEvent).order_by(AuditEvent.id)
        if e.action in ("item.retired", "item.reopened")
    ]
    assert comments == ["与其他事项重复", "重新启用"]
