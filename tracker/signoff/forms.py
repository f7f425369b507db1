"""Forms of 签收: the acknowledgement (CSRF only), a change request and the office's decision."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from tracker.numbers import int_param

_AT_MOST = _l("Use at most %(max)d characters.")


class AcknowledgeForm(FlaskForm):
    """签收: nothing to fill in."""


class ReassignmentRequestForm(FlaskForm):
    department_id = SelectField(
        _l("Department that should lead instead (optional)"), coerce=int_param, default=0
    )
    reason = TextAreaField(
        _l("Reason (required)"), validators=[Optional(), Length(max=2000, message=_AT_MOST)]
    )


class DecideReassignmentForm(FlaskForm):
    decision = HiddenField()
    lead_department_id = SelectField(_l("New lead department"), coerce=int_param, default=0)
    comment = TextAreaField(
        _l("Reason (required when refusing)"),
        validators=[Optional(), Length(max=2000, message=_AT_MOST)],
    )


class InstructionForm(FlaskForm):
    text = TextAreaField(
        _l("Instruction"), validators=[Optional(), Length(max=4000, message=_AT_MOST)]
    )


class AnswerInstructionForm(FlaskForm):
    # The version the list was loaded at; checked by the kernel (a stale page: 409).
    version = HiddenField()
    answer = TextAreaField(
        _l("What was done (落实情况)"), validators=[Optional(), Length(max=4000, message=_AT_MOST)]
    )
