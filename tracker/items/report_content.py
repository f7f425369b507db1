"""What a report says: the progress narrative and the structured sections (存在问题, 下步计划,
需协调事项), tidied and checked the same way for pages, the API and the services."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.errors import ValidationFailed
from tracker.text import clean_text

MAX_NARRATIVE = 20000
MAX_SECTION = 4000

# The optional sections of a structured report, in the order they are shown and exported.
SECTIONS = ("problems", "next_steps", "support_needed")
SECTION_LABELS = {
    "problems": _l("Problems"),
    "next_steps": _l("Next steps"),
    "support_needed": _l("Coordination needed"),
}


def report_fields(report) -> dict:
    """What the audit trail records of a report's content."""
    return {
        "state": report.state,
        "narrative": report.narrative,
        **{name: getattr(report, name) or "" for name in SECTIONS},
        "progress": report.progress,
        "completes": report.completes,
    }


def clean_sections(values: dict, current=None) -> dict:
    """The sections given in `values`, tidied; one left out (None) keeps `current`'s text.
    Too long is ValidationFailed on that field."""
    cleaned, errors = {}, {}
    for name in SECTIONS:
        value = values.get(name)
        if value is None:
            cleaned[name] = (getattr(current, name, "") or "") if current is not None else ""
            continue
        text = clean_text(value, MAX_SECTION + 1)
        if len(text) > MAX_SECTION:
            errors[name] = _("Use at most %(n)s characters.", n=MAX_SECTION)
        cleaned[name] = text
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def same_as_last(previous) -> dict:
    """A new period's content copied from the last verified report ("与上期相同，无新进展"):
    the sections as they were, the progress unchanged, the narrative saying so."""
    note = _("Same as last period, no new progress.")
    narrative = note if not previous.narrative else f"{note}\n{previous.narrative}"
    return {
        "narrative": narrative[:MAX_NARRATIVE],
        "progress": previous.progress,
        **{name: getattr(previous, name) or "" for name in SECTIONS},
    }
