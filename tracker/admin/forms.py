"""Admin forms for users and departments."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.validators import Email as EmailValidator

from tracker.templating import ROLE_LABELS

DEPARTMENT_KIND_CHOICES = [
    ("government", _l("Government department")),
    ("vertical", _l("Vertically managed unit")),
    ("non_government", _l("Non-government unit")),
    ("office", _l("Leading-group office")),
]


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    email = EmailField(
        _l("Email"),
        validators=[Optional(), Length(max=254), EmailValidator(check_deliverability=False)],
    )
    role = SelectField(_l("Role"), choices=[(k, v) for k, v in ROLE_LABELS.items()])
    department_id = SelectField(_l("Department"), coerce=int)
    dingtalk_user_id = StringField(
        _l("DingTalk / 浙政钉 user id"), validators=[Optional(), Length(max=64)]
    )
    mobile = StringField(_l("Mobile number (for SMS)"), validators=[Optional(), Length(max=20)])
    active = BooleanField(_l("Active"), default=True)


class DepartmentForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    short_name = StringField(_l("Short name"), validators=[DataRequired(), Length(max=60)])
    kind = SelectField(_l("Kind"), choices=DEPARTMENT_KIND_CHOICES)
    aliases = TextAreaField(_l("Aliases (one per line)"), validators=[Optional(), Length(max=2000)])
    head_email = EmailField(
        _l("Department head's email (for escalations)"),
        validators=[Optional(), Length(max=254), EmailValidator(check_deliverability=False)],
    )
    robot_webhook = StringField(
        _l("Group robot webhook (DingTalk or 企业微信, https)"),
        validators=[Optional(), Length(max=500)],
    )
    robot_secret = PasswordField(
        _l("DingTalk robot signing secret (加签; empty keeps the saved one)"),
        validators=[Optional(), Length(max=200)],
    )
    active = BooleanField(_l("Active"), default=True)


class ConfirmForm(FlaskForm):
    """An empty form: just the CSRF token for POST-only buttons."""
