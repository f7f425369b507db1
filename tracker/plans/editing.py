"""Correcting a parsed upload before it is imported: add a correction, take the last one back."""

from __future__ import annotations

import logging

from flask_babel import gettext as _

from tracker.audit import record_event
from tracker.errors import InvalidTransition, ValidationFailed
from tracker.extensions import db
from tracker.models import PlanImport
from tracker.plans.corrections import apply_corrections, make_correction
from tracker.plans.operations import require_office
from tracker.plans.tree import parsed_from_dict

logger = logging.getLogger(__name__)

# Enough for a thorough clean-up of a 300-page plan; beyond it the text needs fixing.
MAX_CORRECTIONS = 500


def _open(actor, staged: PlanImport) -> None:
    require_office(actor)
    if staged.applied_at is not None:
        raise InvalidTransition(_("This upload has been applied already."))


def add_correction(actor, staged: PlanImport, *, op: str, code: str, value: str) -> dict:
    """Record one correction on the upload; refused (nothing stored) if it cannot apply."""
    _open(actor, staged)
    corrections = list(staged.corrections or [])
    if len(corrections) >= MAX_CORRECTIONS:
        raise ValidationFailed({"code": _("Too many corrections: fix the text and upload it.")})
    current = apply_corrections(parsed_from_dict(staged.parsed_json), corrections).parsed
    correction = make_correction(current, op, code, value)
    if correction is None:
        raise ValidationFailed(
            {"code": _("This correction does not fit the parsed plan: check the code and value.")}
        )
    staged.corrections = [*corrections, correction]
    record_event(actor, "plan_import.corrected", staged, after=correction)
    db.session.flush()
    return correction


def undo_correction(actor, staged: PlanImport) -> dict | None:
    """Take the last correction back (None if there was none)."""
    _open(actor, staged)
    corrections = list(staged.corrections or [])
    if not corrections:
        return None
    removed = corrections.pop()
    staged.corrections = corrections
    record_event(actor, "plan_import.correction_undone", staged, before=removed)
    db.session.flush()
    return removed
