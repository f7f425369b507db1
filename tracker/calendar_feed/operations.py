"""Issuing and revoking a user's calendar feed token; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import logging
import secrets

from sqlalchemy import select

from tracker.audit import record_event
from tracker.extensions import db
from tracker.models import User

logger = logging.getLogger(__name__)

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_feed_token(actor: User) -> str:
    """A new secret for `actor`'s feed; the previous URL stops working. Shown once."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    had_one = actor.calendar_token_hash is not None
    actor.calendar_token_hash = token_hash(token)
    record_event(actor, "calendar.token_regenerated" if had_one else "calendar.token_issued", actor)
    db.session.flush()
    return token


def revoke_feed_token(actor: User) -> None:
    if actor.calendar_token_hash is None:
        return
    actor.calendar_token_hash = None
    record_event(actor, "calendar.token_revoked", actor)
    db.session.flush()


def user_for_token(token: str) -> User | None:
    """The active user whose feed this token opens, or None (unknown, revoked, inactive)."""
    if not token or len(token) > 128:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token_hash == token_hash(token)))
    if user is None or not user.active:
        return None
    return user
