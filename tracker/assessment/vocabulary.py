"""The events a rule may score, with their labels — pure, no I/O.

Every event here is produced by tracker/assessment/events.py: a rule for an event nothing
produced would score zero forever while looking meaningful. Milestones missed (issue #16) are
counted on the item; letters received (issue #18) are scored by level.
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
    "milestone_missed": (_l("Milestone not reached by its planned date"), "item"),
    "indicator_met": (_l("Indicator met"), "indicator"),
    "indicator_not_met": (_l("Indicator not met"), "indicator"),
    "binding_indicator_met": (_l("Binding indicator met"), "indicator"),
    "binding_indicator_not_met": (_l("Binding indicator not met"), "indicator"),
    "letter_yellow": (_l("Yellow letter received (催办)"), "letter"),
    "letter_orange": (_l("Orange letter received (督办)"), "letter"),
    "letter_red": (_l("Red letter received (约谈问责)"), "letter"),
}

# A letter's level (tracker.workflow.LetterLevel) → the event it scores.
LETTER_EVENTS = {"yellow": "letter_yellow", "orange": "letter_orange", "red": "letter_red"}

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
