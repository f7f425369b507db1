"""Forms for log-in, the profile and password changes."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.validators import Email as EmailValidator


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    email = EmailField(
        _l("Email"),
        validators=[Optional(), Length(max=254), EmailValidator(check_deliverability=False)],
    )
    locale = SelectField(_l("Language"), choices=[("zh_Hans_CN", "中文"), ("en", "English")])
    digest_opt_out = BooleanField(_l("Do not send me the weekly digest"))
    dingtalk_user_id = StringField(
        _l("DingTalk / 浙政钉 user id"), validators=[Optional(), Length(max=64)]
    )
    mobile = StringField(_l("Mobile number (for SMS)"), validators=[Optional(), Length(max=20)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=200)]
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=10, max=200, message=_l("Use 10 to 200 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
