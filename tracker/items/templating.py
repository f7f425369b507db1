"""Template helpers of the items and review pages: labels, badges, the due-date state."""

from __future__ import annotations

from datetime import date

from flask import g, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from tracker.i18n import locale_name
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


# 序时进度 badge texts (tracker/items/cells.py): the class of a lag, else the light.
SCHEDULE_CLASS_LABELS = {
    "ahead": _l("Ahead of schedule"),
    "on_track": _l("Meets the schedule"),
    "behind": _l("Behind schedule"),
}
LIGHT_LABELS = {
    "green": _l("On pace"),
    "yellow": _l("Behind"),
    "red": _l("Far behind"),
    "grey": _l("Not yet judged"),
    "done": _l("Done"),
}


_SENTINEL = 987654321


def path_parts(endpoint: str, arg: str) -> tuple[str, str]:
    """What url_for(endpoint, **{arg: value}) puts before and after the value, built once
    per request: the item table links every row two or three times (url_for ~10 µs each)."""
    cache = g.setdefault("_paths", {})
    parts = cache.get(endpoint)
    if parts is None:
        before, after = url_for(endpoint, **{arg: _SENTINEL}).rsplit(str(_SENTINEL), 1)
        parts = cache[endpoint] = (before, after)
    return parts


def _path_of(endpoint: str, arg: str, value: int) -> str:
    before, after = path_parts(endpoint, arg)
    return f"{before}{value}{after}"


def item_path(item_id: int) -> str:
    return _path_of("items.detail", "item_id", item_id)


def report_path(report_id: int) -> str:
    return _path_of("review.report", "report_id", report_id)


def schedule_labels() -> dict:
    """{"klass": {…}, "light": {…}} translated once per request and locale: the item table's
    schedule badge asked for eight translations on every row."""
    cache = g.setdefault("_schedule_labels", {})
    key = locale_name()
    found = cache.get(key)
    if found is None:
        found = cache[key] = {
            "klass": {k: str(v) for k, v in SCHEDULE_CLASS_LABELS.items()},
            "light": {k: str(v) for k, v in LIGHT_LABELS.items()},
        }
    return found


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
    cache_key = (locale_name(), key, colour)
    found = cache.get(cache_key)
    if found is None:
        found = badge_html(colour or STATE_BADGES.get(key, "secondary"), label(key))
        cache[cache_key] = found
    return found


def status_badge_args(item) -> tuple[str, str | None]:
    """The badge of an item's status — completed / in progress / not started, or retired —
    as `badge` arguments (key, colour)."""
    if item.retired_at is not None:
        return "retired", "dark"
    return item.status, None


def status_badge(item) -> Markup:
    return badge(*status_badge_args(item))


def review_badge(state: str | None, *, open_item: bool = True) -> Markup:
    """The focus-period report's state; "no report yet" only matters for open items."""
    if state:
        return badge(state)
    return badge("missing", "light text-dark border") if open_item else Markup("")


def due_state(item, today: date, days: int | None = None) -> str | None:
    """Overdue or soon, for an open item's due date (tracker/items/cells.py colours it);
    `days` is the due-soon window when the caller has read it already."""
    if item.due_date is None or item.is_closed:
        return None
    if item.due_date < today:
        return "overdue"
    if is_due_soon(item, today, days):
        return "soon"
    return None


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


# Made option lists by (language, due-soon days, labeller, values, choice): a few dozen.
_OPTIONS: dict[tuple, Markup] = {}
_OPTION = Markup('<option value="{}"{}>{}</option>')


def filter_options(values, selected, labeller=None) -> Markup:
    """The `<option>`s of one of the item list's fixed filters (status, this period, due,
    schedule), labelled in the reader's language with the chosen one selected. Made once per
    process for each language and choice: a loop of label lookups per option was ~0.3 ms of
    every list page. A choice that is not among `values` selects nothing (and is not kept)."""
    labeller = labeller or label
    values = tuple(values)
    chosen = selected if selected in values else None
    key = (locale_name(), due_soon_days(), labeller, values, chosen)
    found = _OPTIONS.get(key)
    if found is None:
        found = _OPTIONS[key] = Markup("").join(
            _OPTION.format(value, Markup(" selected") if value == chosen else "", labeller(value))
            for value in values
        )
    return found
