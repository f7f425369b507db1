"""Indicator operations: yearly values through review, and the office's edits and assignments.

Each operation checks permission with tracker.workflow, changes state with a guarded UPDATE
(… WHERE state = :from AND version = :v) so two people acting at once cannot both win,
records an audit event, queues notices and flushes. The caller commits.

Years: a value may be reported for the plan's own years (start_year … end_year) once the year
has begun. Years after the plan's end are refused: the indicators are the plan's targets, the
final evaluation (终期评估) judges the end year, and a new plan brings its own indicators.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from flask import current_app, has_request_context
from flask_babel import gettext as _
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from tracker import clock
from tracker.audit import record_event, snapshot
from tracker.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from tracker.evidence import stage_uploads
from tracker.extensions import db
from tracker.indicators.editing import (
    apply_indicator_changes,
    guarded_indicator_update,
    version_expected,
)
from tracker.indicators.labels import value_error_message
from tracker.indicators.specs import spec_for, value_subject
from tracker.indicators.status import InvalidIndicatorValue, validate_value
from tracker.models import Attachment, Department, IndicatorValue, User
from tracker.notices import queue_notice
from tracker.security import log_security_event
from tracker.templating import STATE_LABELS
from tracker.workflow import Action, ReviewState, Role, can, is_office, permitted

logger = logging.getLogger(__name__)

VALUE_FIELDS = ("indicator_id", "year", "value_text", "value_number", "note", "state", "version")
NOTE_MAX_CHARS = 4000
REASON_MAX_CHARS = 2000


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


# --- input -----------------------------------------------------------------------------


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def parse_reported_value(indicator, raw) -> tuple[str, float | None]:
    """(value_text, value_number) for a typed value, or ValidationFailed on the value field."""
    try:
        parsed = validate_value(spec_for(indicator), "" if raw is None else str(raw))
    except InvalidIndicatorValue as error:
        raise ValidationFailed({"value": value_error_message(error, indicator.unit)}) from None
    if isinstance(parsed, str):
        return parsed, None
    return _number_text(parsed), float(parsed)


def check_year(plan, year, today: date) -> int:
    """The year as an int inside the plan period and not in the future; else ValidationFailed."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationFailed({"year": _("Choose a year.")}) from None
    if not plan.start_year <= year <= plan.end_year:
        raise ValidationFailed(
            {
                "year": _(
                    "%(year)s is outside the plan period %(start)s–%(end)s.",
                    year=year,
                    start=plan.start_year,
                    end=plan.end_year,
                )
            }
        )
    if year > today.year:
        raise ValidationFailed(
            {"year": _("%(year)s has not begun yet; report it once it has.", year=year)}
        )
    return year


def _clean_note(note) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        raise ValidationFailed(
            {"note": _("The note is too long (at most %(n)s characters).", n=NOTE_MAX_CHARS)}
        )
    return note


def year_taken(indicator_id: int, year: int) -> bool:
    """Whether the indicator has a value (in any state) for the year already."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    IndicatorValue.indicator_id == indicator_id, IndicatorValue.year == year
                )
            )
        )
    )


def _duplicate_year(year: int) -> ValidationFailed:
    return ValidationFailed(
        {
            "year": _(
                "A value for %(year)s has already been reported; open it to edit it instead.",
                year=year,
            )
        }
    )


# --- guarded state changes ---------------------------------------------------------------


def _guarded_update(row: IndicatorValue, from_states, expected_version, values: dict) -> None:
    """UPDATE the row only if it is still in `from_states` at the expected version."""
    version = version_expected(expected_version, row.version)
    result = db.session.execute(
        update(IndicatorValue)
        .where(
            IndicatorValue.id == row.id,
            IndicatorValue.state.in_([str(s) for s in from_states]),
            IndicatorValue.version == version,
        )
        .values(**values, version=IndicatorValue.version + 1, updated_at=clock.now()),
        execution_options={"synchronize_session": False},
    )
    db.session.refresh(row)
    if result.rowcount == 1:
        return
    if row.state not in from_states:
        raise InvalidTransition(
            _(
                "This value is %(state)s now; someone acted on it first.",
                state=_state_label(row.state),
            )
        )
    raise StaleVersion(current_version=row.version)


def _path(endpoint: str, **values) -> str | None:
    """A link for a notice, built without a request (jobs and the API call these too)."""
    try:
        return current_app.url_map.bind("").build(endpoint, values)
    except Exception:  # noqa: BLE001 — a missing link must not stop a review
        logger.warning("no URL for %s", endpoint)
        return None


def _office_user_ids() -> list[int]:
    return list(
        db.session.scalars(select(User.id).where(User.role == Role.OFFICE.value, User.active))
    )


def _liaison_ids(department_id: int | None) -> list[int]:
    if department_id is None:
        return []
    return list(
        db.session.scalars(
            select(User.id).where(
                User.role == Role.LIAISON.value,
                User.department_id == department_id,
                User.active,
            )
        )
    )


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
        db.session.add(
            Attachment(
                indicator_value_id=row.id,
                original_name=item.original_name,
                stored_name=item.stored_name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                uploaded_by_id=getattr(actor, "id", None),
            )
        )
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
        errors.update(_duplicate_year(year).errors)
    try:
        value_text, value_number = parse_reported_value(indicator, value)
    except ValidationFailed as error:
        errors.update(error.errors)
    try:
        note = _clean_note(note)
    except ValidationFailed as error:
        errors.update(error.errors)
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
        raise _duplicate_year(year) from None
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
    value_text = value_number = None
    try:
        value_text, value_number = parse_reported_value(indicator, value)
    except ValidationFailed as error:
        errors.update(error.errors)
    try:
        note = _clean_note(note)
    except ValidationFailed as error:
        errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)
    before = _value_snapshot(row)
    _guarded_update(
        row,
        (row.state,),
        expected_version,
        {"value_text": value_text, "value_number": value_number, "note": note},
    )
    attached = attach_evidence(actor, row, files)
    after = _value_snapshot(row) | attached
    record_event(actor, "indicator_value.edited", row, before=before, after=after)
    db.session.flush()
    return row


def submit_value(
    actor, row: IndicatorValue, *, now: datetime | None = None, expected_version=None
) -> IndicatorValue:
    """draft/returned → submitted; the office is told there is a value to review."""
    indicator = row.indicator
    check_value_action(actor, Action.SUBMIT, indicator, row.state, f"indicator_value:{row.id}")
    before = _value_snapshot(row)
    _guarded_update(
        row,
        (row.state,),
        expected_version,
        {"state": ReviewState.SUBMITTED.value, "submitted_at": now or clock.now()},
    )
    record_event(actor, "indicator_value.submitted", row, before=before, after=_value_snapshot(row))
    queue_notice(
        _office_user_ids(),
        "value_submitted",
        _notice_params(row),
        _path("indicators.review_value", value_id=row.id),
    )
    db.session.flush()
    return row


def _review_value(
    actor,
    row: IndicatorValue,
    state: ReviewState,
    comment: str | None,
    *,
    now: datetime | None,
    expected_version,
    notice: str,
    link: tuple[str, dict],
    notice_extra: dict | None = None,
) -> IndicatorValue:
    """The reviewer's step shared by verify and return: only a submitted value moves (guarded
    by its version, so two reviewers cannot both win), then the audit event and the notice
    to the department's liaisons and the value's author."""
    indicator = row.indicator
    before = _value_snapshot(row)
    _guarded_update(
        row,
        (ReviewState.SUBMITTED,),
        expected_version,
        {
            "state": state.value,
            "reviewer_id": getattr(actor, "id", None),
            "reviewed_at": now or clock.now(),
            "review_comment": comment,
        },
    )
    record_event(
        actor,
        f"indicator_value.{state.value}",
        row,
        before=before,
        after=_value_snapshot(row),
        comment=comment,
    )
    queue_notice(
        {*_liaison_ids(indicator.department_id), *([row.author_id] if row.author_id else [])},
        notice,
        _notice_params(row, **(notice_extra or {})),
        _path(link[0], **link[1]),
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
        ReviewState.VERIFIED,
        comment,
        now=now,
        expected_version=expected_version,
        notice="value_verified",
        link=("indicators.detail", {"indicator_id": indicator.id}),
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
        ReviewState.RETURNED,
        reason,
        now=now,
        expected_version=expected_version,
        notice="value_returned",
        link=("indicators.edit_value", {"value_id": row.id}),
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
            _liaison_ids(new_id),
            "indicator_assigned",
            {"name": indicator.name, "number": indicator.number},
            _path("indicators.detail", indicator_id=indicator.id),
        )
    db.session.flush()
    return indicator


def update_indicator(actor, indicator, *, expected_version, **fields):
    """Correct what the parser read (name, unit, baseline, target, kind …); see editing.py."""
    _require_office(actor, f"indicator:{indicator.id}")
    return apply_indicator_changes(actor, indicator, expected_version=expected_version, **fields)
