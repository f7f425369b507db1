"""Words for indicators in the reader's language: statuses, kinds, messages, value texts."""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from tracker.indicators import status as rules
from tracker.indicators.status import IndicatorStatus, InvalidIndicatorValue

logger = logging.getLogger(__name__)

STATUS_LABELS = {
    IndicatorStatus.MET: _l("Met"),
    IndicatorStatus.NOT_MET: _l("Not met"),
    IndicatorStatus.ON_TRACK: _l("On track"),
    IndicatorStatus.BEHIND: _l("Behind"),
    IndicatorStatus.FAR_BEHIND: _l("Far behind"),
    IndicatorStatus.DONE: _l("Done"),
    IndicatorStatus.NOT_YET: _l("Not yet"),
    IndicatorStatus.NO_DATA: _l("No data"),
    IndicatorStatus.NOT_STARTED: _l("Not started"),
}
# Bootstrap colours: green is fine, yellow needs attention, red is a problem.
STATUS_COLOURS = {
    IndicatorStatus.MET: "success",
    IndicatorStatus.ON_TRACK: "success",
    IndicatorStatus.DONE: "success",
    IndicatorStatus.BEHIND: "warning",
    IndicatorStatus.NOT_YET: "info",
    IndicatorStatus.FAR_BEHIND: "danger",
    IndicatorStatus.NOT_MET: "danger",
    IndicatorStatus.NO_DATA: "light",
    IndicatorStatus.NOT_STARTED: "light",
}
# Order in summaries: good news first, then what needs attention, then gaps.
STATUS_ORDER = [
    IndicatorStatus.MET,
    IndicatorStatus.ON_TRACK,
    IndicatorStatus.DONE,
    IndicatorStatus.BEHIND,
    IndicatorStatus.NOT_YET,
    IndicatorStatus.FAR_BEHIND,
    IndicatorStatus.NOT_MET,
    IndicatorStatus.NO_DATA,
]

KIND_LABELS = {
    "floor": _l("Floor (at least)"),
    "target": _l("Target value"),
    "cumulative": _l("Cumulative count"),
    "rank": _l("Rank"),
    "milestone": _l("Milestone title"),
}
ATTRIBUTE_LABELS = {"约束性": _l("Binding"), "预期性": _l("Expected")}

# What each audit event of a value means, for the trail under it on the indicator page.
TRAIL_LABELS = {
    "indicator_value.created": _l("reported (draft)"),
    "indicator_value.edited": _l("edited"),
    "indicator_value.submitted": _l("submitted"),
    "indicator_value.verified": _l("verified"),
    "indicator_value.returned": _l("returned"),
}

EVALUATION_TYPES = {"mid": _l("Mid-term evaluation"), "final": _l("Final evaluation")}


def status_label(status) -> str:
    return str(STATUS_LABELS.get(IndicatorStatus(status), status)) if status else ""


def status_badge(status, warning: bool = False) -> Markup:
    """A coloured status badge, with a red 预警 badge next to it when the indicator warns."""
    if not status:
        return Markup("")
    status = IndicatorStatus(status)
    colour = STATUS_COLOURS.get(status, "secondary")
    text_class = " text-dark" if colour in ("light", "warning", "info") else ""
    html = Markup('<span class="badge text-bg-{}{}" data-status="{}">{}</span>').format(
        colour, text_class, status.value, status_label(status)
    )
    if warning:
        html += warning_badge()
    return html


def warning_badge() -> Markup:
    return Markup(' <span class="badge text-bg-danger" data-warning="1">{}</span>').format(
        _("Warning")
    )


def value_error_message(error: InvalidIndicatorValue, unit: str | None = None) -> str:
    """The translated sentence for a stable InvalidIndicatorValue code."""
    params = dict(error.message_params)
    value = params.get("value", "")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    messages = {
        rules.ERROR_EMPTY: _("Enter a value."),
        rules.ERROR_NOT_A_NUMBER: _(
            "“%(value)s” is not a number. Enter digits only, in %(unit)s.",
            value=value,
            unit=unit or _("the indicator's unit"),
        ),
        rules.ERROR_PERCENT_OVER_100: _(
            "%(value)s is above 100; a percentage cannot exceed 100.", value=value
        ),
        rules.ERROR_NEGATIVE_COUNT: _("%(value)s is negative; a count cannot be.", value=value),
        rules.ERROR_RANK_NOT_POSITIVE_INTEGER: _(
            "“%(value)s” is not a position. Enter a whole number from 1, e.g. 3 or 第三.",
            value=value,
        ),
        rules.ERROR_NOT_A_MILESTONE_VALUE: _(
            "“%(value)s” is not a milestone value. Choose done (完成) or not yet (未完成).",
            value=value,
        ),
    }
    message = messages.get(error.code)
    if message is None:
        logger.warning("no message for indicator value error %r", error.code)
        return _("The value could not be accepted.")
    return message


def _number_text(number: float | None) -> str:
    if number is None:
        return ""
    if float(number).is_integer():
        return str(int(number))
    return repr(float(number))


def rank_text(position) -> str:
    return _("No. %(n)s", n=_number_text(position)) if position is not None else "—"


def value_display(indicator, value_number=None, value_text=None) -> str:
    """A reported (or computed) value as the reader should see it, without the unit."""
    if value_number is None and not value_text:
        return "—"
    if indicator.kind == "milestone":
        if value_text == rules.MILESTONE_DONE:
            return _("Done")
        if value_text == rules.MILESTONE_NOT_DONE:
            return _("Not yet")
        return value_text or "—"
    if indicator.kind == "rank":
        return rank_text(value_number)
    if value_number is not None:
        return _number_text(value_number)
    return value_text or "—"


def baseline_display(indicator) -> str:
    """The 基期 value as the plan prints it: [56] for a five-year total, 第二 for a rank."""
    if indicator.baseline is None:
        return indicator.baseline_text or "—"
    if indicator.kind == "rank":
        return rank_text(indicator.baseline)
    text = _number_text(indicator.baseline)
    return f"[{text}]" if indicator.kind == "cumulative" else text


def target_display(indicator) -> str:
    """The 目标 as the plan prints it: 不低于 96, [100], 前三, 完成."""
    if indicator.kind == "milestone":
        text = indicator.target_text
        return _("Complete it") if text in (None, "", rules.MILESTONE_DONE) else text
    if indicator.target is None:
        return indicator.target_text or "—"
    text = _number_text(indicator.target)
    if indicator.kind == "floor":
        return _("at least %(value)s", value=text)
    if indicator.kind == "rank":
        return _("top %(n)s", n=text)
    if indicator.kind == "cumulative":
        return f"[{text}]"
    return text


def number_text(number: float | None) -> str:
    """A number without a trailing .0, for tables and exports."""
    return _number_text(round(number, 2) if number is not None else None) or "—"


def template_value_display(indicator, value) -> str:
    """`indicator_value_display` in templates: a number or a text value, shown alike."""
    if isinstance(value, int | float):
        return value_display(indicator, value_number=value)
    return value_display(indicator, value_text=value)
