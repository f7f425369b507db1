"""Authentication operations: checking a password with throttling, logging out, passwords."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from tracker import clock
from tracker.audit import record_event
from tracker.auth.throttle import (
    Rule,
    clear,
    login_source,
    password_source,
    record_failure,
    seconds_to_wait,
)
from tracker.errors import DomainError, ValidationFailed
from tracker.extensions import db
from tracker.models import User

# A hash to compare against when the user does not exist, so timing does not tell.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    outcome: str  # ok | bad_credentials | throttled | inactive
    wait_seconds: int = 0  # how long a throttled source waits


def hash_password(password: str) -> str:
    """A slow, salted KDF (scrypt via Werkzeug): equal passwords give different hashes."""
    return generate_password_hash(password)


def generate_password() -> str:
    """A random password that is easy to read out loud (no look-alike characters)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def authenticate(
    username: str,
    password: str,
    *,
    address: str,
    rule: Rule,
    now: datetime | None = None,
) -> LoginResult:
    """Check credentials, throttling the source (username × client address) in the
    database. A known and an unknown username are answered alike — same outcome, same
    hash work, failures counted for both — so the answer tells no one which names exist."""
    now = now or clock.now()
    source = login_source(username, address)
    wait = seconds_to_wait(source, now)
    if wait:
        return LoginResult(None, "throttled", wait)
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    if not check_password_hash(stored, password) or user is None:
        return LoginResult(None, "bad_credentials", record_failure(source, rule, now))
    clear(source)
    if not user.active:
        return LoginResult(user, "inactive")
    user.last_login_at = now
    return LoginResult(user, "ok")


def end_all_sessions(user: User) -> None:
    """Invalidate every cookie issued to this user so far (log-out, password change)."""
    user.session_generation = (user.session_generation or 0) + 1


class PasswordThrottled(DomainError):
    status = 429
    code = "too_many_requests"


def change_password(
    user: User, current: str, new: str, *, rule: Rule, now: datetime | None = None
) -> None:
    """Wrong current passwords are counted and throttled like log-in failures (per user:
    only a holder of the user's session can try), so a stolen session cannot guess it."""
    now = now or clock.now()
    source = password_source(user.id)
    wait = seconds_to_wait(source, now)
    if wait:
        raise PasswordThrottled(throttled_message(wait), wait_seconds=wait)
    if not check_password_hash(user.password_hash, current):
        record_failure(source, rule, now)
        raise ValidationFailed({"current_password": _("The current password is wrong.")})
    if current == new:
        raise ValidationFailed(
            {"new_password": _("Choose a password different from the current one.")}
        )
    clear(source)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_all_sessions(user)
    record_event(user, "user.password_changed", user, comment=None)


def throttled_message(wait_seconds: int) -> str:
    """The one answer to a throttled source, whoever it claims to be."""
    return _(
        "Too many failed attempts. Wait %(seconds)s seconds and try again.",
        seconds=wait_seconds,
    )
