"""The admin 发件箱: who may see it, what it shows, resending failed mail."""

from datetime import date

import pytest

from tests.notify_data import cli_json, department_with_liaisons, make_item
from tracker import clock
from tracker.extensions import db
from tracker.models import AuditEvent, OutboxMessage, SchedulerRun


def _message(state="pending", **fields) -> OutboxMessage:
    n = db.session.scalar(db.select(db.func.count(OutboxMessage.id))) + 1
    row = OutboxMessage(
        dedupe_key=fields.pop("dedupe_key", f"test:{n}"),
        kind=fields.pop("kind", "remind"),
        to_addrs=["a@fgw.example"],
        cc_addrs=[],
        item_codes=["三.1.(2)"],
        subject=fields.pop("subject", f"【规划督办】提醒 {n}"),
        body_text=fields.pop("body_text", "正文"),
        body_html=fields.pop("body_html", "<p>正文</p>"),
        state=state,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def admin_client(client, factories):
    factories.login_as(client, factories.user("admin"))
    return client


@pytest.mark.parametrize("role", ["office", "liaison", "leader"])
def test_only_admins_see_the_outbox(client, factories, role):
    row = _message()
    factories.login_as(client, factories.user(role))
    assert client.get("/admin/outbox").status_code == 403
    assert client.get(f"/admin/outbox/{row.id}").status_code == 403
    assert client.get(f"/admin/outbox/{row.id}/html").status_code == 403
    assert client.post(f"/admin/outbox/{row.id}/resend").status_code == 403


def test_outbox_lists_messages_by_state_with_the_nav_link(admin_client):
    _message(subject="待发送的提醒")
    _message("sent", subject="已发送的提醒", sent_at=clock.now())
    _message("failed", subject="发送失败的提醒", last_error="SMTP server 10.0.0.1:25 unavailable")
    db.session.commit()
    page = admin_client.get("/admin/outbox").get_data(as_text=True)
    assert 'href="/admin/outbox"' in page  # the navigation link
    for subject in ("待发送的提醒", "已发送的提醒", "发送失败的提醒"):
        assert subject in page
    failed = admin_client.get("/admin/outbox?state=failed").get_data(as_text=True)
    assert "发送失败的提醒" in failed and "待发送的提醒" not in failed
    assert "10.0.0.1:25 unavailable" in failed
    assert "/admin/outbox/resend-failed" in failed


def test_message_page_shows_the_text_and_a_sandboxed_html_preview(admin_client):
    row = _message(body_text="各位联络员：\n请按时报送。", body_html="<p>请按时报送</p>")
    db.session.commit()
    page = admin_client.get(f"/admin/outbox/{row.id}").get_data(as_text=True)
    assert "请按时报送。" in page and row.dedupe_key in page
    preview = admin_client.get(f"/admin/outbox/{row.id}/html")
    assert preview.get_data(as_text=True) == "<p>请按时报送</p>"
    assert preview.headers["Content-Security-Policy"].startswith("sandbox")
    assert "script-src" not in preview.headers["Content-Security-Policy"]


def test_resend_puts_a_failed_message_back_and_is_audited(admin_client):
    row = _message("failed", attempts=5, last_error="boom")
    sent = _message("sent", sent_at=clock.now())
    db.session.commit()
    assert admin_client.post(f"/admin/outbox/{row.id}/resend").status_code == 302
    db.session.expire_all()
    assert (row.state, row.attempts) == ("pending", 0)
    assert (
        db.session.scalar(
            db.select(AuditEvent).where(AuditEvent.action == "outbox.resend")
        ).object_id
        == row.id
    )
    # A sent message is never sent again by the button.
    admin_client.post(f"/admin/outbox/{sent.id}/resend")
    db.session.expire_all()
    assert sent.state == "sent"


def test_resend_all_failed(admin_client):
    rows = [_message("failed", attempts=5) for _ in range(3)]
    db.session.commit()
    assert admin_client.post("/admin/outbox/resend-failed").status_code == 302
    db.session.expire_all()
    assert {r.state for r in rows} == {"pending"}


def test_scheduler_runs_and_calendar_fallback_are_shown(app, admin_client, monkeypatch):
    db.session.add(SchedulerRun(job_id="notify.daily", outcome="ok", detail="queued 3"))
    db.session.add(SchedulerRun(job_id="notify.dispatch", outcome="error", detail="SMTP down"))
    db.session.commit()
    monkeypatch.setitem(app.config, "TRACKER_TODAY", "2099-03-01")
    page = admin_client.get("/admin/outbox?lang=en").get_data(as_text=True)
    assert "notify.daily" in page and "queued 3" in page and "SMTP down" in page
    assert "arrangement for 2099, 2100" in page and "Monday to Friday" in page
    assert 'href="/admin/holidays?year=2099"' in page
    monkeypatch.setitem(app.config, "TRACKER_TODAY", "2026-11-27")
    page = admin_client.get("/admin/outbox?lang=en").get_data(as_text=True)
    assert "arrangement for 2027:" in page


def test_the_demo_user_reads_what_would_have_been_sent(admin_client, runner):
    department, _ = department_with_liaisons("市发改委", "a@fgw.example")
    make_item(department, date(2026, 12, 10), code="三.1.(2)", title="质量强企")
    cli_json(runner, "remind", "--date", "2026-12-01")
    row = db.session.scalars(db.select(OutboxMessage)).one()
    page = admin_client.get(f"/admin/outbox/{row.id}").get_data(as_text=True)
    assert "质量强企" in page and "a@fgw.example" in page
