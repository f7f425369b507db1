"""Forms for items, reports, contributions and extension requests.

Numbers and dates are text fields parsed here, so a wrong format gets our own message in
the user's language; the services check everything again (the API calls them directly).
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from tracker.numbers import int_param, read_version


def at_most(n: int) -> Length:
    return Length(max=n, message=_l("Use at most %(max)d characters."))


PRIORITY_CHOICES = [(1, _l("High")), (2, _l("Normal")), (3, _l("Low"))]


def parse_date(text: str | None) -> date | None:
    """YYYY-MM-DD (also with / or .); None for blank; ValueError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    return date.fromisoformat(text.replace("/", "-").replace(".", "-"))


def parse_progress(text: str | None) -> int:
    text = (text or "").strip().rstrip("%％").strip()
    value = int(text)
    if not 0 <= value <= 100:
        raise ValueError(text)
    return value


class DateText:
    """Validator: blank, or a real calendar date written YYYY-MM-DD."""

    def __init__(self, required: bool = False):
        self.required = required

    def __call__(self, _form, field):
        try:
            value = parse_date(field.data)
        except ValueError:
            raise ValidationError(_l("Enter a date as YYYY-MM-DD, e.g. 2026-12-31.")) from None
        if value is None and self.required:
            raise ValidationError(_l("A date is required."))
        field.parsed = value


class ProgressText:
    def __call__(self, _form, field):
        try:
            field.parsed = parse_progress(field.data)
        except ValueError:
            raise ValidationError(_l("Progress must be a whole number from 0 to 100.")) from None


def parse_version(value) -> int:
    """The version a form says it was loaded at, or UNREADABLE_VERSION when it is missing,
    not a number or out of range.

    It never raises: the service checks visibility and permission first (404/403) and only
    then refuses an unreadable version as a stale form (409, `tracker/locking.py`) —
    never "whatever is current", so a scanner's `version=http://…\r\n…` cannot overwrite
    what was saved meanwhile, and never a conflict page for an object the sender may not
    see."""
    return read_version(value)


class VersionedForm(FlaskForm):
    """Every edit form carries the version it was loaded at."""

    version = HiddenField()

    def loaded_version(self) -> int:
        """The version sent back (UNREADABLE_VERSION when missing or not a number)."""
        return parse_version(self.version.data)


class ItemForm(VersionedForm):
    code = StringField(_l("Code"), validators=[Optional(), at_most(60)])
    title = StringField(
        _l("Title"),
        validators=[InputRequired(message=_l("A title is required.")), at_most(300)],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), at_most(20000)])
    deliverable = TextAreaField(
        _l("Deliverable or target"), validators=[Optional(), at_most(20000)]
    )
    due_date = StringField(
        _l("Due date"), validators=[DateText()], description=_l("YYYY-MM-DD, e.g. 2026-12-31")
    )
    start_date = StringField(
        _l("Start date"),
        validators=[DateText()],
        description=_l(
            "Expected progress is measured from this day; blank: the plan's start or "
            "today, whichever is later"
        ),
    )
    priority = SelectField(_l("Priority"), choices=PRIORITY_CHOICES, coerce=int_param, default=2)
    indicator_id = SelectField(_l("Linked indicator"), coerce=int_param, default=0)
    section_node_id = SelectField(_l("Plan section"), coerce=int_param, default=0)


class NewItemForm(ItemForm):
    plan_id = SelectField(_l("Plan"), coerce=int_param)
    lead_department_id = SelectField(_l("Lead department"), coerce=int_param, default=0)
    co_department_ids = SelectMultipleField(_l("Co-departments"), coerce=int_param, default=[])


class AssignForm(VersionedForm):
    lead_department_id = SelectField(_l("Lead department"), coerce=int_param, default=0)
    co_department_ids = SelectMultipleField(_l("Co-departments"), coerce=int_param, default=[])


class ReasonForm(VersionedForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), at_most(2000)])


class SplitForm(VersionedForm):
    parts = TextAreaField(
        _l("Parts, one per line"),
        validators=[Optional(), at_most(20000)],
        description=_l("Each line becomes a new item with the same owners and due date."),
    )
    keep_original = BooleanField(_l("Keep the original item open"))


class MergeForm(VersionedForm):
    others = SelectMultipleField(_l("Items to merge into this one"), coerce=int_param, default=[])


class ReportForm(VersionedForm):
    period_id = SelectField(_l("Reporting period"), coerce=int_param, validate_choice=False)
    narrative = TextAreaField(_l("Progress this period"), validators=[Optional(), at_most(20000)])
    problems = TextAreaField(_l("Problems"), validators=[Optional(), at_most(4000)])
    next_steps = TextAreaField(_l("Next steps"), validators=[Optional(), at_most(4000)])
    support_needed = TextAreaField(
        _l("Coordination needed"), validators=[Optional(), at_most(4000)]
    )
    progress = StringField(_l("Progress (%)"), validators=[ProgressText()], default="0")
    completes = BooleanField(_l("This report completes the item"))
    files = MultipleFileField(_l("Evidence files"))


class ContributionForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[Optional(), at_most(20000)])
    files = MultipleFileField(_l("Evidence files"))


class ExtensionForm(FlaskForm):
    requested_due_date = StringField(_l("New due date"), validators=[DateText(required=True)])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), at_most(4000)])


class ConfirmForm(FlaskForm):
    """Only the CSRF token, for POST buttons."""
