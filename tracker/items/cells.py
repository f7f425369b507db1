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
from flask_babel import gettext as _
from markupsafe import Markup, escape

from tracker.i18n import locale_name
from tracker.item_predicates import due_soon_days
from tracker.items import templating
from tracker.items.templating import EXTRA_LABELS, path_parts, schedule_labels
from tracker.templating import local_date

_DUE_CLASSES = {"overdue": "text-danger fw-semibold", "soon": "text-warning-emphasis fw-semibold"}
_LIGHT_COLOURS = {
    "green": "success",
    "yellow": "warning",
    "red": "danger",
    "grey": "secondary",
    "done": "light border",
}


# One row of the item table; its values are escaped or markup already (ItemCells.rows).
_ROW = (
    '<tr><td class="text-nowrap"><a href="%s">%s</a></td>'
    '<td><a href="%s" class="text-reset">%s</a>%s</td>'
    '<td class="small">%s</td><td class="text-nowrap small">%s</td>'
    '<td class="text-nowrap">%s <small class="text-muted">%s%%</small></td>%s%s</tr>\n'
)


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
            "demo": _("Demo data"),
        }
        # Looked up once per request here rather than per row: each lookup through the
        # request's `g` and locale costs a few µs, and a row made five of them.
        self.item_href = path_parts("items.detail", "item_id")
        self.report_href = path_parts("review.report", "report_id")
        self._badges: dict = {}
        self._schedules: dict = {}

    def _badge(self, make, *arguments) -> Markup:
        key = (make, *arguments)
        found = self._badges.get(key)
        if found is None:
            found = self._badges[key] = make(*arguments)
        return found

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
        lead = item.lead_name
        if lead is None:
            return _html('<span class="text-danger">%s</span>', self.texts["no_owner"])
        html = _html("<strong>%s</strong>", lead)
        co_names = item.co_names
        if co_names:
            html += _html('<br><small class="text-muted">%s</small>', "、".join(co_names))
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

    def rows(self, rows, show_review: bool = True, schedules=None) -> Markup:
        """The item table's body: one `<tr>` per (item, focus report state, focus report
        id). Written here rather than as a Jinja loop (a row made eight template calls), as
        one template per row with every text escaped, and the owners, due and 序时进度
        cells made once per request for each distinct value (rows repeat them)."""
        demo = _html(' <span class="badge text-bg-light border">%s</span>', self.texts["demo"])
        item_href, report_href = self.item_href, self.report_href
        owners, due, schedule = self._memo(self.owners), self._memo(self.due), self._schedule
        parts = []
        for item, focus_state, focus_id in rows:
            href = f"{item_href[0]}{item.id}{item_href[1]}"
            schedule_cell = review_cell = ""
            if schedules is not None:
                schedule_cell = f"<td>{schedule(schedules.get(item.id))}</td>"
            if show_review:
                if focus_id:
                    badge = self._badge(templating.review_badge, focus_state)
                    review = f'<a href="{report_href[0]}{focus_id}{report_href[1]}">{badge}</a>'
                else:
                    review = self._badge(
                        _no_report_badge, bool(not item.is_closed and item.lead_department_id)
                    )
                review_cell = f'<td class="text-nowrap">{review}</td>'
            parts.append(
                _ROW
                % (
                    href,
                    escape(item.code),
                    href,
                    escape(item.title),
                    demo if item.is_demo else "",
                    owners((item.lead_name, item.co_names), item),
                    due(self._due_key(item), item),
                    self._status_badge(item),
                    item.progress,
                    schedule_cell,
                    review_cell,
                )
            )
        return Markup("".join(parts))  # noqa: S704 (every text escaped above)

    def _memo(self, cell):
        """`cell(item)` kept per request under a key of what it shows."""
        kept: dict = {}

        def cached(key, item):
            found = kept.get(key)
            if found is None:
                found = kept[key] = cell(item)
            return found

        return cached

    def _due_key(self, item) -> tuple:
        state = templating.due_state(item, self.today, self.soon_days)
        return item.due_date, item.original_due_date, state

    def _schedule(self, status) -> Markup:
        found = self._schedules.get(status)
        if found is None:
            found = self._schedules[status] = self.schedule(status, detail=True)
        return found

    def _status_badge(self, item) -> Markup:
        return self._badge(templating.badge, *templating.status_badge_args(item))


def _no_report_badge(open_item: bool) -> Markup:
    return templating.review_badge(None, open_item=open_item)


def item_cells(today) -> ItemCells:
    """This request's cells for `today` in the reader's language."""
    cache = g.setdefault("_item_cells", {})
    key = (today, locale_name())
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
