"""Admin actions on the outbox: put failed messages back in the queue."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from tracker.audit import record_event
from tracker.errors import InvalidTransition, PermissionDenied
from tracker.extensions import db
from tracker.models import OutboxMessage
from tracker.workflow import Role

logger = logging.getLogger(__name__)


def _require_admin(actor) -> None:
    if getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied("only administrators manage the outbox")


def resend_message(actor, message: OutboxMessage, now: datetime) -> None:
    """A failed message goes back to pending with a fresh attempt count; sent ones stay sent."""
    _require_admin(actor)
    if message.state != "failed":
        raise InvalidTransition("only failed messages can be sent again")
    before = {"state": message.state, "attempts": message.attempts}
    # Guarded by state, so two admins pressing the button requeue it once.
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.state == "failed")
        .values(state="pending", attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise InvalidTransition("the message is no longer failed")
    record_event(
        actor,
        "outbox.resend",
        message,
        before=before,
        after={"state": "pending", "attempts": 0},
        comment=message.dedupe_key,
    )
    db.session.flush()


def resend_all_failed(actor, now: datetime) -> int:
    """Requeue every failed message (after the relay is fixed); returns how many."""
    _require_admin(actor)
    ids = list(db.session.scalars(select(OutboxMessage.id).where(OutboxMessage.state == "failed")))
    if not ids:
        return 0
    changed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.state == "failed")
        .values(state="pending", attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    record_event(actor, "outbox.resend_all", None, after={"count": changed, "ids": ids[:500]})
    db.session.flush()
    return changed
