"""Replies, 办结, cancel, escalate, issue and re-issue: the services, over HTTP and the API,
and every bad input the issue names refused with nothing changed."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests.conftest import login_as
from tests.letters_support import bearer, issued, scene
from tracker.extensions import db
from tracker.models import Attachment, AuditEvent, Letter, Notice

pytestmark = pytest.mark.today("2026-11-27")

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def snapshot() -> tuple:
    db.session.expire_all()
    letters = db.session.scalars(select(Letter).order_by(Letter.id)).all()
    return (
        [(x.state, x.version, x.reply_text, x.decision_note) for x in letters],
        db.session.scalar(
            select(func.count()).where(AuditEvent.action.like("letter.%"))
        ),
        db.session.scalar(select(func.count()).select_from(Notice)),
        db.session.scalar(select(func.count()).select_from(Attachment)),
    )


def test_reply_with_evidence_then_close_over_the_pages(client, runner):
    s = scene()
    orange, _yellow = issued(runner, s)
    login_as(client, s.liaison)
    page = client.get(f"/letters/{orange.id}")
    assert page.status_code == 200 and "〔2026〕督办第1号" in page.get_data(as_text=True)
    response = client.post(
        f"/letters/{orange.id}/reply",
        data={
            "version": "1",
            "reply": "已补报并整改。",
            "files": (io.BytesIO(PDF), "整改说明.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    letter = db.session.get(Letter, orange.id)
    assert (letter.state, letter.reply_text, letter.replied_by_id) == (
        "replied",
        "已补报并整改。",
        s.liaison.id,
    )
    (file,) = letter.attachments
    assert file.original_name == "整改说明.pdf"
    download = client.get(f"/letters/{orange.id}/evidence/{file.id}")
    assert download.status_code == 200 and download.data == PDF

    login_as(client, s.office_user)
    response = client.post(f"/letters/{orange.id}/close", data={"version": "2", "note": "同意办结"})
    assert response.status_code == 302
    db.session.expire_all()
    letter = db.session.get(Letter, orange.id)
    assert (letter.state, letter.decision_note, letter.decided_by_id) == (
        "closed",
        "同意办结",
        s.office_user.id,
    )
    actions = db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.item_id == s.orange_item.id)
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["letter.issued", "letter.replied", "letter.closed"]
    # The item page shows the letter and its trail.
    item_page = client.get(f"/items/{s.orange_item.id}").get_data(as_text=True)
    assert "〔2026〕督办第1号" in item_page


def test_api_reply_and_close(client, runner):
    s = scene()
    orange, _yellow = issued(runner, s)
    liaison, office = bearer(s.liaison), bearer(s.office_user)
    listed = client.get("/api/v1/letters?level=orange&state=open", headers=liaison).get_json()
    assert [x["number"] for x in listed["items"]] == ["〔2026〕督办第1号"]
    assert listed["total"] == 1
    answer = client.post(
        f"/api/v1/letters/{orange.id}/reply",
        json={"version": 1, "reply": "已整改"},
        headers=liaison,
    )
    assert answer.status_code == 200 and answer.get_json()["state"] == "replied"
    closed = client.post(
        f"/api/v1/letters/{orange.id}/close", json={"version": 2, "note": "办结"}, headers=office
    )
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["state"] == "closed"


def test_bad_input_reply_from_another_department_is_404_and_changes_nothing(client, runner):
    s = scene()
    orange, _ = issued(runner, s)
    before = snapshot()
    other = bearer(s.other_liaison)
    response = client.post(
        f"/api/v1/letters/{orange.id}/reply", json={"version": 1, "reply": "冒名"}, headers=other
    )
    assert response.status_code == 404
    assert client.get(f"/api/v1/letters/{orange.id}", headers=other).status_code == 404
    login_as(client, s.other_liaison)
    assert (
        client.post(f"/letters/{orange.id}/reply", data={"version": "1", "reply": "x"}).status_code
        == 404
    )
    assert snapshot() == before


def test_bad_input_the_office_cannot_reply_for_the_department(client, runner):
    s = scene()
    orange, _ = issued(runner, s)
    before = snapshot()
    response = client.post(
        f"/api/v1/letters/{orange.id}/reply",
        json={"version": 1, "reply": "代答"},
        headers=bearer(s.office_user),
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_bad_input_a_reply_after_closing_is_409(client, runner):
    s = scene()
    orange, _ = issued(runner, s)
    liaison, office = bearer(s.liaison), bearer(s.office_user)
    client.post(
        f"/api/v1/letters/{orange.id}/reply", json={"version": 1, "reply": "a"}, headers=liaison
    )
    client.post(
        f"/api/v1/letters/{orange.id}/close", json={"version": 2, "note": "ok"}, headers=office
    )
    before = snapshot()
    response = client.post(
        f"/api/v1/letters/{orange.id}/reply", json={"version": 3, "reply": "再答"}, headers=liaison
    )
    assert response.status_code == 409
    assert (
        "办结" in response.get_json()["error"]["message"]
        or "closed" in response.get_json()["error"]["message"]
    )
    assert snapshot() == before


def test_bad_input_closing_without_a_note_is_422(client, runner):
    s = scene()
    orange, _ = issued(runner, s)
    client.post(
        f"/api/v1/letters/{orange.id}/reply",
        json={"version": 1, "reply": "a"},
        headers=bearer(s.liaison),
    )
    before = snapshot()
    office = bearer(s.office_user)
    response = client.post(
        f"/api/v1/letters/{orange.id}/close", json={"version": 2, "note": "  "}, headers=office
    )
    assert response.status_code == 422
    assert "note" in response.get_json()["error"]["fields"]
    login_as(client, s.office_user)
    page = client.post(f"/letters/{orange.id}/close", data={"version": "2", "note": ""})
    assert page.status_code == 422
    assert snapshot() == before


def test_bad_input_closing_an_unanswered_letter_is_409(client, runner):
    s = scene()
    orange, _ = issued(runner, s)
    before = snapshot()
    response = client.post(
        f"/api/v1/letters/{orange.id}/close",
        json={"version": 1, "note": "x"},
        headers=bearer(s.office_user),
    )
    assert response.status_code == 409
    assert snapshot() == before


def test_bad_input_a_letter_for_a_retired_item_is_refused(client, runner):
    from datetime import datetime

    s = scene()
    s.fine_item.retired_at = datetime(2026, 11, 1)
    db.session.commit()
    before = snapshot()
    login_as(client, s.office_user)
    response = client.post(
        "/letters/new",
        data={
            "level": "yellow",
            "plan_id": str(s.fine_item.plan_id),
            "codes": "一.2",
            "note": "催办",
        },
    )
    assert response.status_code == 422
    assert "一.2" in response.get_data(as_text=True)
    assert snapshot() == before


def test_issue_by_hand_cancel_and_reissue(client, runner):
    s = scene()
    login_as(client, s.office_user)
    response = client.post(
        "/letters/new",
        data={
            "level": "orange",
            "plan_id": str(s.fine_item.plan_id),
            "codes": "一.2 一.1",
            "note": "进度滞后",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    letter = db.session.scalar(select(Letter))
    assert (letter.number, [i.code for i in letter.items], letter.issued_by_id) == (
        "〔2026〕督办第1号",
        ["一.1", "一.2"],
        s.office_user.id,
    )
    # One open letter per item and level: the same again is refused.
    again = client.post(
        "/letters/new",
        data={
            "level": "yellow",
            "plan_id": str(s.fine_item.plan_id),
            "codes": "一.1",
            "note": "再催",
        },
    )
    assert again.status_code == 409
    assert (
        client.post(f"/letters/{letter.id}/cancel", data={"version": "1", "note": ""}).status_code
        == 422
    )
    assert (
        client.post(
            f"/letters/{letter.id}/cancel", data={"version": "1", "note": "误发"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Letter, letter.id).state == "cancelled"
    # The daily run does not raise a cancelled letter's facts again by itself … (here the
    # items' own facts are a yellow and a fine one: the yellow is issued, as a new fact)
    response = client.post(f"/letters/{letter.id}/reissue")
    assert response.status_code == 302
    db.session.expire_all()
    new = db.session.scalar(select(Letter).where(Letter.reissue_of_id == letter.id))
    assert (new.number, new.state, new.level) == ("〔2026〕督办第2号", "issued", "orange")
    # Only a cancelled letter can be re-issued.
    assert client.post(f"/letters/{new.id}/reissue").status_code == 409


def test_escalate_by_hand_supersedes(client, runner):
    s = scene()
    _orange, yellow = issued(runner, s)
    login_as(client, s.office_user)
    assert (
        client.post(f"/letters/{yellow.id}/escalate", data={"version": "1", "note": ""}).status_code
        == 422
    )
    response = client.post(
        f"/letters/{yellow.id}/escalate", data={"version": "1", "note": "仍未报送"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Letter, yellow.id).state == "escalated"
    higher = db.session.scalar(select(Letter).where(Letter.number == "〔2026〕督办第2号"))
    assert [i.code for i in higher.items] == ["一.1"]
    assert db.session.get(Letter, yellow.id).superseded_by_id == higher.id


def test_liaisons_cannot_take_office_steps(client, runner):
    s = scene()
    orange, _ = issued(runner, s)
    before = snapshot()
    login_as(client, s.liaison)
    for action in ("close", "cancel", "escalate"):
        assert (
            client.post(
                f"/letters/{orange.id}/{action}", data={"version": "1", "note": "x"}
            ).status_code
            == 403
        )
    assert client.get("/letters/new").status_code == 403
    assert snapshot() == before


def test_docx_download(client, runner):
    s = scene()
    orange, _ = issued(runner, s)
    login_as(client, s.liaison)
    response = client.get(f"/letters/{orange.id}.docx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
    assert "〔2026〕督办第1号" in text and "督查办" in text
    tables = Document(io.BytesIO(response.data)).tables
    assert tables[0].rows[1].cells[1].text == "二.1"
