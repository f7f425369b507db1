"""Tidying free text from forms and the API before it is stored."""

from __future__ import annotations

from flask_babel import gettext as _

from tracker.errors import ValidationFailed

MAX_TEXT = 20000


def clean_text(value, limit: int = MAX_TEXT) -> str:
    """Unix line ends, no surrounding blanks, at most `limit` characters."""
    return (value or "").replace("\r\n", "\n").strip()[:limit]


def required_reason(value, limit: int, message: str | None = None) -> str:
    """A reason the action cannot go without, tidied; blank is ValidationFailed on `reason`
    (`message`, else "Give a reason.")."""
    reason = clean_text(value, limit)
    if not reason:
        raise ValidationFailed({"reason": message or _("Give a reason.")})
    return reason
