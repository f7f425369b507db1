"""Which outbox rows a draft becomes on each channel, their short IM text, and sending them.

Mail keeps the draft's bare dedupe key; the other channels put the channel and the target
in theirs (`dingtalk:<user id>:<key>`), so the one unique index dedupes every channel.
Personal channels (DingTalk, SMS) carry reminders, overdue notices and escalations; group
robots (webhook) carry digests and escalations. The weekly digest always goes by mail.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from tracker.extensions import db
from tracker.models import Department, OutboxMessage, User
from tracker.models.notify import CHANNELS
from tracker.notify import im
from tracker.notify.messages import MessageDraft, shorten

logger = logging.getLogger(__name__)

PERSONAL_KINDS = ("remind", "overdue", "escalate")
ROBOT_KINDS = ("digest", "escalate")
_SHOWN_ITEMS = 5


def enabled_channels(config=None) -> list[str]:
    """NOTIFY_CHANNELS as a list in the canonical order; unknown names are refused."""
    config = config or current_app.config
    value = config.get("NOTIFY_CHANNELS") or "mail"
    names = [part.strip() for part in str(value).split(",") if part.strip()]
    unknown = [name for name in names if name not in CHANNELS]
    if unknown:
        raise RuntimeError(f"unknown NOTIFY_CHANNELS {unknown} (choose from {list(CHANNELS)})")
    return [name for name in CHANNELS if name in names]


@dataclass
class PlannedRow:
    """One outbox row to write: a draft on one channel to one target."""

    draft: MessageDraft
    channel: str
    key: str
    to: list[str]
    cc: list[str]
    note: str | None = None


def channel_key(channel: str, target: str, key: str) -> str:
    if channel == "mail":
        return key
    full = f"{channel}:{target}:{key}"
    if len(full) <= 200:
        return full
    return f"{channel}:{target[:80]}:{hashlib.sha256(key.encode()).hexdigest()}"


def _contacts(drafts: list[MessageDraft]) -> dict[str, tuple[str | None, str | None]]:
    """lower(email) -> (DingTalk user id, mobile) of active users, a query per 500 addresses."""
    emails = sorted({a.lower() for d in drafts for a in d.to + d.cc})
    found: dict[str, tuple[str | None, str | None]] = {}
    for start in range(0, len(emails), 500):
        rows = db.session.execute(
            select(func.lower(User.email), User.dingtalk_user_id, User.mobile).where(
                User.active.is_(True), func.lower(User.email).in_(emails[start : start + 500])
            )
        )
        for email, dingtalk_id, mobile in rows:
            found[email] = ((dingtalk_id or "").strip() or None, (mobile or "").strip() or None)
    return found


def _robots(drafts: list[MessageDraft]) -> dict[int, str]:
    ids = {d.department_id for d in drafts if d.department_id}
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(Department.id, Department.robot_webhook).where(
                Department.id.in_(ids), Department.robot_webhook.is_not(None)
            )
        ).all()
    )


def plan_rows(drafts: list[MessageDraft], channels: list[str] | None = None) -> list[PlannedRow]:
    """Every row the drafts become on the enabled channels (before checking the outbox)."""
    channels = channels if channels is not None else enabled_channels()
    if channels == ["mail"]:
        return [PlannedRow(d, "mail", d.dedupe_key, d.to, d.cc) for d in drafts]
    personal = [c for c in channels if c in ("dingtalk", "sms")]
    contacts = _contacts(drafts) if personal else {}
    robots = _robots(drafts) if "webhook" in channels else {}
    office_robot = bool(current_app.config.get("NOTIFY_OFFICE_WEBHOOK"))
    rows: list[PlannedRow] = []
    for draft in drafts:
        recipients = list(dict.fromkeys(draft.to + draft.cc))
        unreached = recipients
        if draft.kind in PERSONAL_KINDS and personal:
            unreached = []
            for address in recipients:
                dingtalk_id, mobile = contacts.get(address.lower(), (None, None))
                if "dingtalk" in channels and dingtalk_id:
                    key = channel_key("dingtalk", dingtalk_id, draft.dedupe_key)
                    rows.append(PlannedRow(draft, "dingtalk", key, [dingtalk_id], []))
                if "sms" in channels and mobile:
                    key = channel_key("sms", mobile, draft.dedupe_key)
                    rows.append(PlannedRow(draft, "sms", key, [mobile], []))
                if not (("dingtalk" in channels and dingtalk_id) or ("sms" in channels and mobile)):
                    unreached.append(address)
        if "mail" in channels or draft.kind not in PERSONAL_KINDS:
            note = None
            if draft.kind in PERSONAL_KINDS and personal and unreached:
                note = "no DingTalk id / mobile, mail only: " + ", ".join(unreached)
            rows.append(PlannedRow(draft, "mail", draft.dedupe_key, draft.to, draft.cc, note))
        elif unreached:  # mail is off: only those no other channel reaches get mail
            to = [a for a in draft.to if a in unreached]
            cc = [a for a in draft.cc if a in unreached]
            note = "fallback to mail (no DingTalk id / mobile): " + ", ".join(unreached)
            rows.append(
                PlannedRow(draft, "mail", draft.dedupe_key, to or cc, cc if to else [], note)
            )
        if "webhook" in channels and draft.kind in ROBOT_KINDS:
            if draft.department_id and draft.department_id in robots:
                target = f"department:{draft.department_id}"
                rows.append(
                    PlannedRow(
                        draft,
                        "webhook",
                        channel_key("webhook", target, draft.dedupe_key),
                        [target],
                        [],
                    )
                )
            if office_robot and (draft.department_id is None or draft.kind == "escalate"):
                rows.append(
                    PlannedRow(
                        draft,
                        "webhook",
                        channel_key("webhook", "office", draft.dedupe_key),
                        ["office"],
                        [],
                    )
                )
    for row in rows:
        if row.note:
            row.note = row.note[:300]
    return rows


def render_short(draft: MessageDraft) -> str:
    """The IM card: the subject, the first items as links, and a link into the tracker."""
    base = current_app.config["EXTERNAL_URL"].rstrip("/")
    lines = [f"**{draft.subject}**", ""]
    items = draft.context.get("items") or []
    for item in items[:_SHOWN_ITEMS]:
        lines.append(f"- [{item['code']} {shorten(item['title'], 40)}]({item['url']})")
    if len(items) > _SHOWN_ITEMS:
        lines.append(_("… and %(count)s more", count=len(items) - _SHOWN_ITEMS))
    if not items and draft.items:
        lines.append(", ".join(draft.items[:_SHOWN_ITEMS]))
    lines += ["", f"[{_('Open Plan Tracker')}]({base}/)"]
    return "\n".join(lines)


def sms_text(messages: list[OutboxMessage]) -> str:
    """SMS: the subject (or how many notices) and one link; gateways bill per 70 characters."""
    link = f"{current_app.config['EXTERNAL_URL'].rstrip('/')}/"
    if len(messages) == 1:
        return f"{messages[0].subject} {link}"
    return _("[Plan Tracker] %(count)s notices", count=len(messages)) + f" {link}"


def _robot_target(target: str) -> tuple[str | None, str | None]:
    if target == "office":
        config = current_app.config
        return config.get("NOTIFY_OFFICE_WEBHOOK"), config.get("NOTIFY_OFFICE_WEBHOOK_SECRET")
    department = db.session.get(Department, int(target.split(":", 1)[1]))
    return (department.robot_webhook, department.robot_secret) if department else (None, None)


Sent = Callable[[OutboxMessage, str | None, str | None], None]
Failed = Callable[[OutboxMessage, str, bool], None]


def send_rows(messages: list[OutboxMessage], now: datetime, sent: Sent, failed: Failed) -> None:
    """Send claimed non-mail rows; one user's DingTalk rows (and one phone's SMS) fold into one."""
    by_user: dict[str, list[OutboxMessage]] = defaultdict(list)
    by_mobile: dict[str, list[OutboxMessage]] = defaultdict(list)
    for message in messages:
        try:
            if message.channel == "dingtalk":
                by_user[message.to_addrs[0]].append(message)
            elif message.channel == "sms":
                by_mobile[message.to_addrs[0]].append(message)
            elif message.channel == "webhook":
                url, secret = _robot_target(message.to_addrs[0])
                if not url:
                    raise im.ChannelError("the group robot webhook was removed", permanent=True)
                im.robot_send(url, secret, shorten(message.subject, 60), message.body_text)
                sent(message, None, None)
        except im.ChannelError as error:
            failed(message, str(error), error.permanent)
        except Exception as error:  # one bad message must not stop the others
            logger.exception("outbox message %s could not be sent", message.id)
            failed(message, f"{type(error).__name__}: {error}", False)
    for mobile, rows in by_mobile.items():  # one text per phone and dispatch, however many
        try:
            answer = im.sms_send(current_app.config, mobile, sms_text(rows))
        except im.ChannelError as error:
            for row in rows:
                failed(row, str(error), error.permanent)
            continue
        note = f"gateway id {answer}" if answer else None
        if len(rows) > 1:
            note = f"{note or 'sent'}, folded {len(rows)} notices"
        for row in rows:
            sent(row, note, None)
    if by_user:
        _send_dingtalk(by_user, now, sent, failed)


def _send_dingtalk(by_user, now: datetime, sent: Sent, failed: Failed) -> None:
    client = im.DingTalk(current_app.config)
    day_start = im.local_day_start(now)
    for user_id, rows in by_user.items():
        if len(rows) == 1:
            title, text = shorten(rows[0].subject, 60), rows[0].body_text
        else:
            title = _("[Plan Tracker] %(count)s notices", count=len(rows))
            text = "\n\n---\n\n".join(row.body_text for row in rows)
        content_hash = hashlib.sha256(f"{user_id}\n{title}\n{text}".encode()).hexdigest()
        already = db.session.scalar(
            select(
                exists().where(
                    OutboxMessage.channel == "dingtalk",
                    OutboxMessage.state == "sent",
                    OutboxMessage.content_hash == content_hash,
                    OutboxMessage.sent_at >= day_start,
                )
            )
        )
        if already:  # DingTalk drops the same content to the same user within a day anyway
            for row in rows:
                sent(row, "the same content already reached this user today", content_hash)
            continue
        try:
            task_id = client.send([user_id], title, text)
        except im.ChannelError as error:
            for row in rows:
                failed(row, str(error), error.permanent)
            continue
        note = f"task {task_id}" + (f", folded {len(rows)} notices" if len(rows) > 1 else "")
        for row in rows:
            sent(row, note, content_hash)
