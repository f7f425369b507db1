"""What a letter says, in the reader's language: level names, titles and each reason's line."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.letters.rules import (
    LATE_REPORT,
    RED_FOR_A_PERIOD,
    REPLY_LATE,
    RETURNED_TWICE,
    SCHEDULE_RED,
    SCHEDULE_YELLOW,
)

LEVEL_LABELS = {"yellow": _l("Yellow"), "orange": _l("Orange"), "red": _l("Red")}
LEVEL_TITLES = {
    "yellow": _l("Yellow warning: reminder notice"),
    "orange": _l("Orange warning: supervision notice"),
    "red": _l("Red warning: accountability interview notice"),
}
STATE_LABELS = {
    "issued": _l("Awaiting reply"),
    "replied": _l("Replied"),
    "closed": _l("Closed"),
    "escalated": _l("Escalated"),
    "cancelled": _l("Cancelled"),
}
LEVEL_BADGES = {"yellow": "text-bg-warning", "orange": "text-bg-orange", "red": "text-bg-danger"}


def level_label(level: str) -> str:
    return str(LEVEL_LABELS.get(level, level))


def level_title(level: str) -> str:
    return str(LEVEL_TITLES.get(level, level))


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def reason_text(reason: dict) -> str:
    """One line of the letter: what is late or wrong with this item."""
    kind, days, period = reason.get("kind"), reason.get("days"), reason.get("period") or ""
    if kind == LATE_REPORT:
        return _(
            "The %(period)s progress report is %(days)s working days overdue.",
            period=period,
            days=days,
        )
    if kind == SCHEDULE_YELLOW:
        return _("Progress is behind the time schedule (yellow) in %(period)s.", period=period)
    if kind == SCHEDULE_RED:
        return _("Progress is far behind the time schedule (red) in %(period)s.", period=period)
    if kind == RED_FOR_A_PERIOD:
        return _("Progress has been red for a whole period (%(period)s).", period=period)
    if kind == RETURNED_TWICE:
        return _("The progress report was returned for rework twice in a row.")
    if kind == REPLY_LATE:
        return _("The orange supervision notice was not answered by its deadline.")
    return str(reason.get("text") or kind or "")
