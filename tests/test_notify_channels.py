"""Channels beside mail, against a fake DingTalk / robot / SMS server on loopback."""

from datetime import date, timedelta

import pytest

from tests.fake_im import ROBOT_SECRET, FakeIm
from tests.notify_data import cli, cli_json, department_with_liaisons, make_item, office
from tracker import clock
from tracker.extensions import db
from tracker.models import OutboxMessage
from tracker.notify import im
from tracker.notify.channels import enabled_channels
from tracker.notify.dispatch import dispatch_pending

SEND = "/topapi/message/corpconversation/asyncsend_v2"


@pytest.fixture
def fake():
    server = FakeIm().start()
    yield server
    server.stop()


@pytest.fixture
def channels(app, monkeypatch, fake):
    """Turn channels on and point DingTalk and SMS at the fake server."""
    app.extensions.pop("notify.dingtalk_tokens", None)
    settings = {
        "DINGTALK_API_BASE": fake.base,
        "DINGTALK_APP_KEY": "key",
        "DINGTALK_APP_SECRET": "secret",
        "DINGTALK_AGENT_ID": "123456",
        "SMS_GATEWAY_URL": fake.base + "/sms",
        "SMS_TEMPLATE_ID": "SMS_001",
        "SMS_SIGN_NAME": "规划督办",
        "MAIL_RETRY_BASE_SECONDS": 120,
    }
    for key, value in settings.items():
        monkeypatch.setitem(app.config, key, value)

    def turn_on(value: str):
        monkeypatch.setitem(app.config, "NOTIFY_CHANNELS", value)

    yield turn_on
    app.extensions.pop("notify.dingtalk_tokens", None)


@pytest.fixture
def fgw():
    office("office@office.example")
    department, users = department_with_liaisons("市发改委", "a@fgw.example", "b@fgw.example")
    users[0].dingtalk_user_id = "ding-a"
    users[0].mobile = "13800000001"
    return department


def rows(channel: str | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = db.select(OutboxMessage).order_by(OutboxMessage.id)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    return list(db.session.scalars(query))


def ding_row(key: str, text: str, due, subject: str = "提醒") -> None:
    db.session.add(
        OutboxMessage(
            dedupe_key=f"dingtalk:ding-a:{key}",
            kind="remind",
            channel="dingtalk",
            to_addrs=["ding-a"],
            cc_addrs=[],
            item_codes=[],
            subject=subject,
            body_text=text,
            body_html="",
            next_attempt_at=due,
        )
    )
    db.session.commit()


def remind(runner, day="2026-12-01"):
    return cli_json(runner, "remind", "--date", day)


def test_default_is_mail_only_and_unknown_channels_are_refused(
    app, runner, client, factories, fgw, monkeypatch
):
    assert enabled_channels() == ["mail"]
    make_item(fgw, date(2026, 12, 10))
    remind(runner)
    assert [r.channel for r in rows()] == ["mail"]
    monkeypatch.setitem(app.config, "NOTIFY_CHANNELS", "mail,pigeon")
    with pytest.raises(RuntimeError, match="pigeon"):
        enabled_channels()
    make_item(fgw, date(2026, 12, 10))
    result = cli(runner, "remind", "--date", "2026-12-01")
    assert result.exit_code != 0 and "pigeon" in str(result.exception or result.output)
    assert len(rows()) == 1  # the job failed loudly and queued nothing
    factories.login_as(client, factories.user("admin"))
    page = client.get("/admin/outbox")
    assert page.status_code == 200 and "pigeon" in page.get_data(as_text=True)


def test_dingtalk_token_is_cached_and_the_message_is_a_short_card_with_links(
    runner, fgw, fake, channels
):
    channels("mail,dingtalk")
    make_item(fgw, date(2026, 12, 10), code="三.1.(2)", title="质量强企")
    remind(runner)
    (ding,) = rows("dingtalk")
    (mail,) = rows("mail")
    assert ding.dedupe_key == f"dingtalk:ding-a:{mail.dedupe_key}"
    # b has no DingTalk id: mail still reaches both, and the row says so.
    assert mail.to_addrs == ["a@fgw.example", "b@fgw.example"]
    assert "b@fgw.example" in mail.note and "a@fgw.example" not in mail.note
    assert dispatch_pending().sent == 2

    (sent,) = fake.of(SEND)
    assert sent.query["access_token"] == "token-1"
    assert sent.body["agent_id"] == 123456 and sent.body["userid_list"] == "ding-a"
    card = sent.body["msg"]["markdown"]
    assert sent.body["msg"]["msgtype"] == "markdown"
    assert "三.1.(2)" in card["text"] and "/items/" in card["text"]
    assert "<html" not in card["text"] and len(card["text"]) < 1000

    make_item(fgw, date(2026, 12, 10), code="三.2.(1)")
    remind(runner)  # the first reminder is not queued again, the new one is
    assert dispatch_pending().sent == 2
    assert len(fake.of("/gettoken")) == 1  # cached
    assert len(fake.of(SEND)) == 2


def test_an_expired_token_is_refreshed_once(runner, fgw, fake, channels):
    channels("dingtalk")
    make_item(fgw, date(2026, 12, 10))
    make_item(fgw, date(2026, 12, 10))
    remind(runner)
    first, second = rows("dingtalk")
    db.session.execute(
        db.update(OutboxMessage)
        .where(OutboxMessage.id == second.id)
        .values(next_attempt_at=clock.now() + timedelta(days=1))
    )
    db.session.commit()
    dispatch_pending()
    fake.expire_tokens()  # DingTalk ended the token before we thought it would
    dispatch_pending(clock.now() + timedelta(days=1, minutes=1))
    assert [r.state for r in rows("dingtalk")] == ["sent", "sent"]
    assert [r.query["access_token"] for r in fake.of(SEND)] == ["token-1", "token-1", "token-2"]
    assert len(fake.of("/gettoken")) == 2

    # A token refused even after refreshing is an error, not a loop.
    ding_row("again", "another text", clock.now() + timedelta(days=2))
    fake.script(SEND, *[(200, {"errcode": 42001, "errmsg": "expired"})] * 2)
    result = dispatch_pending(clock.now() + timedelta(days=2))
    assert result.retrying == 1 and len(fake.of("/gettoken")) == 3
    assert "42001" in rows("dingtalk")[-1].last_error


def test_a_failure_then_success_sends_once(runner, fgw, fake, channels):
    channels("mail,dingtalk")
    make_item(fgw, date(2026, 12, 10))
    remind(runner)
    fake.script(SEND, (500, b"busy"))
    now = clock.now()
    result = dispatch_pending(now)
    assert (result.sent, result.retrying) == (1, 1)  # mail went, DingTalk waits
    (ding,) = rows("dingtalk")
    assert ding.state == "pending" and "HTTP 500" in ding.last_error
    assert dispatch_pending(now + timedelta(minutes=1)).handled == 0  # backoff
    remind(runner)  # a re-run of the job queues nothing twice
    assert len(rows()) == 2
    assert dispatch_pending(now + timedelta(minutes=3)).sent == 1
    assert dispatch_pending(now + timedelta(hours=1)).handled == 0
    assert len(fake.of(SEND)) == 2  # the refused one and the delivered one
    assert rows("dingtalk")[0].state == "sent"


def test_one_user_gets_one_folded_notice_and_the_same_content_once_a_day(
    runner, fgw, fake, channels
):
    channels("dingtalk")
    make_item(fgw, date(2026, 12, 10), code="三.1.(1)")
    make_item(fgw, date(2026, 12, 10), code="三.1.(2)")
    remind(runner)
    assert len(rows("dingtalk")) == 2
    now = clock.now()
    assert dispatch_pending(now).sent == 4  # two DingTalk rows and b's two fallback mails
    (sent,) = fake.of(SEND)
    text = sent.body["msg"]["markdown"]["text"]
    assert "三.1.(1)" in text and "三.1.(2)" in text
    assert all("folded 2" in r.note for r in rows("dingtalk"))

    # The same content for the same user again today (another row, same text): not sent.
    first = rows("dingtalk")[0]
    ding_row("again1", first.body_text, now - timedelta(seconds=1), first.subject)
    assert dispatch_pending(now).sent == 1
    assert len(fake.of(SEND)) == 2  # a single row's text differs from the fold: sent
    ding_row("again2", first.body_text, now - timedelta(seconds=1), first.subject)
    ding_row("again3", first.body_text, now + timedelta(days=1), first.subject)
    assert dispatch_pending(now).sent == 1
    assert len(fake.of(SEND)) == 2  # same content, same user, same day: not sent again
    (again2,) = [r for r in rows("dingtalk") if r.dedupe_key.endswith("again2")]
    assert again2.state == "sent" and "already reached" in again2.note
    assert dispatch_pending(now + timedelta(days=1)).sent == 1  # the next day it goes
    assert len(fake.of(SEND)) == 3


def test_mail_off_falls_back_to_mail_for_users_without_a_dingtalk_id(runner, fgw, channels):
    channels("dingtalk")
    make_item(fgw, date(2026, 12, 10))
    remind(runner)
    (mail,) = rows("mail")
    assert mail.to_addrs == ["b@fgw.example"]
    assert "fallback" in mail.note and "b@fgw.example" in mail.note
    assert [r.to_addrs for r in rows("dingtalk")] == [["ding-a"]]


def test_group_robots_sign_like_dingtalk_and_wecom_gets_markdown(
    runner, app, fgw, fake, channels, monkeypatch
):
    channels("mail,webhook")
    fgw.robot_webhook = fake.base + "/robot/send?access_token=abc"
    fgw.robot_secret = ROBOT_SECRET
    monkeypatch.setitem(
        app.config, "NOTIFY_OFFICE_WEBHOOK", fake.base + "/cgi-bin/webhook/send?key=k"
    )
    make_item(fgw, date(2026, 11, 10))  # 21 days overdue on 12-01: an escalation
    remind(runner)
    targets = sorted(r.to_addrs[0] for r in rows("webhook"))
    assert targets == [f"department:{fgw.id}", "office"]
    assert dispatch_pending().failed == 0
    (robot,) = fake.of("/robot/send")
    assert robot.query["access_token"] == "abc" and robot.body["msgtype"] == "markdown"
    (wecom,) = fake.of("/cgi-bin/webhook/send")
    assert wecom.body["msgtype"] == "markdown" and "content" in wecom.body["markdown"]
    assert all(r.state == "sent" for r in rows("webhook"))

    # A wrong secret: the fake refuses the signature like DingTalk, the row waits and says why.
    fgw.robot_secret = "SECwrong"
    make_item(fgw, date(2026, 11, 11))
    remind(runner)
    dispatch_pending()
    failing = [r for r in rows("webhook") if r.state == "pending"]
    assert failing and "310000" in failing[0].last_error


def test_robot_sign_matches_dingtalk_documentation():
    # base64(HMAC-SHA256(secret, "timestamp\nsecret")), URL-encoded (the '=' becomes %3D).
    assert (
        im.robot_sign("SECabc", 1700000000000) == "jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D"
    )


def test_sms_gateway_500_or_garbage_is_retried_with_backoff_then_fails_visibly(
    runner, app, client, factories, fgw, fake, channels
):
    channels("mail,sms")
    make_item(fgw, date(2026, 12, 10))
    remind(runner)
    (sms,) = rows("sms")
    assert sms.to_addrs == ["13800000001"]
    fake.script("/sms", (500, b"oops"), (200, b"<html>gateway</html>"), (200, {"code": "E1"}))
    fake.script("/sms", *[(500, b"oops")] * 5)
    now = clock.now()
    waits = []
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
        dispatch_pending(now)
        (sms,) = rows("sms")
        waits.append(sms.next_attempt_at - now)
        now = sms.next_attempt_at
    assert sms.state == "failed" and sms.attempts == app.config["MAIL_MAX_ATTEMPTS"]
    assert waits[:3] == [timedelta(minutes=2), timedelta(minutes=6), timedelta(minutes=18)]
    assert len(fake.of("/sms")) == app.config["MAIL_MAX_ATTEMPTS"]
    assert {r.body["template_id"] for r in fake.of("/sms")} == {"SMS_001"}

    factories.login_as(client, factories.user("admin"))
    page = client.get("/admin/outbox?state=failed").get_data(as_text=True)
    assert "HTTP 500" in page and "sms" in page


def test_a_webhook_that_is_not_https_is_refused_clearly(app, runner, fgw, fake, channels):
    channels("mail,webhook")
    assert im.url_problem("http://robot.example/send") is not None
    assert im.url_problem("http://127.0.0.1:9/x", allow_loopback_http=True) is None
    assert im.url_problem("http://10.0.0.1/x", allow_loopback_http=True) is not None
    assert im.url_problem("https://oapi.dingtalk.com/robot/send?access_token=a") is None
    fgw.robot_webhook = "http://robot.example/robot/send?access_token=x"
    make_item(fgw, date(2026, 11, 10))
    remind(runner)
    result = dispatch_pending()
    assert result.failed == 1  # permanent: not retried five times against the wrong URL
    (hook,) = rows("webhook")
    assert hook.state == "failed" and "https://" in hook.last_error
    assert not fake.requests


def test_the_outbox_shows_each_channel_and_sends_an_audited_test_message(
    app, client, factories, fake, channels, monkeypatch
):
    channels("mail,dingtalk")
    monkeypatch.setitem(app.config, "DINGTALK_AGENT_ID", "")
    admin = factories.user("admin", dingtalk_user_id="ding-admin", mobile=None)
    factories.login_as(client, admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    for channel in ("mail", "dingtalk", "webhook", "sms"):
        assert f"/admin/outbox/test/{channel}" in page
    assert "DINGTALK_AGENT_ID" in page  # the missing setting is named

    # Not configured: a clear message, nothing queued, nothing sent.
    response = client.post("/admin/outbox/test/dingtalk", follow_redirects=True)
    assert "DINGTALK_AGENT_ID" in response.get_data(as_text=True)
    assert rows() == [] and not fake.requests
    # No mobile on the admin's account: said so.
    response = client.post("/admin/outbox/test/sms", follow_redirects=True)
    assert "mobile" in response.get_data(as_text=True) or "手机" in response.get_data(as_text=True)

    monkeypatch.setitem(app.config, "DINGTALK_AGENT_ID", "123456")
    assert client.get("/admin/outbox/test/dingtalk").status_code == 405  # no GET changes
    response = client.post("/admin/outbox/test/dingtalk")
    assert response.status_code == 302
    (row,) = rows()
    assert row.channel == "dingtalk" and row.kind == "test" and row.state == "sent"
    (sent,) = fake.of(SEND)
    assert sent.body["userid_list"] == "ding-admin"
    from tracker.models import AuditEvent

    (event,) = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "outbox.test"))
    assert event.actor_id == admin.id
    assert client.post("/admin/outbox/test/pigeon").status_code == 404


def test_only_admins_send_test_messages(client, factories, fake, channels):
    channels("mail,dingtalk")
    factories.login_as(client, factories.user("office", dingtalk_user_id="ding-o"))
    assert client.post("/admin/outbox/test/dingtalk").status_code == 403
    assert rows() == [] and not fake.requests


def test_zhezhengding_tenant_id_goes_with_every_call(app, runner, fgw, fake, channels, monkeypatch):
    channels("dingtalk")
    monkeypatch.setitem(app.config, "DINGTALK_TENANT_ID", "196729")
    make_item(fgw, date(2026, 12, 10))
    remind(runner)
    dispatch_pending()
    assert [r.query.get("tenantId") for r in fake.requests if r.path != "/sms"] == [
        "196729",
        "196729",
    ]
    assert rows("dingtalk")[0].state == "sent"


def test_one_phone_gets_one_text_per_dispatch(runner, fgw, fake, channels):
    channels("mail,sms")
    make_item(fgw, date(2026, 12, 10))
    make_item(fgw, date(2026, 12, 10))
    remind(runner)
    assert len(rows("sms")) == 2
    dispatch_pending()
    (text,) = fake.of("/sms")
    assert text.body["mobile"] == "13800000001"
    assert "2" in text.body["params"]["content"] and "http" in text.body["params"]["content"]
    assert all(r.state == "sent" and "folded 2" in r.note for r in rows("sms"))
