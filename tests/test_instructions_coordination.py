"""领导批示 on a coordination request (协调事项): a leader writes one on the request page, the
request's owner department answers on /instructions; a resolved request or a retired item
takes none (409), blank text is a 422, and nothing changes then. The office home counts the
instructions past their answer day."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tests.conftest import login_as
from tests.items_support import (
    NOW,
    Scene,
    make_item,
    make_report,
    pinned_today,  # noqa: F401
)
from tracker.extensions import db
from tracker.models import AuditEvent, CoordinationRequest, Instruction, Notice

EARLY = datetime(2026, 11, 10, 2, 0)  # answer day 17 November: past on 27 November


@pytest.fixture
def scene(app):
    with app.test_request_context():
        scene = Scene()
        make_report(
            scene.item,
            scene.lead,
            scene.focus,
            "verified",
            office=scene.office,
            sections={"support_needed": "请协调用地指标"},
        )
        db.session.commit()
        scene.request = db.session.scalar(select(CoordinationRequest))
    return scene


def _world() -> tuple:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(AuditEvent.id))),
        db.session.scalar(select(func.count(Notice.id))),
        sorted(
            (i.id, i.state, i.answer, i.version) for i in db.session.scalars(select(Instruction))
        ),
        sorted((c.id, c.state) for c in db.session.scalars(select(CoordinationRequest))),
    )


def _write(client, scene, text="请自然资源局本周内协调用地指标。"):
    login_as(client, scene.leader)
    return client.post(f"/coordination/{scene.request.id}/instructions", data={"text": text})


def test_leader_writes_on_the_request_and_its_department_answers(client, scene):
    login_as(client, scene.leader)
    page = client.get(f"/coordination/{scene.request.id}").get_data(as_text=True)
    assert 'id="write-instruction"' in page and "请协调用地指标" in page
    assert (
        client.get("/coordination")
        .get_data(as_text=True)
        .count(f"/coordination/{scene.request.id}")
    )
    done = _write(client, scene)
    assert done.status_code in (302, 303)
    row = db.session.scalar(select(Instruction))
    assert (row.coordination_id, row.item_id, row.department_id, row.state) == (
        scene.request.id,
        scene.item.id,
        scene.lead_dept.id,
        "open",
    )
    assert row.answer_due == date(2026, 12, 4)  # five working days after Friday 27 November
    written = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "instruction.written")
    )
    assert written.after["coordination_id"] == scene.request.id
    assert db.session.scalar(
        select(func.count(Notice.id)).where(
            Notice.user_id == scene.lead.id, Notice.kind == "instruction_written"
        )
    )
    page = client.get(f"/coordination/{scene.request.id}").get_data(as_text=True)
    assert "请自然资源局本周内协调用地指标" in page
    login_as(client, scene.office)
    listed = client.get("/instructions").get_data(as_text=True)
    assert "coordination-badge" in listed and f"/coordination/{scene.request.id}" in listed
    assert "answer-form" not in listed
    login_as(client, scene.lead)
    listed = client.get("/instructions").get_data(as_text=True)
    assert "coordination-badge" in listed and "answer-form" in listed
    answered = client.post(
        f"/instructions/{row.id}/answer", data={"answer": "已与自然资源局对接", "version": "1"}
    )
    assert answered.status_code in (302, 303)
    db.session.expire_all()
    row = db.session.get(Instruction, row.id)
    assert (row.state, row.answer, row.answered_by_id, row.version) == (
        "answered",
        "已与自然资源局对接",
        scene.lead.id,
        2,
    )
    login_as(client, scene.leader)
    page = client.get(f"/coordination/{scene.request.id}").get_data(as_text=True)
    assert "已与自然资源局对接" in page


def test_a_resolved_request_takes_no_instruction(client, scene):
    from tracker.coordination.operations import resolve_coordination

    with client.application.test_request_context():
        resolve_coordination(scene.office, scene.request, resolution="已协调", now=NOW)
        db.session.commit()
    login_as(client, scene.leader)
    page = client.get(f"/coordination/{scene.request.id}").get_data(as_text=True)
    assert 'id="write-instruction"' not in page
    before = _world()
    response = _write(client, scene)
    assert response.status_code == 409
    assert "已办结" in response.get_data(as_text=True)
    assert _world() == before


def test_a_request_of_a_retired_item_takes_no_instruction(client, scene):
    from tracker.items.operations import retire_item

    with client.application.test_request_context():
        retire_item(scene.office, scene.item, expected_version=None, reason="重复", now=NOW)
        db.session.commit()
    before = _world()
    response = _write(client, scene)
    assert response.status_code == 409
    assert "已撤销" in response.get_data(as_text=True)
    assert _world() == before


def test_blank_text_is_422_and_nothing_is_written(client, scene):
    before = _world()
    response = _write(client, scene, text=" \n ")
    assert response.status_code == 422
    assert _world() == before


@pytest.mark.parametrize(("who", "status"), [("office", 403), ("lead", 403), ("other", 403)])
def test_only_leaders_write_on_a_request(client, scene, who, status):
    login_as(client, getattr(scene, who))
    before = _world()
    response = client.post(f"/coordination/{scene.request.id}/instructions", data={"text": "批示"})
    assert response.status_code == status
    assert _world() == before


@pytest.mark.parametrize(("who", "status"), [("co", 404), ("other", 404), ("office", 403)])
def test_only_the_owner_department_answers(client, scene, who, status):
    _write(client, scene)
    row = db.session.scalar(select(Instruction))
    login_as(client, getattr(scene, who))
    before = _world()
    response = client.post(
        f"/instructions/{row.id}/answer", data={"answer": "越权回复", "version": "1"}
    )
    assert response.status_code == status
    assert "请自然资源局" not in response.get_data(as_text=True)
    assert _world() == before


def test_a_stale_answer_page_is_409(client, scene):
    _write(client, scene)
    row = db.session.scalar(select(Instruction))
    login_as(client, scene.lead)
    before = _world()
    stale = client.post(f"/instructions/{row.id}/answer", data={"answer": "x", "version": "7"})
    assert stale.status_code == 409
    assert _world() == before


def _overdue_scene(client, scene):
    from tracker.signoff.instructions import write_coordination_instruction, write_instruction

    with client.application.test_request_context():
        write_coordination_instruction(scene.leader, scene.request, text="逾期批示甲", now=EARLY)
        write_instruction(scene.leader, scene.item, text="逾期批示乙", now=EARLY)
        write_instruction(scene.leader, scene.item, text="未到期批示", now=NOW)
        db.session.commit()


def test_office_home_counts_instructions_past_their_answer_day(client, scene):
    _overdue_scene(client, scene)
    login_as(client, scene.office)
    home = client.get("/office").get_data(as_text=True)
    link = 'href="/instructions?overdue=1">2</a>'
    assert link in home
    listed = client.get("/instructions?overdue=1").get_data(as_text=True)
    assert "逾期批示甲" in listed and "逾期批示乙" in listed and "未到期批示" not in listed
    everything = client.get("/instructions").get_data(as_text=True)
    assert "未到期批示" in everything
    by_department = client.get(f"/instructions?department={scene.other_dept.id}")
    assert "逾期批示甲" not in by_department.get_data(as_text=True)
    # Answering one takes it off the card.
    row = db.session.scalar(select(Instruction).where(Instruction.text == "逾期批示乙"))
    login_as(client, scene.lead)
    client.post(f"/instructions/{row.id}/answer", data={"answer": "已落实", "version": "1"})
    login_as(client, scene.office)
    assert 'href="/instructions?overdue=1">1</a>' in client.get("/office").get_data(as_text=True)


def _statements(app, client, scene, count: int, url_of) -> int:
    from bench.pages import capture_sql
    from tracker.signoff.instructions import write_coordination_instruction

    with client.application.test_request_context():
        for n in range(count):
            item = make_item(scene.plan, scene.lead_dept, code=f"八.{count}.{n}")
            make_report(
                item,
                scene.lead,
                scene.focus,
                "verified",
                office=scene.office,
                sections={"support_needed": f"协调{n}"},
            )
            request = db.session.scalar(
                select(CoordinationRequest).where(CoordinationRequest.item_id == item.id)
            )
            write_coordination_instruction(scene.leader, request, text=f"批示{n}", now=EARLY)
            write_coordination_instruction(scene.leader, scene.request, text=f"批{n}", now=EARLY)
        db.session.commit()
    login_as(client, scene.office)
    url = url_of(scene)
    client.get(url)
    with app.app_context():
        engine = db.engine
    with capture_sql(engine) as capture:
        assert client.get(url).status_code == 200
    return capture.count


@pytest.mark.parametrize(
    "url_of",
    [
        lambda scene: "/office",
        lambda scene: "/instructions?overdue=1",
        lambda scene: f"/coordination/{scene.request.id}",
    ],
    ids=["office", "overdue", "request"],
)
def test_statement_counts_do_not_grow(app, client, scene, url_of):
    small = _statements(app, client, scene, 2, url_of)
    assert small == _statements(app, client, scene, 7, url_of)
