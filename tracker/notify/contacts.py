"""Checking what users and departments enter for the channels beside mail."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from tracker.errors import ValidationFailed
from tracker.notify.im import url_message

_MOBILE = re.compile(r"^\+?[0-9]{6,20}$")
_DINGTALK_ID = re.compile(r"^[A-Za-z0-9_\-.@$]{1,64}$")


def clean_contacts(
    dingtalk_user_id: str | None, mobile: str | None
) -> tuple[str | None, str | None]:
    """The DingTalk user id and mobile number as stored (None when empty), or field errors."""
    dingtalk_user_id = (dingtalk_user_id or "").strip() or None
    mobile = re.sub(r"[\s-]", "", mobile or "") or None
    errors = {}
    if dingtalk_user_id and not _DINGTALK_ID.match(dingtalk_user_id):
        errors["dingtalk_user_id"] = _(
            "A DingTalk user id is up to 64 letters, digits and _ - . @ $ (no spaces)."
        )
    if mobile and not _MOBILE.match(mobile):
        errors["mobile"] = _("A mobile number is 6 to 20 digits, optionally starting with +.")
    if errors:
        raise ValidationFailed(errors)
    return dingtalk_user_id, mobile


def clean_robot(webhook: str | None, secret: str | None) -> tuple[str | None, str | None]:
    """A group robot's webhook (https only) and its signing secret; no webhook, no secret."""
    webhook = (webhook or "").strip() or None
    secret = (secret or "").strip() or None
    if webhook is None:
        return None, None
    problem = url_message(webhook)
    if problem or len(webhook) > 500:
        raise ValidationFailed({"robot_webhook": problem or _("The URL is too long.")})
    if secret and len(secret) > 200:
        raise ValidationFailed({"robot_secret": _("The secret is too long.")})
    return webhook, secret
