"""Template helpers of the items and review pages: badges for status, review and due dates."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from tracker.item_predicates import due_soon_days, is_due_soon
from tracker.templating import STATE_BADGES, STATE_LABELS, local_date

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
    "evidence.added": _l("Evidence added"),
    "evidence.removed": _l("Evidence removed"),
    "contribution.added": _l("Contribution added"),
    "extension.requested": _l("Extension requested"),
    "extension.approved": _l("Extension approved"),
    "extension.refused": _l("Extension refused"),
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
    colour = colour or STATE_BADGES.get(key, "secondary")
    return Markup('<span class="badge text-bg-{}">{}</span>').format(colour, label(key))


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


def due_cell(item, today: date) -> Markup:
    """The due date, red when overdue, amber when due soon, with the original if extended."""
    if item.due_date is None:
        return Markup("—")
    text = local_date(item.due_date)
    css = ""
    note = Markup("")
    if not item.is_closed and item.due_date < today:
        css = "text-danger fw-semibold"
        note = Markup(' <span class="badge text-bg-danger">{}</span>').format(label("overdue"))
    elif is_due_soon(item, today):
        css = "text-warning-emphasis fw-semibold"
        note = Markup(' <span class="badge text-bg-warning">{}</span>').format(_l("Due soon"))
    original = Markup("")
    if item.original_due_date and item.original_due_date != item.due_date:
        original = Markup(' <small class="text-muted">({} {})</small>').format(
            _l("originally"), local_date(item.original_due_date)
        )
    return Markup('<span class="{}">{}</span>{}{}').format(css, text, note, original)


def owners(item) -> Markup:
    lead = item.lead_department.short_name if item.lead_department else None
    co = "、".join(d.short_name for d in item.co_departments)
    if lead is None:
        return Markup('<span class="text-danger">{}</span>').format(_l("No owner"))
    if co:
        return Markup('<strong>{}</strong><br><small class="text-muted">{}</small>').format(
            lead, co
        )
    return Markup("<strong>{}</strong>").format(lead)


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def register(state) -> None:
    """Called once when the blueprint is registered: adds the helpers to every template."""
    state.app.jinja_env.globals.update(
        item_label=label,
        due_soon_days=due_soon_days,
        item_badge=badge,
        status_badge=status_badge,
        review_badge=review_badge,
        due_cell=due_cell,
        owners=owners,
        priority_labels=PRIORITY_LABELS,
        event_labels=EVENT_LABELS,
        item_subject_for=_report_subject,
        file_size=file_size,
    )


def _report_subject(report):
    from tracker.items.access import report_subject

    return report_subject(report)
