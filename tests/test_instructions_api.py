"""领导批示 over the API (write on an item or a coordination request, answer with a version,
list with filters) and the office's decision on a request for another lead department;
each refusal (403/404/409/422) changes nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from tests.items_support import (
    NOW,
    Scene,
    make_report,
    pinned_today,  # noqa: F401
)
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    CoordinationRequest,
    Instruction,
    ItemAssignment,
    Notice,
    WorkItem,
)

V1 = "/api/v1"


def _conforms(body: dict, name: str) -> None:
    from jsonschema import Draft202012Validator, FormatChecker

    from tracker.api.schemas import SCHEMAS

    schema = {"$ref": f"#/components/schemas/{name}", "components": {"schemas": SCHEMAS}}
    errors = list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(body))
    assert not errors, errors[:3]


@pytest.fixture
def scene(app):
    from tracker.api.tokens import create_token

    with app.test_request_context():
        scene = Scene()
        make_report(
            scene.item,
            scene.lead,
            scene.focus,
            "verified",
            office=scene.office,
            sections={"support_needed": "请协调资金"},
        )
        db.session.commit()
        scene.request = db.session.scalar(select(CoordinationRequest))
        scene.auth = {}
        for who in ("leader", "office", "lead", "co", "other"):
            _row, text = create_token(None, getattr(scene, who), name="t")
            scene.auth[who] = {"Authorization": f"Bearer {text}"}
        db.session.commit()
    return scene


def _world() -> tuple:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(AuditEvent.id))),
        db.session.scalar(select(func.count(Notice.id))),
        sorted((i.id, i.state, i.version) for i in db.session.scalars(select(Instruction))),
        sorted((a.id, a.state) for a in db.session.scalars(select(ItemAssignment))),
        sorted((i.id, i.lead_department_id) for i in db.session.scalars(select(WorkItem))),
    )


def _post(client, scene, who, url, body):
    return client.post(V1 + url, json=body, headers=scene.auth[who])


def test_leader_writes_on_an_item_and_the_lead_answers_with_the_version(client, scene):
    made = _post(client, scene, "leader", f"/items/{scene.item.id}/instructions", {"text": "加快"})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    _conforms(body, "Instruction")
    assert made.headers["Location"].endswith(f"/api/v1/instructions/{body['id']}")
    assert (body["coordination_id"], body["state"], body["version"]) == (None, "open", 1)
    url = f"/instructions/{body['id']}/answer"
    before = _world()
    stale = _post(client, scene, "lead", url, {"version": 2, "answer": "已落实"})
    assert stale.status_code == 409
    missing = _post(client, scene, "lead", url, {"answer": "已落实"})
    assert missing.status_code == 422
    blank = _post(client, scene, "lead", url, {"version": 1, "answer": "  "})
    assert blank.status_code == 422
    assert _world() == before
    done = _post(client, scene, "lead", url, {"version": 1, "answer": "已落实"})
    assert done.status_code == 200
    _conforms(done.get_json(), "Instruction")
    assert (done.get_json()["state"], done.get_json()["version"]) == ("answered", 2)
    before = _world()
    again = _post(client, scene, "lead", url, {"version": 2, "answer": "再次"})
    assert again.status_code == 409
    assert _world() == before
    one = client.get(f"{V1}/instructions/{body['id']}", headers=scene.auth["lead"])
    assert one.get_json()["answer"] == "已落实"
    assert (
        client.get(f"{V1}/instructions/{body['id']}", headers=scene.auth["other"]).status_code
        == 404
    )


@pytest.mark.parametrize(("who", "status"), [("office", 403), ("lead", 403), ("other", 404)])
def test_only_leaders_write_on_items(client, scene, who, status):
    before = _world()
    response = _post(client, scene, who, f"/items/{scene.item.id}/instructions", {"text": "x"})
    assert response.status_code == status
    assert _world() == before


def test_item_instruction_bad_input(client, scene):
    from tracker.items.operations import retire_item

    url = f"/items/{scene.item.id}/instructions"
    before = _world()
    assert _post(client, scene, "leader", url, {"text": " "}).status_code == 422
    assert _post(client, scene, "leader", url, {}).status_code == 422
    with client.application.test_request_context():
        retire_item(scene.office, scene.item, expected_version=None, reason="重复", now=NOW)
        db.session.commit()
    before = _world()
    assert _post(client, scene, "leader", url, {"text": "批示"}).status_code == 409
    assert _world() == before


def test_coordination_instruction_and_its_answer(client, scene):
    url = f"/coordination/{scene.request.id}/instructions"
    before = _world()
    assert _post(client, scene, "lead", url, {"text": "x"}).status_code == 404
    assert _post(client, scene, "office", url, {"text": "x"}).status_code == 403
    assert _post(client, scene, "leader", url, {"text": ""}).status_code == 422
    assert _world() == before
    made = _post(client, scene, "leader", url, {"text": "请财政局支持"})
    assert made.status_code == 201
    body = made.get_json()
    _conforms(body, "Instruction")
    assert (body["coordination_id"], body["item_id"], body["department_id"]) == (
        scene.request.id,
        scene.item.id,
        scene.lead_dept.id,
    )
    answer = f"/instructions/{body['id']}/answer"
    before = _world()
    for who, status in (("co", 404), ("other", 404), ("office", 403), ("leader", 403)):
        reply = _post(client, scene, who, answer, {"version": 1, "answer": "越权"})
        assert reply.status_code == status, who
    assert _world() == before
    assert (
        _post(client, scene, "lead", answer, {"version": 1, "answer": "已对接"}).status_code == 200
    )


def test_a_resolved_request_takes_no_instruction_over_the_api(client, scene):
    from tracker.coordination.operations import resolve_coordination

    with client.application.test_request_context():
        resolve_coordination(scene.office, scene.request, resolution="已协调", now=NOW)
        db.session.commit()
    before = _world()
    response = _post(
        client, scene, "leader", f"/coordination/{scene.request.id}/instructions", {"text": "x"}
    )
    assert response.status_code == 409
    assert "已办结" in response.get_json()["error"]["message"]
    assert _world() == before


def test_list_filters_by_state_department_and_overdue(client, scene):
    from tracker.signoff.instructions import (
        answer_instruction,
        write_coordination_instruction,
        write_instruction,
    )

    with client.application.test_request_context():
        early = datetime(2026, 11, 10, 2, 0)
        late = write_coordination_instruction(scene.leader, scene.request, text="逾期", now=early)
        write_instruction(scene.leader, scene.item, text="未到期", now=NOW)
        done = write_instruction(scene.leader, scene.item, text="已答", now=early)
        answer_instruction(scene.lead, done, answer="好", now=NOW)
        db.session.commit()

    def texts(who, query=""):
        response = client.get(f"{V1}/instructions{query}", headers=scene.auth[who])
        assert response.status_code == 200
        _conforms(response.get_json(), "InstructionPage")
        return sorted(row["text"] for row in response.get_json()["items"])

    assert texts("office") == ["已答", "未到期", "逾期"]
    assert texts("office", "?state=open") == ["未到期", "逾期"]
    assert texts("office", "?state=answered") == ["已答"]
    assert texts("office", "?overdue=true") == ["逾期"]
    assert texts("office", f"?department={scene.lead_dept.id}") == ["已答", "未到期", "逾期"]
    assert texts("office", f"?department={scene.other_dept.id}") == []
    assert texts("lead") == ["已答", "未到期", "逾期"]
    assert texts("other") == []
    assert client.get(f"{V1}/instructions?state=x", headers=scene.auth["office"]).status_code == 422
    assert late.coordination_id == scene.request.id


def _contest(client, scene, suggested=None) -> int:
    from tracker.signoff.acknowledge import request_reassignment

    with client.application.test_request_context():
        row = request_reassignment(
            scene.lead,
            scene.item,
            reason="职责不符",
            suggested_department_id=suggested,
            now=NOW,
        )
        db.session.commit()
        return row.id


def test_office_approves_a_reassignment_request_over_the_api(client, scene):
    rid = _contest(client, scene, suggested=scene.co_dept.id)
    url = f"/items/{scene.item.id}/reassignment-requests/{rid}/decide"
    before = _world()
    assert _post(client, scene, "lead", url, {"decision": "approve"}).status_code == 403
    assert _post(client, scene, "other", url, {"decision": "approve"}).status_code == 404
    assert _post(client, scene, "office", url, {"decision": "maybe"}).status_code == 422
    wrong = f"/items/{scene.item.id}/reassignment-requests/{rid + 99}/decide"
    assert _post(client, scene, "office", wrong, {"decision": "approve"}).status_code == 404
    assert _world() == before
    done = _post(client, scene, "office", url, {"decision": "approve"})
    assert done.status_code == 200, done.get_json()
    _conforms(done.get_json(), "Assignment")
    assert done.get_json()["state"] == "reassigned"
    db.session.expire_all()
    assert db.session.get(WorkItem, scene.item.id).lead_department_id == scene.co_dept.id
    before = _world()
    again = _post(client, scene, "office", url, {"decision": "approve"})
    assert again.status_code == 409
    assert _world() == before
    # The new lead contests in turn: the first request's id does not name the waiting one.
    from tracker.signoff.acknowledge import request_reassignment

    with client.application.test_request_context():
        item = db.session.get(WorkItem, scene.item.id)
        newer = request_reassignment(scene.co, item, reason="也不符", now=NOW)
        db.session.commit()
        assert newer.id != rid
    before = _world()
    stale = _post(client, scene, "office", url, {"decision": "refuse", "comment": "不同意"})
    assert stale.status_code == 409
    assert _world() == before


def test_office_refuses_with_a_reason_and_only_the_waiting_request(client, scene):
    rid = _contest(client, scene)
    url = f"/items/{scene.item.id}/reassignment-requests/{rid}/decide"
    before = _world()
    no_reason = _post(client, scene, "office", url, {"decision": "refuse", "comment": " "})
    assert no_reason.status_code == 422
    no_lead = _post(client, scene, "office", url, {"decision": "approve"})
    assert no_lead.status_code == 422  # nobody suggested a department and none is given
    assert _world() == before
    done = _post(client, scene, "office", url, {"decision": "refuse", "comment": "由你局牵头"})
    assert done.status_code == 200
    assert done.get_json()["state"] == "pending"
