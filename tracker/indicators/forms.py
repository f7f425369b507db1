"""Forms for indicator values (report, review) and the office's indicator edits."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.indicators.labels import ATTRIBUTE_LABELS, KIND_LABELS
from tracker.indicators.value_input import NOTE_MAX_CHARS, REASON_MAX_CHARS


class ValueForm(FlaskForm):
    """The value is validated by the operation against the indicator's kind and unit."""

    year = IntegerField(_l("Year"), validators=[InputRequired(message=_l("Choose a year."))])
    value = StringField(_l("Value"), validators=[Length(max=60)])
    note = TextAreaField(
        _l("Note (source, scope of the statistics)"),
        validators=[Optional(), Length(max=NOTE_MAX_CHARS)],
    )
    files = MultipleFileField(_l("Evidence (optional)"))
    version = HiddenField()


class ReturnForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for returning"),
        validators=[
            DataRequired(message=_l("Give the reason for returning the value.")),
            Length(max=REASON_MAX_CHARS),
        ],
    )
    version = HiddenField()


class VerifyForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment (optional)"), validators=[Optional(), Length(max=REASON_MAX_CHARS)]
    )
    version = HiddenField()


class VersionForm(FlaskForm):
    """A POST-only button (submit) that carries the version the page was loaded at."""

    version = HiddenField()


class IndicatorForm(FlaskForm):
    number = IntegerField(_l("No."), validators=[InputRequired()])
    category = StringField(_l("Category"), validators=[Optional(), Length(max=60)])
    name = StringField(_l("Indicator name"), validators=[DataRequired(), Length(max=200)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=30)])
    baseline = StringField(
        _l("Baseline"),
        validators=[Optional(), Length(max=60)],
        description=_l("As the plan prints it: 96.56, [56], 第二, or empty."),
    )
    target = StringField(
        _l("Target"),
        validators=[Optional(), Length(max=60)],
        description=_l("As the plan prints it: 不低于96, 4300, [100], 前三, 完成."),
    )
    attribute = SelectField(_l("Attribute"), choices=[(k, v) for k, v in ATTRIBUTE_LABELS.items()])
    kind = SelectField(
        _l("Indicator kind"),
        choices=[(k, v) for k, v in KIND_LABELS.items()],
        description=_l("A cumulative count adds up yearly additions towards a five-year total."),
    )
    version = HiddenField()


class AssignForm(FlaskForm):
    department_id = SelectField(_l("Responsible department"), coerce=int)
    version = HiddenField()
