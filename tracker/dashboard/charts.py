"""The numbers behind the charts, computed on the server; dashboard.js only draws them."""

from __future__ import annotations

from flask_babel import gettext as _

from tracker.dashboard.links import items_url
from tracker.dashboard.overview import Overview
from tracker.dashboard.queries import SCHEDULE_LIGHTS

LIGHT_COLOURS = {
    "red": "#dc3545",
    "yellow": "#ffc107",
    "green": "#198754",
    "grey": "#adb5bd",
    "done": "#0d6efd",
}
CHART_DEPARTMENTS = 20


def _percent(value: float) -> float:
    return round(value * 100, 1)


def _bucket_series(overview: Overview, buckets, department_id=None, link_by="section") -> dict:
    return {
        "labels": [b.label or _("Not in a section") for b in buckets],
        "completion": [_percent(b.tally.completion_rate) for b in buckets],
        "progress": [round(b.tally.average_progress, 1) for b in buckets],
        "urls": [
            items_url(plan=overview.plan.id, department=department_id, **{link_by: b.key})
            if b.key
            else None
            for b in buckets
        ],
    }


def schedule_labels() -> dict[str, str]:
    """The schedule lights (序时进度) as the dashboards name them."""
    return {
        "red": _("Far behind schedule"),
        "yellow": _("Somewhat behind schedule"),
        "green": _("On or ahead of schedule"),
        "grey": _("Too early to judge"),
        "done": _("Completed"),
    }


def _schedule_series(overview: Overview, department_id=None) -> dict:
    labels = schedule_labels()
    lights = SCHEDULE_LIGHTS
    return {
        "labels": [labels[light] for light in lights],
        "values": [overview.totals.lights[light] for light in lights],
        "colors": [LIGHT_COLOURS[light] for light in lights],
        "urls": [
            items_url(plan=overview.plan.id, department=department_id, schedule=light)
            for light in lights
        ],
    }


def chart_data(overview: Overview) -> dict:
    """Series and translated words for every chart on the page, JSON-ready."""
    plan_id = overview.plan.id
    department_id = overview.department.id if overview.department else None
    totals = overview.totals
    data = {
        "texts": {
            "completion": _("Completed (%)"),
            "progress": _("Verified progress (%)"),
            "overdue": _("Overdue items"),
            "due_soon": _("Due soon"),
            "on_time": _("Reported on time (%)"),
            "items": _("Items"),
        },
        "lights": {
            "labels": [_("Overdue"), _("Due soon"), _("On schedule")],
            "values": [totals.overdue, totals.due_soon, totals.on_schedule],
            "colors": [LIGHT_COLOURS["red"], LIGHT_COLOURS["yellow"], LIGHT_COLOURS["green"]],
            "urls": [
                items_url(plan=plan_id, department=department_id, light=light)
                for light in ("red", "yellow", "green")
            ],
        },
        "schedule": _schedule_series(overview, department_id),
        "sections": _bucket_series(overview, overview.sections, department_id),
        # A 专栏 row: the list of the items from that 专栏 (node=<its id>, what lies under it).
        "columns": _bucket_series(overview, overview.columns, department_id, link_by="node"),
    }
    # Charts show who needs attention; the table below lists every department.
    behind = [b for b in overview.departments if b.key and (b.tally.overdue or b.tally.due_soon)]
    if behind:
        behind = behind[:CHART_DEPARTMENTS]
        data["departments"] = {
            "labels": [b.label for b in behind],
            "overdue": [b.tally.overdue for b in behind],
            "due_soon": [b.tally.due_soon for b in behind],
            "urls": [items_url(plan=plan_id, department=b.key, light="red") for b in behind],
        }
    reporting = [r for r in overview.reporting if r.due][:CHART_DEPARTMENTS]
    if reporting and overview.department is None:
        names = overview.department_names
        data["reporting"] = {
            "labels": [names.get(r.department_id, "") for r in reporting],
            "on_time": [_percent(r.on_time_rate) for r in reporting],
            "urls": [None for _r in reporting],
        }
    return data
