"""领导批示: a leader writes an instruction on an item, the lead department answers
(落实情况) within INSTRUCTION_WORKING_DAYS; listed for the office and reminded; bad input
(a retired item, empty text, a second answer, another department) changes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import login_as
from tests.items_support import (
    NOW,
    Scene,
    make_item,
    pinned_today,  # noqa: F401
)
from tracker.extensions import db
from tracker.models import AuditEvent, Instruction, Notice


@pytest.fixture
def scene(app):
    scene = Scene()
    db.session.commit()
    return scene


def _world() -> tuple:
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count(AuditEvent.id))),
        db.session.scalar(select(func.count(Notice.id))),
        sorted((i.id, i.state, i.answer) for i in db.session.scalars(select(Instruction))),
    )


def _write(client, scene, text="请加快推进，月底前报进展。", item=None):
    login_as(client, scene.leader)
    item = item or scene.item
    return client.post(f"/items/{item.id}/instructions/new", data={"text": text})


def test_leader_writes_and_the_lead_answers(client, scene):
    item_page = client.get(f"/items/{scene.item.id}")
    login_as(client, scene.leader)
    assert 'id="write-instruction"' in client.get(f"/items/{scene.item.id}").get_data(as_text=True)
    assert item_page.status_code in (200, 302)
    done = _write(client, scene)
    assert done.status_code in (302, 303)
    row = db.session.scalar(select(Instruction))
    # Written on Friday 27 November 2026: five working days → Friday 4 December.
    assert row.state == "open" and row.answer_due == date(2026, 12, 4)
    assert row.department_id == scene.lead_dept.id
    login_as(client, scene.office)
    listed = client.get("/instructions").get_data(as_text=True)
    assert "请加快推进" in listed and "answer-form" not in listed
    login_as(client, scene.lead)
    listed = client.get("/instructions").get_data(as_text=True)
    assert "answer-form" in listed
    answered = client.post(f"/instructions/{row.id}/answer", data={"answer": "已召开专题会议"})
    assert answered.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(Instruction, row.id).state == "answered"
    before = _world()
    again = client.post(f"/instructions/{row.id}/answer", data={"answer": "再次回复"})
    assert again.status_code == 409
    assert _world() == before


def test_empty_text_is_422_and_nothing_is_written(client, scene):
    before = _world()
    response = _write(client, scene, text="   ")
    assert response.status_code == 422
    assert _world() == before


def test_an_instruction_on_a_retired_item_is_409(client, scene):
    from tracker.items.operations import retire_item

    with client.application.test_request_context():
        retire_item(scene.office, scene.item, expected_version=None, reason="重复", now=NOW)
        db.session.commit()
    before = _world()
    response = _write(client, scene)
    assert response.status_code == 409
    assert _world() == before


@pytest.mark.parametrize(("who", "status"), [("office", 403), ("lead", 403), ("other", 404)])
def test_only_leaders_write_instructions(client, scene, who, status):
    login_as(client, getattr(scene, who))
    before = _world()
    response = client.post(f"/items/{scene.item.id}/instructions/new", data={"text": "批示"})
    assert response.status_code == status
    assert _world() == before


@pytest.mark.parametrize(("who", "status"), [("co", 403), ("other", 404), ("office", 403)])
def test_only_the_lead_answers(client, scene, who, status):
    _write(client, scene)
    row = db.session.scalar(select(Instruction))
    login_as(client, getattr(scene, who))
    before = _world()
    response = client.post(f"/instructions/{row.id}/answer", data={"answer": "越权回复"})
    assert response.status_code == status
    empty = None
    if who == "co":
        login_as(client, scene.lead)
        empty = client.post(f"/instructions/{row.id}/answer", data={"answer": " "})
        assert empty.status_code == 422
    assert _world() == before


def _list_statements(app, client, scene, count: int) -> int:
    from bench.pages import capture_sql

    login_as(client, scene.leader)
    for n in range(count):
        item = make_item(scene.plan, scene.lead_dept, code=f"七.{count}.{n}")
        db.session.commit()
        client.post(f"/items/{item.id}/instructions/new", data={"text": f"批示{n}"})
    login_as(client, scene.office)
    client.get("/instructions")
    with app.app_context():
        engine = db.engine
    with capture_sql(engine) as capture:
        assert client.get("/instructions").status_code == 200
    return capture.count


def test_list_query_count_does_not_grow(app, client, scene):
    assert _list_statements(app, client, scene, 2) == _list_statements(app, client, scene, 9)


@pytest.mark.today("2026-12-03")
def test_the_lead_is_reminded_from_the_day_before(app, client, scene):
    from tracker.notify.jobs import remind

    _write(client, scene)

    def ours(planned):
        return [d for d in planned.drafts if d.dedupe_key.startswith("instruction:")]

    assert not ours(remind(date(2026, 12, 2)))
    db.session.commit()
    due = ours(remind(date(2026, 12, 3)))
    assert len(due) == 1 and due[0].to == [scene.lead.email]
    db.session.commit()
    assert not ours(remind(date(2026, 12, 3)))
