"""Throttling password guesses by their source, never by locking the account.

A *source* is one username (whether it exists or not) tried from one client address, or
one logged-in user's password changes. Each failed password check of a source is counted in
the database (`login_throttle`, shared by every worker). The first `free` failures cost
nothing; each later one makes the source wait `base · 2ⁿ` seconds (n = 0, 1, 2, …), at most
`cap`. While it waits, every attempt from the source — the right password included — is
answered 429 without checking anything. A success clears the source; a source quiet for a
day is forgotten.

Why not lock the account (as before): ten wrong passwords from anywhere locked it for 15
minutes even against its owner, and unknown names were never locked, so the difference
told a stranger which usernames exist. Now the answer depends only on what the source did:
known and unknown names are answered alike, and a stranger's failures slow the stranger
down, not the owner logging in from another address.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import request
from sqlalchemy import delete, select, update

from tracker.extensions import db, upsert_insert
from tracker.models import LoginThrottle

logger = logging.getLogger(__name__)

FORGET_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class Rule:
    free: int  # failures that cost nothing
    base_seconds: int  # the first wait; each further failure doubles it
    cap_seconds: int  # the longest wait

    @classmethod
    def from_config(cls, config) -> Rule:
        return cls(
            free=max(0, int(config["LOGIN_MAX_FAILURES"])),
            base_seconds=max(1, int(config.get("LOGIN_DELAY_SECONDS", 2))),
            cap_seconds=max(1, int(config["LOGIN_LOCK_MINUTES"]) * 60),
        )

    def wait_after(self, failures: int) -> int:
        """Seconds a source waits after its `failures`-th failure in a row."""
        beyond = failures - self.free
        if beyond <= 0:
            return 0
        return min(self.cap_seconds, self.base_seconds * 2 ** min(beyond - 1, 30))


def client_address() -> str:
    """The client's address as the app sees it (X-Forwarded-For only through ProxyFix,
    i.e. only from the proxies TRUSTED_PROXIES says are in front)."""
    return (request.remote_addr if request else None) or "-"


def login_source(username: str, address: str) -> str:
    return _key("login", username.strip().casefold(), address)


def password_source(user_id: int) -> str:
    """Password changes are counted per user: only holders of that user's session can
    try, so counting per address would let a stolen cookie guess from many addresses."""
    return _key("password", str(user_id), "")


def _key(purpose: str, name: str, address: str) -> str:
    # Hashed: the table holds no usernames and no addresses, and every key has one length.
    return hashlib.sha256(f"{purpose}\0{name}\0{address}".encode()).hexdigest()


def seconds_to_wait(key: str, now: datetime) -> int:
    """0 when the source may try now, else the whole seconds left of its wait."""
    until = db.session.scalar(select(LoginThrottle.blocked_until).where(LoginThrottle.key == key))
    if until is None or until <= now:
        return 0
    return max(1, int((until - now).total_seconds() + 0.999))


def record_failure(key: str, rule: Rule, now: datetime) -> int:
    """Count one failure of the source (one atomic upsert, so two workers never lose a
    count) and start its wait; returns the wait in seconds (0 while still free)."""
    db.session.execute(
        delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER)
    )
    insert = upsert_insert(LoginThrottle, "log-in throttling").values(
        key=key, failures=1, last_failure_at=now
    )
    failures = db.session.scalar(
        insert.on_conflict_do_update(
            index_elements=["key"],
            set_={"failures": LoginThrottle.failures + 1, "last_failure_at": now},
        ).returning(LoginThrottle.failures)
    )
    wait = rule.wait_after(failures or 1)
    if wait:
        db.session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(blocked_until=now + timedelta(seconds=wait))
        )
    return wait


def clear(key: str) -> None:
    """A right password: the source starts afresh."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
