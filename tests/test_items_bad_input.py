"""Bad input gets a clear message in the user's language, the right status, no partial write."""

import pytest

from tests.conftest import login_as
from tests.items_support import (
    NOW,
    Scene,
    make_report,
    pinned_today,  # noqa: F401
)
from tracker.extensions import db
from tracker.models import AuditEvent, ExtensionRequest, Notice, Report, WorkItem


@pytest.fixture
def scene(app):
    with app.test_request_context():
        scene = Scene()
        db.session.commit()
    return scene


def _snapshot():
    db.session.expire_all()
    return (
        db.session.query(Report).count(),
        db.session.query(AuditEvent).count(),
        db.session.query(Notice).count(),
        [(r.id, r.state, r.version, r.narrative) for r in db.session.query(Report)],
    )


def _new_report(client, scene, **fields):
    data = {"period_id": scene.focus.id, "narrative": "进展", "progress": "30", "action": "save"}
    data.update(fields)
    return client.post(f"/items/{scene.item.id}/report", data=data)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"narrative": "", "action": "submit"}, "提交前请填写进展情况"),
        ({"progress": "150"}, "进度须为 0 到 100 之间的整数"),
        ({"progress": "-5"}, "进度须为 0 到 100 之间的整数"),
        ({"progress": "三十"}, "进度须为 0 到 100 之间的整数"),
        ({"progress": "80", "completes": "y", "action": "submit"}, "进度必须为 100%"),
        ({"period_id": "999999"}, "请选择已开始的报告期"),
    ],
)
def test_bad_report_input(client, scene, fields, message):
    login_as(client, scene.lead)
    before = _snapshot()
    response = _new_report(client, scene, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _snapshot() == before


def test_the_message_follows_the_users_language(client, scene):
    scene.lead.locale = "en"
    login_as(client, scene.lead)
    response = _new_report(client, scene, progress="150")
    assert response.status_code == 422
    assert "Progress must be a whole number from 0 to 100." in response.get_data(as_text=True)


def test_a_bad_edit_keeps_the_stored_draft(client, scene, app):
    with app.test_request_context():
        report = make_report(db.session.merge(scene.item), scene.lead, scene.focus, "draft")
        db.session.commit()
    login_as(client, scene.lead)
    before = _snapshot()
    response = client.post(
        f"/reports/{report.id}/edit",
        data={"version": report.version, "narrative": "", "progress": "20", "action": "submit"},
    )
    assert response.status_code == 422
    assert _snapshot() == before


def test_return_without_reason(client, scene, app):
    with app.test_request_context():
        report = make_report(db.session.merge(scene.item), scene.lead, scene.focus, "submitted")
        db.session.commit()
    login_as(client, scene.office)
    before = _snapshot()
    response = client.post(
        f"/reports/{report.id}/return", data={"version": report.version, "reason": "  "}
    )
    assert response.status_code == 422
    assert "退回报告时请说明理由" in response.get_data(as_text=True)
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("2027/13/45", "日期格式应为 YYYY-MM-DD"),
        ("next year", "日期格式应为 YYYY-MM-DD"),
        ("", "请填写日期"),
        ("2026-01-01", "申请的完成时限须晚于今天和当前完成时限"),
    ],
)
def test_bad_extension_date(client, scene, when, message):
    login_as(client, scene.lead)
    response = client.post(
        f"/items/{scene.item.id}/extensions", data={"requested_due_date": when, "reason": "x"}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(ExtensionRequest).count() == 0


def test_actions_the_role_may_not_take_are_403(client, scene, app):
    with app.test_request_context():
        report = make_report(db.session.merge(scene.item), scene.lead, scene.focus, "submitted")
        db.session.commit()
    before = _snapshot()
    login_as(client, scene.co)
    assert client.post(f"/reports/{report.id}/verify", data={"version": 9}).status_code == 403
    login_as(client, scene.leader)
    assert client.post(f"/reports/{report.id}/verify", data={"version": 9}).status_code == 403
    login_as(client, scene.lead)
    response = client.post(f"/items/{scene.item.id}/retire", data={"reason": "x"})
    assert response.status_code == 403
    assert "无权" in response.get_data(as_text=True)
    assert _snapshot() == before


def test_actions_in_the_wrong_state_are_409(client, scene, app):
    with app.test_request_context():
        item = db.session.merge(scene.item)
        draft = make_report(item, scene.lead, scene.focus, "draft")
        verified = make_report(
            item, scene.lead, scene.periods["2026Q3"], "verified", office=scene.office, now=NOW
        )
        db.session.commit()
    before = _snapshot()
    login_as(client, scene.office)
    response = client.post(f"/reports/{draft.id}/verify", data={"version": draft.version})
    assert response.status_code == 409
    login_as(client, scene.lead)
    response = client.post(
        f"/reports/{verified.id}/edit",
        data={"version": verified.version, "narrative": "改写", "progress": "10"},
    )
    assert response.status_code == 409
    assert _snapshot() == before


def test_stale_item_form_shows_the_conflict_page(client, scene):
    login_as(client, scene.office)
    form = {
        "version": scene.item.version,
        "code": scene.item.code,
        "title": "第一位保存",
        "priority": "2",
        "indicator_id": "0",
        "section_node_id": "0",
        "due_date": "2026-12-31",
    }
    assert client.post(f"/items/{scene.item.id}/edit", data=form).status_code == 302
    response = client.post(f"/items/{scene.item.id}/edit", data=form | {"title": "第二位保存"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "他人" in html and f"/items/{scene.item.id}" in html
    db.session.expire_all()
    assert db.session.get(WorkItem, scene.item.id).title == "第一位保存"


def test_bad_item_date_is_422(client, scene):
    login_as(client, scene.office)
    response = client.post(
        f"/items/{scene.item.id}/edit",
        data={
            "version": scene.item.version,
            "code": "x",
            "title": "t",
            "priority": "2",
            "indicator_id": "0",
            "section_node_id": "0",
            "due_date": "31.12.2026x",
        },
    )
    assert response.status_code == 422
    assert "日期格式应为 YYYY-MM-DD" in response.get_data(as_text=True)


def test_extra_fields_are_ignored(client, scene):
    """SECURITY case 13: state, department or reviewer in the form change nothing."""
    login_as(client, scene.lead)
    response = _new_report(
        client,
        scene,
        state="verified",
        reviewer_id=scene.office.id,
        department_id=scene.other_dept.id,
        lead_department_id=scene.other_dept.id,
    )
    assert response.status_code == 302
    report = db.session.query(Report).one()
    assert report.state == "draft" and report.reviewer_id is None
    assert db.session.get(WorkItem, scene.item.id).lead_department_id == scene.lead_dept.id


# ---------------------------------------------------------------- versions that are not one

GARBAGE_VERSION = "http://x\r\n"


def _versioned_forms(scene, draft, submitted, extension) -> dict:
    """(who, url, fields) of every form that carries the version it was loaded at."""
    item = scene.item
    return {
        "edit item": (
            scene.office,
            f"/items/{item.id}/edit",
            {
                "code": item.code,
                "title": "新标题",
                "priority": "2",
                "indicator_id": "0",
                "section_node_id": "0",
                "due_date": "2026-12-31",
            },
        ),
        "assign item": (
            scene.office,
            f"/items/{item.id}/assign",
            {"lead_department_id": scene.co_dept.id},
        ),
        "retire item": (scene.office, f"/items/{item.id}/retire", {"reason": "重复"}),
        "edit report": (
            scene.lead,
            f"/reports/{draft.id}/edit",
            {"narrative": "改写", "progress": "35", "action": "save"},
        ),
        "edit and submit report": (
            scene.lead,
            f"/reports/{draft.id}/edit",
            {"narrative": "改写", "progress": "35", "action": "submit"},
        ),
        "submit report": (scene.lead, f"/reports/{draft.id}/submit", {}),
        "verify report": (scene.office, f"/reports/{submitted.id}/verify", {"comment": "好"}),
        "return report": (scene.office, f"/reports/{submitted.id}/return", {"reason": "补充"}),
        "approve extension": (
            scene.office,
            f"/review/extensions/{extension.id}/decide",
            {"decision": "approve", "comment": "同意"},
        ),
        "refuse extension": (
            scene.office,
            f"/review/extensions/{extension.id}/decide",
            {"decision": "refuse", "comment": "理由不充分"},
        ),
    }


def _everything():
    db.session.expire_all()
    return (
        _snapshot(),
        [
            (i.id, i.version, i.title, i.lead_department_id, i.retired_at, i.due_date)
            for i in db.session.query(WorkItem).order_by(WorkItem.id)
        ],
        [(e.id, e.state) for e in db.session.query(ExtensionRequest)],
    )


@pytest.mark.parametrize("version", [GARBAGE_VERSION, None], ids=["garbage", "missing"])
@pytest.mark.parametrize(
    "form",
    [
        "edit item",
        "assign item",
        "retire item",
        "edit report",
        "edit and submit report",
        "submit report",
        "verify report",
        "return report",
        "approve extension",
        "refuse extension",
    ],
)
def test_a_version_that_is_not_a_number_is_a_stale_form(client, scene, app, form, version):
    """`version=http://x\\r\\n` (what a scanner sends) or no version at all is a stale form:
    409 and nothing written — never "whatever version is current"."""
    from datetime import date

    from tracker.items.deadlines import request_extension

    with app.test_request_context():
        item = db.session.merge(scene.item)
        draft = make_report(item, scene.lead, scene.focus, "draft")
        submitted = make_report(
            item, scene.lead, scene.periods["2026Q3"], "submitted", office=scene.office
        )
        extension = request_extension(
            scene.lead, item, requested_due_date=date(2027, 6, 30), reason="资金未到位", now=NOW
        )
        db.session.commit()
    who, url, fields = _versioned_forms(scene, draft, submitted, extension)[form]
    if version is not None:
        fields = fields | {"version": version}
    login_as(client, who)
    before = _everything()
    response = client.post(url, data=fields)
    assert response.status_code == 409, response.status_code
    assert "Traceback" not in response.get_data(as_text=True)
    assert _everything() == before


@pytest.mark.parametrize("where", ["another plan", "missing"])
def test_a_section_of_another_plan_is_422_not_a_500(client, scene, app, where):
    """The edit page offers the plan's own chapters and sections; a posted id of another
    plan's node (or of none) is refused there already (update_item checks it too)."""
    from tests.items_support import make_plan
    from tracker.models import PlanNode

    with app.test_request_context():
        other = make_plan(title="另一规划")
        foreign = db.session.query(PlanNode).filter_by(plan_id=other.id, kind="section").one()
        node_id = foreign.id if where == "another plan" else foreign.id + 1000
        db.session.commit()
    login_as(client, scene.office)
    before = _everything()
    response = client.post(
        f"/items/{scene.item.id}/edit",
        data={
            "version": scene.item.version,
            "code": scene.item.code,
            "title": "新标题",
            "priority": "2",
            "indicator_id": "0",
            "section_node_id": str(node_id),
            "due_date": "2026-12-31",
        },
    )
    assert response.status_code == 422
    assert "不是有效的选择" in response.get_data(as_text=True)  # not one of the page's choices
    assert _everything() == before
