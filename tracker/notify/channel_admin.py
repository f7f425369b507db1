"""The 发件箱's channel panel: each channel's state and a "send a test message" button."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from tracker import clock
from tracker.audit import record_event
from tracker.errors import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.models import OutboxMessage
from tracker.models.notify import CHANNELS
from tracker.notify import bp, im
from tracker.notify.channels import enabled_channels
from tracker.notify.forms import ResendForm
from tracker.notify.im import url_message
from tracker.web import one_transaction, role_required
from tracker.workflow import Role

logger = logging.getLogger(__name__)

CHANNEL_LABELS = {
    "mail": _l("Mail"),
    "dingtalk": _l("DingTalk work notification"),
    "webhook": _l("Group robot"),
    "sms": _l("SMS"),
}


@dataclass
class ChannelStatus:
    name: str
    label: str
    enabled: bool
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _problems(channel: str, config) -> list[str]:
    if channel == "dingtalk":
        missing = im.DingTalk(config).missing()
        problems = [_("Not set: %(names)s", names=", ".join(missing))] if missing else []
        base = url_message(config.get("DINGTALK_API_BASE"))
        return problems + ([f"DINGTALK_API_BASE: {base}"] if base else [])
    if channel == "sms":
        problem = url_message(config.get("SMS_GATEWAY_URL"))
        return [f"SMS_GATEWAY_URL: {problem}"] if problem else []
    if channel == "webhook" and config.get("NOTIFY_OFFICE_WEBHOOK"):
        problem = url_message(config["NOTIFY_OFFICE_WEBHOOK"])
        return [f"NOTIFY_OFFICE_WEBHOOK: {problem}"] if problem else []
    return []


def channel_status() -> list[ChannelStatus]:
    """Per channel: on or off, what is missing in the settings, rows by state (one query)."""
    config = current_app.config
    try:
        enabled, misconfigured = enabled_channels(config), None
    except RuntimeError as error:  # a typo in NOTIFY_CHANNELS: show it, don't break the page
        enabled, misconfigured = [], str(error)
    counts: dict[str, dict[str, int]] = {}
    for channel, state, count in db.session.execute(
        select(OutboxMessage.channel, OutboxMessage.state, func.count()).group_by(
            OutboxMessage.channel, OutboxMessage.state
        )
    ):
        counts.setdefault(channel, {})[state] = count
    statuses = [
        ChannelStatus(
            name,
            CHANNEL_LABELS[name],
            name in enabled,
            _problems(name, config),
            counts.get(name, {}),
        )
        for name in CHANNELS
    ]
    if misconfigured:
        statuses[0].problems.insert(0, misconfigured)
    return statuses


def queue_test_message(actor, channel: str, now: datetime) -> OutboxMessage:
    """A test message to the admin themself (or the office robot), audited, due now."""
    if getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied("only administrators send test messages")
    targets = {
        "mail": actor.email,
        "dingtalk": actor.dingtalk_user_id,
        "sms": actor.mobile,
        "webhook": "office" if current_app.config.get("NOTIFY_OFFICE_WEBHOOK") else None,
    }
    target = (targets[channel] or "").strip()
    if not target:
        messages = {
            "mail": _("Your account has no email address: add one in your profile first."),
            "dingtalk": _("Your account has no DingTalk user id: add one in your profile first."),
            "sms": _("Your account has no mobile number: add one in your profile first."),
            "webhook": _("NOTIFY_OFFICE_WEBHOOK is not set: there is no group robot to test."),
        }
        raise ValidationFailed(messages[channel])
    problems = [] if channel == "mail" else _problems(channel, current_app.config)
    if problems:
        raise ValidationFailed("; ".join(problems))
    subject = _("[Plan Tracker] Test message (%(channel)s)", channel=CHANNEL_LABELS[channel])
    stamp = now.isoformat(timespec="seconds")
    text = _(
        "Sent by %(name)s at %(when)s UTC to check the channel.",
        name=actor.display_name,
        when=stamp,
    )
    row = OutboxMessage(
        dedupe_key=f"test:{channel}:{actor.id}:{now.isoformat()}",
        kind="test",
        channel=channel,
        to_addrs=[target],
        cc_addrs=[],
        item_codes=[],
        subject=subject,
        body_text=f"**{subject}**\n\n{text}" if channel != "mail" else text,
        body_html=f"<p>{text}</p>" if channel == "mail" else "",
        next_attempt_at=now,
        note=_("test message"),
    )
    db.session.add(row)
    db.session.flush()
    record_event(actor, "outbox.test", row, after={"channel": channel, "to": target})
    db.session.flush()
    return row


@bp.post("/admin/outbox/test/<channel>")
@role_required([Role.ADMIN], event="admin")
def send_test(channel: str):
    from tracker.notify.dispatch import dispatch_pending

    if channel not in CHANNELS:
        abort(404)
    if not ResendForm().validate_on_submit():
        abort(400)
    now = clock.now()
    try:
        with one_transaction():
            row = queue_test_message(current_user, channel, now)
    except ValidationFailed as error:
        flash(str(error), "danger")
        return redirect(url_for("notify.outbox"))
    result = dispatch_pending(now, only=[row.id])
    row = db.session.get(OutboxMessage, row.id)
    if result.sent:
        flash(_("The test message was sent."), "success")
    else:
        flash(
            _("The test message could not be sent: %(error)s", error=row.last_error or ""), "danger"
        )
    return redirect(url_for("notify.message", message_id=row.id))
