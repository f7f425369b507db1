"""Locale and timezone selection: Chinese first, English one click away."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations
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


# ---------------------------------------------------------------- translations, fast

# Flask-Babel (pinned in requirements.txt) keeps the request's locale in `g._flask_babel`.
# Its get_translations() reaches the translations through about ten context-local lookups
# each time; a page asks ~70 times (~0.4 ms). The templates' `_()` asks `translations()`
# instead, which keeps them beside the locale they were read for: a locale forced or
# refreshed during the request is a different object, so they are read again.


def _kept_for_locale(name: str, make, fallback):
    """`make(locale)` kept in Flask-Babel's request state beside the locale object it was
    made for; `fallback()` outside a request or before the locale is chosen."""
    app_context = _cv_app.get(None)
    state = app_context.g.__dict__.get("_flask_babel") if app_context is not None else None
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return fallback()
    kept = getattr(state, name, None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    found = make(locale)
    setattr(state, name, (locale, found))
    return found


def translations():
    """This request's gettext translations (Flask-Babel's, kept for its locale)."""
    return _kept_for_locale(
        "tracker_translations", lambda _locale: get_translations(), get_translations
    )


def install_template_gettext(app) -> None:
    """The templates' `_()`, `ngettext()`, `pgettext()` through `translations()`."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


def locale_name() -> str:
    """This request's locale as text ('zh_Hans_CN', 'en'): the per-request caches of badges,
    dates and cells are keyed by it (str(get_locale()) walks the same lookups)."""
    return _kept_for_locale("tracker_locale_name", str, lambda: str(get_locale()))
