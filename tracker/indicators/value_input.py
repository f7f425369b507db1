"""Reading a reported indicator value from a form or the API: the value, the year, the note."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, select

from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.indicators.labels import value_error_message
from tracker.indicators.specs import spec_for
from tracker.indicators.status import InvalidIndicatorValue, validate_value
from tracker.models import IndicatorValue

NOTE_MAX_CHARS = 4000
REASON_MAX_CHARS = 2000


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


def read_value_and_note(indicator, value, note: str, errors: dict[str, str]):
    """(value text, value number, note) as stored; what cannot be read goes into `errors`,
    so a form shows every field's problem at once."""
    value_text = value_number = None
    try:
        value_text, value_number = parse_reported_value(indicator, value)
    except ValidationFailed as error:
        errors.update(error.errors)
    try:
        note = clean_note(note)
    except ValidationFailed as error:
        errors.update(error.errors)
    return value_text, value_number, note


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


def clean_note(note) -> str:
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


def duplicate_year(year: int) -> ValidationFailed:
    return ValidationFailed(
        {
            "year": _(
                "A value for %(year)s has already been reported; open it to edit it instead.",
                year=year,
            )
        }
    )
