"""Locale and timezone selection: Chinese first, English one click away."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user

SUPPORTED_LOCALES = ("zh_Hans_CN", "en")


def normalise_locale(value: str | None) -> str | None:
    """Map what a user or browser sends ('en-US', 'zh', 'zh_Hans_CN') to a supported locale."""
    if not value:
        return None
    value = value.replace("-", "_")
    if value in SUPPORTED_LOCALES:
        return value
    if value.lower().startswith("zh"):
        return "zh_Hans_CN"
    if value.lower().startswith("en"):
        return "en"
    return None


def select_locale() -> str:
    """The user's saved choice, then the session's, then Chinese (the product's default).

    Outside a request (CLI commands, scheduled jobs) it is the default locale.
    """
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.args.get("lang"):
        chosen = normalise_locale(request.args.get("lang"))
        if chosen:
            return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        chosen = normalise_locale(current_user.locale)
        if chosen:
            return chosen
    chosen = normalise_locale(session.get("locale"))
    return chosen or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["TIMEZONE"]
