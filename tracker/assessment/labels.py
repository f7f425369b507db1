"""Labels of the quality grades (优/良/中/差), for forms, pages and exports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

GRADE_LABELS = {
    "excellent": _l("Excellent"),
    "good": _l("Good"),
    "fair": _l("Fair"),
    "poor": _l("Poor"),
}


def grade_label(grade: str | None) -> str:
    """The grade's label; empty for none."""
    return str(GRADE_LABELS[grade]) if grade in GRADE_LABELS else ""
