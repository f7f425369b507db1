"""The dispatcher: claim due outbox rows, send them, record sent / retry later / failed.

Mail rows go through the mail transport; DingTalk, robot and SMS rows through
`channels.send_rows`, with the same claim, backoff and failure bookkeeping.

Claiming is one UPDATE … RETURNING that moves each row's `next_attempt_at` past a lease and
counts the attempt, guarded by "still pending and due". On PostgreSQL the inner SELECT
skips rows another dispatcher has locked (FOR UPDATE SKIP LOCKED) and the outer condition
is re-checked after any wait, so two dispatchers never get the same row; SQLite serialises
writers. A dispatcher that dies mid-batch leaves its rows pending: they come due again when
the lease ends, so nothing is lost (a message sent just before such a crash could go out a
second time; the Message-ID is stable, so mail clients still show it once).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from tracker import clock
from tracker.extensions import db
from tracker.models import OutboxMessage
from tracker.notify.channels import send_rows
from tracker.notify.rendering import build_email, recipients
from tracker.notify.transports import TransportUnavailable, get_transport

logger = logging.getLogger(__name__)

# Longer than a whole batch can take (batch size x SMTP timeout), so a slow batch is never
# claimed twice.
CLAIM_LEASE = timedelta(minutes=30)
BATCH_SIZE = 50
MAX_BACKOFF = timedelta(hours=6)
IDLE_DISPATCH = "sent 0, retrying 0, failed 0"


@dataclass
class DispatchResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"sent {self.sent}, retrying {self.retrying}, failed {self.failed}"

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed

    def add(self, other: DispatchResult) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.errors.extend(other.errors)


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: base x 3^(attempts-1), at most six hours.

    With the defaults (2 minutes, 5 attempts) a message is retried after 2, 6, 18 and 54
    minutes, so a relay outage of more than an hour and a half ends up on the admin page.
    """
    base = int(current_app.config.get("MAIL_RETRY_BASE_SECONDS", 120))
    return min(timedelta(seconds=base * 3 ** max(0, attempts - 1)), MAX_BACKOFF)


def claim_due(now: datetime, limit: int = BATCH_SIZE, only: list[int] | None = None) -> list[int]:
    """Claim up to `limit` due pending rows (of `only`, if given) and commit the claim."""
    due = (
        select(OutboxMessage.id)
        .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if only is not None:
        due = due.where(OutboxMessage.id.in_(only))
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    statement = (
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(due.scalar_subquery()),
            OutboxMessage.state == "pending",
            OutboxMessage.next_attempt_at <= now,
        )
        .values(
            next_attempt_at=now + CLAIM_LEASE,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    ids = sorted(db.session.scalars(statement))
    db.session.commit()
    return ids


def _finish(message_id: int, **values) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == "pending")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _record_failure(
    message: OutboxMessage, error: str, now: datetime, result, permanent: bool = False
) -> None:
    max_attempts = int(current_app.config.get("MAIL_MAX_ATTEMPTS", 5))
    error = error[:2000]
    if message.attempts >= max_attempts or permanent:
        _finish(message.id, state="failed", last_error=error, next_attempt_at=now)
        result.failed += 1
        logger.error(
            "outbox message %s failed for good after %d attempts: %s",
            message.id,
            message.attempts,
            error,
        )
    else:
        retry_at = now + backoff(message.attempts)
        _finish(message.id, last_error=error, next_attempt_at=retry_at)
        result.retrying += 1
        logger.warning(
            "outbox message %s attempt %d failed, retrying at %s UTC: %s",
            message.id,
            message.attempts,
            retry_at.isoformat(timespec="seconds"),
            error,
        )


def _send_other_channels(messages: list[OutboxMessage], now: datetime, result) -> None:
    def sent(message, note, content_hash):
        _finish(
            message.id,
            state="sent",
            sent_at=clock.now(),
            last_error=None,
            note=note or message.note,
            content_hash=content_hash,
        )
        result.sent += 1

    def failed(message, error, permanent):
        _record_failure(message, error, now, result, permanent)

    send_rows(messages, now, sent, failed)


def dispatch_pending(
    now: datetime | None = None, *, limit: int = BATCH_SIZE, only: list[int] | None = None
) -> DispatchResult:
    """Send what is due; each row ends sent, pending with a later attempt, or failed."""
    now = now or clock.now()
    result = DispatchResult()
    ids = claim_due(now, limit, only)
    if not ids:
        return result
    loaded = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
    ).all()
    for message in loaded:  # keep their loaded values through the per-row commits below
        db.session.expunge(message)
    messages = [m for m in loaded if m.channel == "mail"]
    others = [m for m in loaded if m.channel != "mail"]
    if others:
        _send_other_channels(others, now, result)
    if not messages:
        db.session.expire_all()
        return result
    transport = get_transport(current_app)
    unavailable: str | None = None
    try:
        transport.open()
    except TransportUnavailable as error:
        unavailable = str(error)
    for message in messages:
        if unavailable:
            _record_failure(message, unavailable, now, result)
            continue
        try:
            email = build_email(message)
            note = transport.send(
                email, recipients(message), f"{now:%Y%m%d-%H%M%S}-{message.id:06d}-{message.kind}"
            )
        except TransportUnavailable as error:
            unavailable = str(error)
            _record_failure(message, unavailable, now, result)
        except Exception as error:  # one bad message must not stop the others
            logger.exception("outbox message %s could not be sent", message.id)
            _record_failure(message, f"{type(error).__name__}: {error}", now, result)
        else:
            _finish(message.id, state="sent", sent_at=clock.now(), last_error=note)
            result.sent += 1
    transport.close()
    if unavailable:
        result.errors.append(unavailable)
    db.session.expire_all()
    return result


def dispatch_all(budget_seconds: float | None = None) -> DispatchResult:
    """Batch after batch until nothing is due, the relay is unavailable or time is up.

    The scheduler passes a budget shorter than its interval, so a backlog (the first run
    after an outage) drains over several runs without one overlapping the next.
    """
    total = DispatchResult()
    started = time.monotonic()
    while True:
        result = dispatch_pending()
        total.add(result)
        if not result.handled or result.errors:
            return total
        if budget_seconds is not None and time.monotonic() - started > budget_seconds:
            return total
