"""Review forms: verify (optional comment), return (required reason), extension decisions."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from tracker.assessment.labels import GRADE_LABELS
from tracker.items.forms import VersionedForm


class VerifyForm(VersionedForm):
    comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Optional(), Length(max=4000, message=_l("Use at most %(max)d characters."))],
    )
    # Scored by the assessment rules (tracker/assessment); checked by verify_report.
    grade = SelectField(
        _l("Quality grade (optional)"),
        choices=[("", _l("No grade"))] + list(GRADE_LABELS.items()),
        default="",
        validate_choice=False,
    )


class ReturnForm(VersionedForm):
    reason = TextAreaField(
        _l("Reason for returning (required, shown to the liaison)"),
        validators=[Optional(), Length(max=4000, message=_l("Use at most %(max)d characters."))],
    )


class DecideExtensionForm(VersionedForm):
    """`version` is the item's, as the page showed it: an approval moves its due date."""

    decision = HiddenField()
    comment = TextAreaField(
        _l("Reason"),
        validators=[Optional(), Length(max=4000, message=_l("Use at most %(max)d characters."))],
    )


class BulkVerifyForm(FlaskForm):
    """The CSRF token and an optional quality grade for every ticked report; the selected
    rows come as `pick` = "<report id>:<version>"."""

    grade = SelectField(
        _l("Quality grade for the ticked reports (optional)"),
        choices=[("", _l("No grade"))] + list(GRADE_LABELS.items()),
        default="",
        validate_choice=False,
    )
