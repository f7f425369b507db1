"""Personal API tokens: create (shown once), revoke, and resolve a presented token."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from tracker import clock
from tracker.audit import record_event
from tracker.errors import NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.models import ApiToken, User
from tracker.workflow import Role

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "pt_"  # noqa: S105 (a recognisable prefix, not a secret)
# token_urlsafe(32) gives 43 characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 100
MAX_NAME = 100
MAX_EXPIRY_DAYS = 3650
# Writing last_used_at on every call would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_owner(actor, user: User) -> None:
    """A user manages their own tokens; an administrator may manage anyone's."""
    if actor is not None and actor.id != user.id and actor.role != Role.ADMIN.value:
        raise PermissionDenied(_("You may not do this."))


def create_token(
    actor,
    user: User,
    *,
    name: str = "",
    expires_in_days: int | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token text, which is never stored."""
    now = now or clock.now()
    _check_owner(actor, user)
    name = (name or "").strip()
    errors = {}
    if len(name) > MAX_NAME:
        errors["name"] = _("Use at most %(n)s characters.", n=MAX_NAME)
    if "\x00" in name:
        errors["name"] = _("The text contains characters that are not allowed.")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        errors["expires_in_days"] = _(
            "Choose between %(low)s and %(high)s days.", low=1, high=MAX_EXPIRY_DAYS
        )
    if not user.active:
        errors["user"] = _("The account is deactivated.")
    if errors:
        raise ValidationFailed(errors)
    text = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(text),
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        actor,
        "api_token.created",
        token,
        after={
            "user_id": user.id,
            "name": name,
            "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        },
    )
    db.session.flush()
    return token, text


def revoke_token(actor, token: ApiToken, *, now: datetime | None = None) -> ApiToken:
    """Stop a token from working; revoking twice changes nothing."""
    now = now or clock.now()
    _check_owner(actor, token.user)
    if token.revoked_at is not None:
        return token
    token.revoked_at = now
    record_event(
        actor,
        "api_token.revoked",
        token,
        before={"revoked_at": None},
        after={"user_id": token.user_id, "revoked_at": now.isoformat()},
    )
    db.session.flush()
    return token


def load_own_token(actor, token_id: int) -> ApiToken:
    """One of the actor's tokens (admins: anyone's), else NotFound."""
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None or (token.user_id != actor.id and actor.role != Role.ADMIN.value):
        raise NotFound()
    return token


def user_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
        )
    )


def token_state(token: ApiToken, now: datetime) -> str:
    """active / expired / revoked, for the profile page."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


def resolve_token(text: str, *, now: datetime | None = None) -> tuple[ApiToken | None, str]:
    """(token, "ok") for a usable token, else (token or None, why it was refused).

    A revoked or expired token, or one of a deactivated user, does not authenticate.
    """
    now = now or clock.now()
    if not text.startswith(TOKEN_PREFIX) or len(text) > MAX_TOKEN_LENGTH:
        return None, "malformed"
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(text))
        .options(joinedload(ApiToken.user))
    )
    if token is None:
        return None, "unknown"
    if token.revoked_at is not None:
        return token, "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return token, "expired"
    if not token.user.active:
        return token, "inactive_user"
    return token, "ok"


def touch_token(token: ApiToken, now: datetime) -> bool:
    """Record the use at most once a minute; True when a row was written."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return False
    result = db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at <= now - LAST_USED_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
