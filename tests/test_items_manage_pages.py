"""The office's pages for items: add, split, merge, generate, extensions, periods; the CLI."""

from datetime import date

import pytest

from tests.conftest import login_as
from tests.items_support import NOW, Scene, make_item, pinned_today  # noqa: F401
from tracker.extensions import db
from tracker.models import ExtensionRequest, ReportingPeriod, WorkItem


@pytest.fixture
def scene(app):
    with app.test_request_context():
        scene = Scene()
        db.session.commit()
    return scene


def test_add_an_item(client, scene):
    login_as(client, scene.office)
    assert client.get(f"/items/new?plan={scene.plan.id}").status_code == 200
    response = client.post(
        "/items/new",
        data={
            "plan_id": scene.plan.id,
            "code": "",
            "title": "新增的工作事项",
            "priority": "1",
            "indicator_id": "0",
            "section_node_id": "0",
            "due_date": "2027-03-31",
            "lead_department_id": scene.lead_dept.id,
            "co_department_ids": [scene.co_dept.id],
        },
    )
    assert response.status_code == 302
    item = db.session.query(WorkItem).filter_by(title="新增的工作事项").one()
    assert item.code == "新增2" and item.due_date == date(2027, 3, 31) and item.priority == 1
    login_as(client, scene.lead)
    assert client.get("/items/new").status_code == 403


def test_split_and_merge_pages(client, scene):
    login_as(client, scene.office)
    url = f"/items/{scene.item.id}/split"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"version": scene.item.version, "parts": "只有一行"})
    assert response.status_code == 422
    response = client.post(
        url, data={"version": scene.item.version, "parts": "国际标准5项\n国家标准20项\n"}
    )
    assert response.status_code == 302
    parts = db.session.query(WorkItem).filter(WorkItem.code.like("三.1.(1)-%")).all()
    assert len(parts) == 2
    target, other = parts
    assert client.get(f"/items/{target.id}/merge").status_code == 200
    response = client.post(
        f"/items/{target.id}/merge",
        data={"version": target.version, "others": [other.id], f"v{other.id}": other.version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(WorkItem, other.id).retired_at is not None


def test_retire_without_reason_is_422_and_reopen(client, scene):
    login_as(client, scene.office)
    url = f"/items/{scene.item.id}/retire"
    response = client.post(url, data={"version": scene.item.version, "reason": ""})
    assert response.status_code == 422 and "请说明理由" in response.get_data(as_text=True)
    assert (
        client.post(url, data={"version": scene.item.version, "reason": "重复"}).status_code == 302
    )
    db.session.expire_all()
    item = db.session.get(WorkItem, scene.item.id)
    assert item.retired_at is not None
    html = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert "重新打开" in html
    response = client.post(
        f"/items/{item.id}/reopen", data={"version": item.version, "reason": "误操作"}
    )
    assert response.status_code == 302


def test_generate_page(client, scene):
    login_as(client, scene.office)
    assert client.get("/items/generate").status_code == 200
    response = client.post("/items/generate", data={"plan_id": scene.plan.id})
    assert response.status_code == 302
    # 三.1.(1) existed with a source? No: the scene's item was added by hand, so the plan's
    # three nodes each get an item (codes made unique).
    codes = {i.code for i in db.session.query(WorkItem).filter_by(plan_id=scene.plan.id)}
    assert {"三.1.(2)", "专栏1"} <= codes and len(codes) == 4


def test_extension_pages(client, scene, app):
    from tracker.items.deadlines import request_extension

    with app.test_request_context():
        item = db.session.merge(scene.item)
        request_extension(
            scene.lead, item, requested_due_date=date(2027, 6, 30), reason="资金未到位", now=NOW
        )
        db.session.commit()
    extension = db.session.query(ExtensionRequest).one()
    login_as(client, scene.office)
    assert "资金未到位" in client.get("/review/extensions").get_data(as_text=True)
    assert "资金未到位" in client.get("/office").get_data(as_text=True)
    url = f"/review/extensions/{extension.id}/decide"
    version = scene.item.version
    response = client.post(url, data={"decision": "refuse", "comment": "", "version": version})
    assert response.status_code == 422
    response = client.post(
        url, data={"decision": "refuse", "comment": "理由不充分", "version": version}
    )
    assert response.status_code == 302
    response = client.post(url, data={"decision": "approve", "comment": "", "version": version})
    assert response.status_code == 409
    login_as(client, scene.lead)
    assert client.get("/review/extensions").status_code == 403


def test_office_creates_missing_periods(client, scene):
    db.session.query(ReportingPeriod).filter(ReportingPeriod.label == "2026Q4").delete()
    db.session.commit()
    login_as(client, scene.office)
    assert "创建报告期" in client.get("/office").get_data(as_text=True)
    assert client.post("/review/periods").status_code == 302
    assert db.session.query(ReportingPeriod).filter_by(label="2026Q4").count() == 1
    login_as(client, scene.leader)
    assert client.post("/review/periods").status_code == 403


def test_cli(runner, scene):
    result = runner.invoke(args=["items", "generate", str(scene.plan.id)])
    assert result.exit_code == 0 and "3 work items created" in result.output
    result = runner.invoke(args=["items", "periods", "--date", "2027-02-01"])
    assert result.exit_code == 0 and "1 reporting periods created" in result.output
    assert runner.invoke(args=["items", "generate", "999999"]).exit_code != 0


def test_bulk_verify_from_the_queue(client, scene, app):
    from tests.items_support import make_report

    with app.test_request_context():
        item = db.session.merge(scene.item)
        other = make_item(scene.plan, scene.lead_dept, code="三.1.(2)")
        first = make_report(item, scene.lead, scene.focus, "submitted")
        second = make_report(other, scene.lead, scene.focus, "submitted")
        db.session.commit()
        picks = [f"{first.id}:{first.version}", f"{second.id}:{second.version + 5}"]
    login_as(client, scene.office)
    html = client.get("/review").get_data(as_text=True)
    assert f'value="{picks[0]}"' in html
    response = client.post("/review/bulk-verify", data={"pick": picks}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "已审核通过 1 份报告" in text and "未审核通过" in text
