"""Sending through a real SMTP server on loopback (aiosmtpd), never a mocked smtplib."""

import ssl
from datetime import date, timedelta

import pytest
from aiosmtpd.smtp import AuthResult

from tests.notify_data import cli, cli_json, department_with_liaisons, make_item, office
from tests.smtp import SmtpServer, self_signed_certificate, smtp_server_fixture  # noqa: F401
from tracker import clock
from tracker.extensions import db
from tracker.models import OutboxMessage
from tracker.notify.dispatch import dispatch_pending
from tracker.notify.transports import memory_box


@pytest.fixture
def use_smtp(app, monkeypatch):
    def point_at(server: SmtpServer, **extra):
        for key, value in {**server.config(), **extra}.items():
            monkeypatch.setitem(app.config, key, value)

    return point_at


@pytest.fixture
def fgw():
    office("office@office.example")
    department, _ = department_with_liaisons(
        "市发改委", "a@fgw.example", "b@fgw.example", head_email="head@fgw.example"
    )
    return department


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_a_reminder_arrives_as_multipart_mail_with_a_chinese_subject_and_links(
    runner, app, fgw, smtp_server, use_smtp
):
    use_smtp(smtp_server)
    item = make_item(fgw, date(2026, 12, 10), code="三.1.(2)", title="质量强企")
    cli_json(runner, "remind", "--date", "2026-12-01")
    result = dispatch_pending()
    assert (result.sent, result.retrying, result.failed) == (1, 0, 0)

    (received,) = smtp_server.messages
    assert sorted(received.rcpt_tos) == ["a@fgw.example", "b@fgw.example"]
    message = received.message
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert "三.1.(2)" in message["Subject"] and "质量强企" in message["Subject"]
    # On the wire the subject is RFC 2047 encoded ASCII, not raw UTF-8.
    raw_subject = next(
        line for line in received.raw.split(b"\r\n") if line.lower().startswith(b"subject:")
    )
    assert raw_subject.isascii() and b"=?utf-8?" in raw_subject.lower()
    link = f"{app.config['EXTERNAL_URL']}/items/{item.id}"
    assert link in message.get_body(("plain",)).get_content()
    assert f'href="{link}"' in message.get_body(("html",)).get_content()
    assert message["X-Tracker-Dedupe-Key"] == f"remind:item:{item.id}:2026-12-10:7d"
    assert message["Auto-Submitted"] == "auto-generated"
    (row,) = rows()
    assert row.state == "sent" and row.sent_at is not None and row.attempts == 1
    assert dispatch_pending().sent == 0  # nothing is sent twice


def test_escalation_copies_the_office_and_the_head(runner, fgw, smtp_server, use_smtp):
    use_smtp(smtp_server)
    make_item(fgw, date(2026, 11, 2))
    cli_json(runner, "remind", "--date", "2026-11-27")
    dispatch_pending()
    (received,) = smtp_server.messages
    assert received.message["To"] == "a@fgw.example, b@fgw.example"
    assert received.message["Cc"] == "office@office.example, head@fgw.example"
    assert sorted(received.rcpt_tos) == sorted(
        ["a@fgw.example", "b@fgw.example", "office@office.example", "head@fgw.example"]
    )


def test_sec_27_a_title_cannot_inject_headers_and_html_is_escaped(
    runner, fgw, smtp_server, use_smtp
):
    use_smtp(smtp_server)
    make_item(
        fgw,
        date(2026, 12, 10),
        title="质量\r\nBcc: x@evil.example\r\n<script>alert(1)</script>",
    )
    cli_json(runner, "remind", "--date", "2026-12-01")
    dispatch_pending()
    (received,) = smtp_server.messages
    assert "x@evil.example" not in received.rcpt_tos
    assert received.message["Bcc"] is None
    headers = received.raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nBcc:" not in headers and b"evil" not in headers.split(b"Subject:")[0]
    assert "\n" not in received.message["Subject"]
    html = received.message.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_sec_26_smtp_down_then_up_loses_nothing_and_duplicates_nothing(
    runner, app, fgw, smtp_server, use_smtp
):
    use_smtp(smtp_server)
    for n in range(3):
        make_item(fgw, date(2026, 12, 10), code=f"三.{n}.(1)")
    cli_json(runner, "remind", "--date", "2026-12-01")
    smtp_server.stop()

    now = clock.now()
    result = dispatch_pending(now)
    assert (result.sent, result.retrying, result.failed) == (0, 3, 0)
    assert "unavailable" in result.errors[0]
    assert all(r.state == "pending" and r.attempts == 1 for r in rows())
    assert all("127.0.0.1" in r.last_error for r in rows())
    # Backoff: nothing is due again a minute later.
    assert dispatch_pending(now + timedelta(minutes=1)).retrying == 0

    smtp_server.start()
    result = dispatch_pending(now + timedelta(hours=1))
    assert result.sent == 3
    assert dispatch_pending(now + timedelta(hours=2)).sent == 0
    keys = smtp_server.by_key()
    assert len(keys) == 3 and all(len(v) == 1 for v in keys.values())
    assert all(r.state == "sent" for r in rows())


def test_after_max_attempts_a_message_fails_and_an_admin_resends_it(
    runner, app, client, factories, fgw, smtp_server, use_smtp
):
    use_smtp(smtp_server)
    make_item(fgw, date(2026, 12, 10))
    cli_json(runner, "remind", "--date", "2026-12-01")
    smtp_server.stop()
    now = clock.now()
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
        now += timedelta(hours=7)  # past any backoff
        dispatch_pending(now)
    (row,) = rows()
    assert row.state == "failed" and row.attempts == app.config["MAIL_MAX_ATTEMPTS"]
    assert dispatch_pending(now + timedelta(days=1)).sent == 0  # failed stays failed

    admin = factories.user("admin")
    factories.login_as(client, admin)
    page = client.get("/admin/outbox?state=failed").get_data(as_text=True)
    assert row.subject in page and "127.0.0.1" in page
    detail = client.get(f"/admin/outbox/{row.id}").get_data(as_text=True)
    assert f"/admin/outbox/{row.id}/resend" in detail
    response = client.post(f"/admin/outbox/{row.id}/resend")
    assert response.status_code == 302
    (row,) = rows()
    assert row.state == "pending" and row.attempts == 0

    smtp_server.start()
    assert dispatch_pending().sent == 1
    assert len(smtp_server.messages) == 1


def test_cli_dispatch_reports_an_unreachable_server_clearly(runner, app, fgw, use_smtp):
    dead = SmtpServer()  # a free port with nothing listening
    use_smtp(dead)
    make_item(fgw, date(2026, 12, 10))
    cli_json(runner, "remind", "--date", "2026-12-01")
    result = cli(runner, "dispatch")
    assert result.exit_code == 1
    assert f"127.0.0.1:{dead.port}" in result.stderr and "pending" in result.stderr
    (row,) = rows()
    assert row.state == "pending" and row.attempts == 1


def test_cli_dispatch_sends_everything_due(runner, fgw, smtp_server, use_smtp):
    use_smtp(smtp_server)
    for n in range(3):
        make_item(fgw, date(2026, 12, 10), code=f"三.{n}.(1)")
    cli_json(runner, "remind", "--date", "2026-12-01")
    result = cli(runner, "dispatch")
    assert result.exit_code == 0 and "sent 3" in result.stdout
    assert len(smtp_server.messages) == 3


def test_starttls_and_login(runner, app, fgw, use_smtp, tmp_path):
    cert, key = self_signed_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((mechanism, auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    server = SmtpServer(
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    ).start()
    try:
        use_smtp(
            server,
            MAIL_USE_TLS=True,
            MAIL_CA_FILE=str(cert),
            MAIL_USERNAME="tracker",
            MAIL_PASSWORD="s3cret",
        )
        make_item(fgw, date(2026, 12, 10))
        cli_json(runner, "remind", "--date", "2026-12-01")
        assert dispatch_pending().sent == 1
        assert len(server.messages) == 1
        assert logins and logins[0][1] == b"tracker"
        # A wrong password is a transport failure: the message stays pending.
        use_smtp(
            server,
            MAIL_USE_TLS=True,
            MAIL_CA_FILE=str(cert),
            MAIL_USERNAME="tracker",
            MAIL_PASSWORD="wrong",
        )
        make_item(fgw, date(2026, 12, 10))
        cli_json(runner, "remind", "--date", "2026-12-02")
        result = dispatch_pending()
        assert result.retrying == 1 and "unavailable" in result.errors[0]
    finally:
        server.stop()


def test_recipients_without_a_valid_address_are_dropped(runner, fgw):
    from tests.conftest import make_user

    make_user("liaison", fgw, email="not-an-address")
    make_user("liaison", fgw, email="x@evil.example\r\nBcc: y@evil.example")
    make_item(fgw, date(2026, 12, 10))
    (message,) = cli_json(runner, "remind", "--date", "2026-12-01")
    assert message["to"] == ["a@fgw.example", "b@fgw.example"]


def test_file_backend_writes_eml_files(runner, app, fgw, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "file")
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path / "mail"))
    make_item(fgw, date(2026, 12, 10))
    cli_json(runner, "remind", "--date", "2026-12-01")
    assert dispatch_pending().sent == 1
    (eml,) = (tmp_path / "mail").glob("*.eml")
    assert b"multipart/alternative" in eml.read_bytes()
    assert list((tmp_path / "mail").glob("*.tmp")) == []


def test_memory_backend_is_the_testing_default(runner, app, fgw):
    box = memory_box(app)
    box.clear()
    make_item(fgw, date(2026, 12, 10))
    cli_json(runner, "remind", "--date", "2026-12-01")
    assert dispatch_pending().sent == 1
    assert len(box) == 1 and box[0]["To"] == "a@fgw.example, b@fgw.example"
