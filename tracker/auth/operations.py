"""Authentication operations: checking a password with throttling, logging out, passwords."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.audit import record_event
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.models import User, utcnow

# A hash to compare against when the user does not exist, so timing does not tell.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    outcome: str  # ok | bad_credentials | locked | inactive


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
    max_failures: int,
    lock_minutes: int,
    now: datetime | None = None,
) -> LoginResult:
    """Check credentials; count failures in the database so every worker shares the lock."""
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return LoginResult(None, "bad_credentials")
    if user.locked_until and user.locked_until > now:
        return LoginResult(user, "locked")
    if not check_password_hash(user.password_hash or _DUMMY_HASH, password):
        _count_failure(user, max_failures, lock_minutes, now)
        return LoginResult(user, "bad_credentials")
    if not user.active:
        return LoginResult(user, "inactive")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return LoginResult(user, "ok")


def _count_failure(user: User, max_failures: int, lock_minutes: int, now: datetime) -> None:
    # One UPDATE increments atomically, so two workers cannot both read the old count.
    db.session.execute(
        update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
    )
    db.session.refresh(user)
    if user.failed_logins >= max_failures:
        user.locked_until = now + timedelta(minutes=lock_minutes)
        user.failed_logins = 0


def end_all_sessions(user: User) -> None:
    """Invalidate every cookie issued to this user so far (log-out, password change)."""
    user.session_generation = (user.session_generation or 0) + 1


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current):
        raise ValidationFailed({"current_password": _("The current password is wrong.")})
    if current == new:
        raise ValidationFailed(
            {"new_password": _("Choose a password different from the current one.")}
        )
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_all_sessions(user)
    record_event(user, "user.password_changed", user, comment=None)
