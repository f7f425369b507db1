"""Template helpers of the items and review pages: labels, badges, the due-date state."""

from __future__ import annotations

from datetime import date

from flask import g
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from tracker.item_predicates import due_soon_days, is_due_soon
from tracker.templating import STATE_BADGES, STATE_LABELS, badge_html

EXTRA_LABELS = {
    "retired": _l("Retired"),
    "missing": _l("No report yet"),
    "open": _l("Open"),
    "overdue": _l("Overdue"),
}
PRIORITY_LABELS = {1: _l("High"), 2: _l("Normal"), 3: _l("Low")}
EVENT_LABELS = {
    "item.created": _l("Item created"),
    "item.updated": _l("Item edited"),
    "item.assigned": _l("Owners set"),
    "item.retired": _l("Item retired"),
    "item.reopened": _l("Item reopened"),
    "item.split": _l("Item split"),
    "item.split_from": _l("Created by a split"),
    "item.merged": _l("Items merged into this one"),
    "item.completed": _l("Item completed (销号)"),
    "item.progress": _l("Verified progress updated"),
    "report.created": _l("Report started"),
    "report.saved": _l("Report draft saved"),
    "report.submitted": _l("Report submitted"),
    "report.verified": _l("Report verified"),
    "report.returned": _l("Report returned"),
    "report.approved": _l("Report signed off by the department head"),
    "item.acknowledged": _l("Assignment acknowledged (签收)"),
    "item.reassignment_requested": _l("Change of lead department requested"),
    "item.reassignment_decided": _l("Change of lead department decided"),
    "instruction.written": _l("Leader instruction (批示)"),
    "instruction.answered": _l("Instruction answered (落实情况)"),
    "evidence.added": _l("Evidence added"),
    "evidence.removed": _l("Evidence removed"),
    "contribution.added": _l("Contribution added"),
    "extension.requested": _l("Extension requested"),
    "extension.approved": _l("Extension approved"),
    "extension.refused": _l("Extension refused"),
    "letter.issued": _l("Supervision letter issued"),
    "letter.replied": _l("Supervision letter answered"),
    "letter.closed": _l("Supervision letter closed (办结)"),
    "letter.escalated": _l("Supervision letter escalated"),
    "letter.cancelled": _l("Supervision letter cancelled"),
}


def label(key: str | None) -> str:
    if key is None:
        return ""
    if key.isdigit():  # a deadline window of the item list: due within N days
        return _("Due in %(days)s days", days=int(key))
    if key == "later":
        return _("On schedule (not overdue, not due within %(days)s days)", days=due_soon_days())
    return str(EXTRA_LABELS.get(key) or STATE_LABELS.get(key) or key)


def badge(key: str | None, colour: str | None = None) -> Markup:
    if not key:
        return Markup("")
    # Made once per request, locale and key: a list page asks for the same few badges on
    # every row (translating and formatting each cost ~12 µs, a millisecond per page).
    cache = g.setdefault("_item_badges", {})
    cache_key = (str(get_locale()), key, colour)
    found = cache.get(cache_key)
    if found is None:
        found = badge_html(colour or STATE_BADGES.get(key, "secondary"), label(key))
        cache[cache_key] = found
    return found


def status_badge(item) -> Markup:
    """Completed / in progress / not started, or retired."""
    if item.retired_at is not None:
        return badge("retired", "dark")
    return badge(item.status)


def review_badge(state: str | None, *, open_item: bool = True) -> Markup:
    """The focus-period report's state; "no report yet" only matters for open items."""
    if state:
        return badge(state)
    return badge("missing", "light text-dark border") if open_item else Markup("")


def due_state(item, today: date) -> str | None:
    """Overdue or soon, for an open item's due date (the due_cell macro colours it)."""
    if item.due_date is None or item.is_closed:
        return None
    if item.due_date < today:
        return "overdue"
    if is_due_soon(item, today):
        return "soon"
    return None


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"
