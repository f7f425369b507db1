"""Indicator operations: yearly values through review, and the office's edits and assignments.

Each operation checks permission with tracker.workflow and changes state through the review
kernel (tracker.transitions: a guarded UPDATE … WHERE state IN (:from) AND version = :v, so
two people acting at once cannot both win, then the audit event and the notice). The caller
commits.

Years: a value may be reported for the plan's own years (start_year … end_year) once the year
has begun. Years after the plan's end are refused: the indicators are the plan's targets, the
final evaluation (终期评估) judges the end year, and a new plan brings its own indicators.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from flask import has_request_context
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from tracker import clock
from tracker.access import liaison_ids, link, office_ids
from tracker.audit import record_event, snapshot
from tracker.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from tracker.evidence import stage_uploads
from tracker.extensions import db
from tracker.indicators.editing import (
    apply_indicator_changes,
    guarded_indicator_update,
)
from tracker.indicators.specs import value_subject
from tracker.indicators.value_input import (
    REASON_MAX_CHARS,
    check_year,
    duplicate_year,
    read_value_and_note,
    year_taken,
)
from tracker.models import Department, IndicatorValue
from tracker.notices import queue_notice
from tracker.security import log_security_event
from tracker.templating import STATE_LABELS
from tracker.transitions import Notice, transition
from tracker.workflow import Action, ReviewState, can, is_office, next_state, permitted

logger = logging.getLogger(__name__)

VALUE_FIELDS = ("indicator_id", "year", "value_text", "value_number", "note", "state", "version")


# --- permission ------------------------------------------------------------------------


def _deny(error_class, action: Action, obj: str):
    if has_request_context():
        log_security_event(f"indicator.{action.value}", outcome="denied", obj=obj)
    raise error_class()


def check_value_action(actor, action: Action, indicator, state: str | None, obj: str) -> None:
    """Raise NotFound (not the department's), PermissionDenied or InvalidTransition (409)."""
    subject = value_subject(indicator, state)
    if can(actor, action, subject):
        return
    if not can(actor, Action.VIEW, value_subject(indicator)):
        # Another department's liaison: the value is none of their business, as if missing.
        _deny(NotFound, action, obj)
    if state is not None and permitted(actor, action, subject):
        raise InvalidTransition(
            _("This value is %(state)s; that is not possible now.", state=_state_label(state))
        )
    _deny(PermissionDenied, action, obj)


def _require_office(actor, obj: str) -> None:
    if not is_office(actor):
        _deny(PermissionDenied, Action.EDIT_ITEM, obj)


def _state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


# --- notices and evidence ------------------------------------------------------------


def _notice_params(row: IndicatorValue, **extra) -> dict:
    indicator = row.indicator
    department = indicator.department
    return {
        "department": department.short_name if department else "",
        "year": row.year,
        "name": indicator.name,
        **extra,
    }


def _value_snapshot(row: IndicatorValue) -> dict:
    return snapshot(row, VALUE_FIELDS)


def attach_evidence(actor, row: IndicatorValue, files) -> dict:
    """Stage the uploads and add their Attachment rows; {"evidence": [names]} for the audit."""
    staged = stage_uploads(db.session(), list(files or ()))
    for item in staged:
        db.session.add(item.attachment(actor, indicator_value_id=row.id))
    return {"evidence": [item.original_name for item in staged]} if staged else {}


# --- values ------------------------------------------------------------------------------


def report_value(
    actor,
    indicator,
    *,
    year,
    value,
    note: str = "",
    today: date,
    submit: bool = False,
    now: datetime | None = None,
    files=(),
) -> IndicatorValue:
    """Create the department's value for a year as a draft (and submit it when asked).

    `files` are uploads (werkzeug FileStorage) kept as evidence; tracker.evidence checks
    them and keeps them only if the caller's transaction commits.
    """
    obj = f"indicator:{indicator.id}"
    check_value_action(actor, Action.CREATE_REPORT, indicator, None, obj)
    plan = indicator.plan
    if plan.is_archived:
        raise ValidationFailed({"year": _("The plan is archived; no more values are reported.")})
    year = check_year(plan, year, today)
    errors: dict[str, str] = {}
    if year_taken(indicator.id, year):
        errors.update(duplicate_year(year).errors)
    value_text, value_number, note = read_value_and_note(indicator, value, note, errors)
    if errors:
        raise ValidationFailed(errors)
    row = IndicatorValue(
        indicator_id=indicator.id,
        year=year,
        value_text=value_text,
        value_number=value_number,
        note=note,
        state=ReviewState.DRAFT.value,
        author_id=getattr(actor, "id", None),
    )
    db.session.add(row)
    try:
        db.session.flush([row])
    except IntegrityError:
        # Two liaisons saving the same year at once: the unique constraint decides. No
        # SAVEPOINT here: on SQLite (pysqlite) releasing one can commit the whole transaction.
        # The caller rolls back on ValidationFailed, as for any other refusal.
        raise duplicate_year(year) from None
    attached = attach_evidence(actor, row, files)
    record_event(actor, "indicator_value.created", row, after=_value_snapshot(row) | attached)
    if submit:
        submit_value(actor, row, now=now)
    db.session.flush()
    return row


def save_value_draft(
    actor, row: IndicatorValue, *, value, note: str = "", expected_version=None, files=()
) -> IndicatorValue:
    """Change a draft or returned value; a returned one stays returned until resubmitted."""
    indicator = row.indicator
    check_value_action(actor, Action.EDIT, indicator, row.state, f"indicator_value:{row.id}")
    errors: dict[str, str] = {}
    value_text, value_number, note = read_value_and_note(indicator, value, note, errors)
    if errors:
        raise ValidationFailed(errors)
    transition(
        actor,
        row,
        Action.EDIT,
        expected_version=expected_version,
        values={
            "value_text": value_text,
            "value_number": value_number,
            "note": note,
            "updated_at": clock.now(),
        },
        effects=lambda row: attach_evidence(actor, row, files),
        event="indicator_value.edited",
        before=_value_snapshot(row),
        after=_value_snapshot,
    )
    db.session.flush()
    return row


def submit_value(
    actor, row: IndicatorValue, *, now: datetime | None = None, expected_version=None
) -> IndicatorValue:
    """draft/returned → submitted; the office is told there is a value to review."""
    indicator = row.indicator
    check_value_action(actor, Action.SUBMIT, indicator, row.state, f"indicator_value:{row.id}")
    transition(
        actor,
        row,
        Action.SUBMIT,
        expected_version=expected_version,
        now=now,
        values={"submitted_at": now or clock.now(), "updated_at": clock.now()},
        event="indicator_value.submitted",
        before=_value_snapshot(row),
        after=_value_snapshot,
        notice=lambda row: Notice(
            office_ids(),
            "value_submitted",
            _notice_params(row),
            link("indicators.review_value", value_id=row.id),
        ),
    )
    db.session.flush()
    return row


def _review_value(
    actor,
    row: IndicatorValue,
    action: Action,
    comment: str | None,
    *,
    now: datetime | None,
    expected_version,
    notice: str,
    to: tuple[str, dict],
    notice_extra: dict | None = None,
) -> IndicatorValue:
    """The reviewer's step shared by verify and return: only a submitted value moves (the
    kernel's guarded UPDATE, so two reviewers cannot both win), then the audit event and the
    notice to the department's liaisons and the value's author."""
    indicator = row.indicator
    transition(
        actor,
        row,
        action,
        expected_version=expected_version,
        now=now,
        values={
            "reviewer_id": getattr(actor, "id", None),
            "reviewed_at": now or clock.now(),
            "review_comment": comment,
            "updated_at": clock.now(),
        },
        event=f"indicator_value.{next_state(ReviewState.SUBMITTED, action)}",
        before=_value_snapshot(row),
        after=_value_snapshot,
        comment=comment,
        notice=lambda row: Notice(
            {*liaison_ids([indicator.department_id]), *([row.author_id] if row.author_id else [])},
            notice,
            _notice_params(row, **(notice_extra or {})),
            link(to[0], **to[1]),
        ),
    )
    db.session.flush()
    return row


def verify_value(
    actor,
    row: IndicatorValue,
    *,
    now: datetime | None = None,
    comment: str | None = None,
    expected_version=None,
) -> IndicatorValue:
    """submitted → verified: from now on the value counts towards the indicator's status."""
    indicator = row.indicator
    check_value_action(actor, Action.VERIFY, indicator, row.state, f"indicator_value:{row.id}")
    comment = (comment or "").strip()[:REASON_MAX_CHARS] or None
    return _review_value(
        actor,
        row,
        Action.VERIFY,
        comment,
        now=now,
        expected_version=expected_version,
        notice="value_verified",
        to=("indicators.detail", {"indicator_id": indicator.id}),
    )


def return_value(
    actor,
    row: IndicatorValue,
    *,
    reason: str,
    now: datetime | None = None,
    expected_version=None,
) -> IndicatorValue:
    """submitted → returned with a required reason the department sees while fixing it."""
    indicator = row.indicator
    check_value_action(actor, Action.RETURN, indicator, row.state, f"indicator_value:{row.id}")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("Give the reason for returning the value.")})
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationFailed(
            {"reason": _("The reason is too long (at most %(n)s characters).", n=REASON_MAX_CHARS)}
        )
    return _review_value(
        actor,
        row,
        Action.RETURN,
        reason,
        now=now,
        expected_version=expected_version,
        notice="value_returned",
        to=("indicators.edit_value", {"value_id": row.id}),
        notice_extra={"reason": reason},
    )


# --- indicators (office) -------------------------------------------------------------------


def assign_indicator(actor, indicator, department: Department | None, *, expected_version=None):
    """Make a department responsible for the indicator (or nobody, with None)."""
    _require_office(actor, f"indicator:{indicator.id}")
    if department is not None and not department.active:
        raise ValidationFailed(
            {"department_id": _("%(name)s is deactivated.", name=department.short_name)}
        )
    new_id = department.id if department is not None else None
    if new_id == indicator.department_id and expected_version is None:
        return indicator
    before = {"department_id": indicator.department_id}
    guarded_indicator_update(indicator, expected_version, {"department_id": new_id})
    record_event(
        actor, "indicator.assigned", indicator, before=before, after={"department_id": new_id}
    )
    if new_id is not None:
        queue_notice(
            liaison_ids([new_id]),
            "indicator_assigned",
            {"name": indicator.name, "number": indicator.number},
            link("indicators.detail", indicator_id=indicator.id),
        )
    db.session.flush()
    return indicator


def update_indicator(actor, indicator, *, expected_version, **fields):
    """Correct what the parser read (name, unit, baseline, target, kind …); see editing.py."""
    _require_office(actor, f"indicator:{indicator.id}")
    return apply_indicator_changes(actor, indicator, expected_version=expected_version, **fields)
