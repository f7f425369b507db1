"""The series behind an indicator's chart, computed here so the browser only draws them.

Baseline point → verified yearly values (running totals for cumulative kinds) → the target
as a line, with the time-proportional path (序时进度) dotted. tracker/static/indicators.js
turns this JSON into plotly traces; the history table on the same page is the fallback.
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _

from tracker.indicators.specs import spec_for
from tracker.indicators.status import expected_value

logger = logging.getLogger(__name__)

COLOURS = {
    "values": "#0d6efd",
    "baseline": "#6c757d",
    "target": "#198754",
    "expected": "#fd7e14",
}


def _trace(kind: str, name: str, x: list, y: list, *, mode: str, dash: str = "solid") -> dict:
    return {
        "kind": kind,
        "name": name,
        "x": x,
        "y": y,
        "mode": mode,
        "dash": dash,
        "color": COLOURS[kind],
    }


def chart_data(indicator, verified: dict[int, float | str | None]) -> dict | None:
    """Plot-ready series for a numeric indicator; None for milestones (done / not yet)."""
    if indicator.kind == "milestone":
        return None
    plan = indicator.plan
    spec = spec_for(indicator, plan)
    years = list(range(spec.baseline_year, spec.target_year + 1))
    cumulative = indicator.kind == "cumulative"
    traces = []
    if indicator.baseline is not None:
        name = _("Previous period's total") if cumulative else _("Baseline")
        traces.append(
            _trace("baseline", name, [spec.baseline_year], [indicator.baseline], mode="markers")
        )
    xs, ys, total = [], [], 0.0
    for year in years[1:]:
        value = verified.get(year)
        if not isinstance(value, int | float):
            continue
        total += value
        xs.append(year)
        ys.append(round(total, 4) if cumulative else value)
    name = _("Verified values (running total)") if cumulative else _("Verified values")
    traces.append(_trace("values", name, xs, ys, mode="lines+markers"))
    if indicator.target is not None:
        target_name = {
            "floor": _("Floor"),
            "rank": _("Target position"),
        }.get(indicator.kind, _("Target"))
        traces.append(
            _trace(
                "target",
                target_name,
                [years[0], years[-1]],
                [indicator.target, indicator.target],
                mode="lines",
                dash="dash",
            )
        )
    expected = [(year, expected_value(spec, year)) for year in years]
    if all(value is not None for _year, value in expected):
        traces.append(
            _trace(
                "expected",
                _("Expected path (time-proportional)"),
                [year for year, _value in expected],
                [round(value, 4) for _year, value in expected],
                mode="lines",
                dash="dot",
            )
        )
    unit = indicator.unit or ""
    return {
        "title": indicator.name,
        "x_title": _("Year"),
        "y_title": _("Unit: %(unit)s", unit=unit) if unit else "",
        "reversed": indicator.kind == "rank",  # position 1 is the best, so it goes on top
        "traces": traces,
    }
