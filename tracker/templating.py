"""Template globals and filters: permissions, labels and dates in the reader's language."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from babel import dates as babel_dates
from flask import g, request, url_for
from flask_babel import (
    format_date,
    format_datetime,
    format_percent,
)
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from tracker.i18n import locale_name

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "office": _l("Leading-group office"),
    "liaison": _l("Department liaison"),
    "leader": _l("Leader"),
    "approver": _l("Department approver"),
}
STATE_LABELS = {
    "draft": _l("Draft"),
    "pending_approval": _l("Awaiting sign-off"),
    "submitted": _l("Submitted"),
    "returned": _l("Returned"),
    "verified": _l("Verified"),
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
    "pending": _l("Pending"),
    "approved": _l("Approved"),
    "refused": _l("Refused"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "active": _l("Active"),
    "archived": _l("Archived"),
}
STATE_BADGES = {
    "draft": "secondary",
    "pending_approval": "warning",
    "submitted": "primary",
    "returned": "danger",
    "verified": "success",
    "not_started": "secondary",
    "in_progress": "info",
    "completed": "success",
    "pending": "warning",
    "approved": "success",
    "refused": "danger",
    "sent": "success",
    "failed": "danger",
}
KIND_LABELS = {
    "chapter": _l("Chapter"),
    "section": _l("Section"),
    "task": _l("Task"),
    "item": _l("Item"),
    "column": _l("Special column"),
}


def badge_html(colour: str, text) -> Markup:
    """A Bootstrap badge: the one place its markup is written for the badge helpers."""
    return Markup('<span class="badge text-bg-{}">{}</span>').format(colour, text)


def state_badge(state: str | None) -> Markup:
    """A coloured badge with the state's translated name."""
    if not state:
        return Markup("")
    # Once per request, locale and state: report tables ask for the same few on every row.
    cache = g.setdefault("_state_badges", {})
    key = (locale_name(), state)
    found = cache.get(key)
    if found is None:
        found = badge_html(STATE_BADGES.get(state, "secondary"), STATE_LABELS.get(state, state))
        cache[key] = found
    return found


def local_date(value: date | datetime | None, fmt: str = "medium") -> str:
    """A day in the reader's language. Formatted once per request, format and locale: list
    pages show the same few due dates on many rows (Babel ~30 µs a date)."""
    if value is None:
        return "—"
    if type(value) is date:
        return _format_day(value, fmt, locale_name())
    cache = g.setdefault("_local_dates", {})
    key = (value, fmt, locale_name())
    found = cache.get(key)
    if found is None:
        found = cache[key] = format_date(value, fmt)
    return found


@lru_cache(maxsize=4096)
def _format_day(day: date, fmt: str, locale: str) -> str:
    """A calendar day in one language, kept for the process: the same day always reads the
    same, and a page of 25 items formats about 20 different due dates (~0.6 ms a request).
    (An instant is not kept here: it depends on the reader's time zone.)"""
    return babel_dates.format_date(day, fmt, locale=locale)


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """Stored instants are naive UTC; Flask-Babel converts them to Asia/Shanghai."""
    if value is None:
        return "—"
    return format_datetime(value, fmt)


def url_with(**changes) -> str:
    """The current page's URL with some query arguments changed (for filters and paging)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    for key in [k for k, v in changes.items() if v is None]:
        args.pop(key, None)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def percent(value, fmt=None) -> str:
    """Flask-Babel's format_percent, made once per request, locale and value: a dashboard
    formats ~500 rates, most of them the same few (each ~20 µs)."""
    cache = g.setdefault("_percents", {})
    key = (locale_name(), value, fmt)
    found = cache.get(key)
    if found is None:
        found = cache[key] = format_percent(value, fmt)
    return found
