"""The outbox of messages to send (mail, DingTalk, group robots, SMS) and in-app notices."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker import clock
from tracker.extensions import db

CHANNELS = ("mail", "dingtalk", "webhook", "sms")


class OutboxMessage(db.Model):
    """One message on one channel, written in the same transaction as the decision to send it.

    The unique dedupe key is what makes re-runs, restarts and two schedulers safe; rows of
    the other channels carry the channel in their key (`dingtalk:…`), mail keys are bare.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sent', 'failed')", name="state"),
        CheckConstraint("channel IN ('mail', 'dingtalk', 'webhook', 'sms')", name="channel"),
        Index("ix_outbox_message_state_next", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    channel: Mapped[str] = mapped_column(String(10), default="mail", index=True)
    to_addrs: Mapped[list] = mapped_column(db.JSON, default=list)
    cc_addrs: Mapped[list] = mapped_column(db.JSON, default=list)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    item_codes: Mapped[list] = mapped_column(db.JSON, default=list)
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column()
    # Why the row exists or what happened besides the error (a fallback to mail, a fold).
    note: Mapped[str | None] = mapped_column(String(300))
    # DingTalk: hash of (user, delivered text), so the same content reaches a user once a day.
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)


class Notice(db.Model):
    """An in-app notice ("your report was returned"), queued by the same service call."""

    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    # Message key and parameters; the text is rendered in the reader's language.
    params: Mapped[dict] = mapped_column(db.JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    read_at: Mapped[datetime | None] = mapped_column()


class SchedulerRun(db.Model):
    """When each job last ran, for the admin page and to show the scheduler is alive."""

    __tablename__ = "scheduler_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(40), index=True)
    started_at: Mapped[datetime] = mapped_column(default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str] = mapped_column(String(20), default="running")
    detail: Mapped[str | None] = mapped_column(Text)


class DigestLight(db.Model):
    """The schedule light (序时进度) each open item had when a week's digest was planned.

    The next week's digest compares today's lights with these rows to list the items that
    newly turned yellow or red. Written set-based by the digest job, in the transaction that
    queues the digest; only this week's and the previous digest's rows are kept.
    """

    __tablename__ = "digest_light"
    __table_args__ = (
        CheckConstraint("light IN ('green', 'yellow', 'red', 'grey', 'done')", name="light"),
    )

    item_id: Mapped[int] = mapped_column(
        ForeignKey("work_item.id", ondelete="CASCADE"), primary_key=True
    )
    week: Mapped[date] = mapped_column(primary_key=True, index=True)
    light: Mapped[str] = mapped_column(String(8))
