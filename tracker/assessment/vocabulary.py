"""The events a rule may score, with their labels — pure, no I/O.

Letters received (督办单, issue #18) and milestones missed (issue #16) are not in the list:
those areas are not in this tree yet, and a rule for an event nothing produces would score
zero forever while looking meaningful. They are added when their areas are merged.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# event → (label, what it is counted on). Order is the order of the rule table.
EVENTS: dict[str, tuple] = {
    "report_on_time": (_l("Report submitted on time"), "report"),
    "report_late": (_l("Report submitted late"), "report"),
    "report_missing": (_l("Report missing"), "report"),
    "report_returned": (_l("Report returned for rework"), "report"),
    "grade_excellent": (_l("Report graded excellent"), "report"),
    "grade_good": (_l("Report graded good"), "report"),
    "grade_fair": (_l("Report graded fair"), "report"),
    "grade_poor": (_l("Report graded poor"), "report"),
    "item_completed_on_time": (_l("Item completed on or before its due date"), "item"),
    "item_completed_late": (_l("Item completed after its due date"), "item"),
    "item_overdue": (_l("Item past its due date, not completed"), "item"),
    "indicator_met": (_l("Indicator met"), "indicator"),
    "indicator_not_met": (_l("Indicator not met"), "indicator"),
    "binding_indicator_met": (_l("Binding indicator met"), "indicator"),
    "binding_indicator_not_met": (_l("Binding indicator not met"), "indicator"),
}

# The grade a reviewer gives → the event it scores.
GRADE_EVENTS = {
    "excellent": "grade_excellent",
    "good": "grade_good",
    "fair": "grade_fair",
    "poor": "grade_poor",
}


def event_label(event: str) -> str:
    entry = EVENTS.get(event)
    return str(entry[0]) if entry else event


def source_kind(event: str) -> str:
    return EVENTS[event][1]
