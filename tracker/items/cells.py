"""Cells of the work-item tables, written in Python (issue 20: template work in loops).

They were Jinja macros (`templates/_macros/items.html`); a list page calls three of them on
every row, and a macro call with its translations and date formatting cost 40-170 µs there —
a quarter of the item list's time at bench M. Here one `ItemCells` per request and locale
holds the translated texts and the due-soon window (dates and badges are cached per request
by `local_date` and `templating.badge`), and the markup is built with `_html`, which escapes
every value it is given.
"""

from __future__ import annotations

from flask import g
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from tracker.item_predicates import due_soon_days
from tracker.items import templating
from tracker.items.templating import EXTRA_LABELS, schedule_labels
from tracker.templating import local_date

_DUE_CLASSES = {"overdue": "text-danger fw-semibold", "soon": "text-warning-emphasis fw-semibold"}
_LIGHT_COLOURS = {
    "green": "success",
    "yellow": "warning",
    "red": "danger",
    "grey": "secondary",
    "done": "light border",
}


def _html(template: str, *values) -> Markup:
    """`template` (a literal of this module) with every value escaped: %-formatting runs in
    C, where `Markup.format` walks Python's string.Formatter (~10 µs a call, 4 per row)."""
    return Markup(template % tuple(map(escape, values)))  # noqa: S704 (every value escaped)


class ItemCells:
    """One request's cells: texts, labels and the due-soon window looked up once, so a row
    costs attribute reads and string formatting (`item_cells(today)` makes one per request)."""

    def __init__(self, today):
        self.today = today
        self.soon_days = due_soon_days()
        self.labels = schedule_labels()
        self.texts = {
            "overdue": str(EXTRA_LABELS["overdue"]),
            "due_soon": _("Due soon"),
            "originally": _("originally"),
            "no_owner": _("No owner"),
            # gettext without arguments leaves "%%" alone: formatted per row, as Jinja
            # would, then escaped with the rest by _html.
            "expected_actual": _("Expected %(expected)s%%, actual %(actual)s%%"),
            "actual_of_expected": _("%(actual)s%% of %(expected)s%%"),
        }

    def due(self, item) -> Markup:
        """The due date coloured by its state, an overdue / due-soon badge, the original date."""
        if item.due_date is None:
            return Markup("—")
        texts, state = self.texts, templating.due_state(item, self.today, self.soon_days)
        html = _html(
            '<span class="%s">%s</span>', _DUE_CLASSES.get(state, ""), local_date(item.due_date)
        )
        if state == "overdue":
            html += _html(' <span class="badge text-bg-danger">%s</span>', texts["overdue"])
        elif state == "soon":
            html += _html(' <span class="badge text-bg-warning">%s</span>', texts["due_soon"])
        if item.original_due_date and item.original_due_date != item.due_date:
            html += _html(
                ' <small class="text-muted">(%s %s)</small>',
                texts["originally"],
                local_date(item.original_due_date),
            )
        return html

    def owners(self, item) -> Markup:
        """The lead department in bold, the co-owners under it; "No owner" in red."""
        lead = item.lead_department
        if lead is None:
            return _html('<span class="text-danger">%s</span>', self.texts["no_owner"])
        html = _html("<strong>%s</strong>", lead.short_name)
        if item.co_departments:
            html += _html(
                '<br><small class="text-muted">%s</small>',
                "、".join(d.short_name for d in item.co_departments),
            )
        return html

    def schedule(self, status, detail: bool = False) -> Markup:
        """序时进度: a ScheduleStatus (tracker/schedule.py) as a light badge; `detail` adds
        the numbers."""
        if not status:
            return Markup("")
        texts, labels = self.texts, self.labels
        numbers = {"expected": status.expected, "actual": status.actual}
        html = _html(
            '<span class="badge text-bg-%s" title="%s">%s</span>',
            _LIGHT_COLOURS.get(status.light, "secondary"),
            texts["expected_actual"] % numbers,
            labels["klass"].get(status.klass) or labels["light"].get(status.light, status.light),
        )
        if detail and status.light != "done":
            html += _html(
                ' <small class="text-muted text-nowrap">%s</small>',
                texts["actual_of_expected"] % numbers,
            )
        return html


def item_cells(today) -> ItemCells:
    """This request's cells for `today` in the reader's language."""
    cache = g.setdefault("_item_cells", {})
    key = (today, str(get_locale()))
    found = cache.get(key)
    if found is None:
        found = cache[key] = ItemCells(today)
    return found


# The single cells other pages show (the item page, the liaison home, the milestone panel).


def due_cell(item, today) -> Markup:
    return item_cells(today).due(item)


def owners(item) -> Markup:
    return item_cells(None).owners(item)


def schedule_badge(status, detail: bool = False) -> Markup:
    return item_cells(None).schedule(status, detail)


def light_label(light: str) -> str:
    return schedule_labels()["light"].get(light, light)
