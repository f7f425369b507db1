"""The profile page's form for a new API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

EXPIRY_CHOICES = [
    ("", _l("Never (until revoked)")),
    ("30", _l("30 days")),
    ("90", _l("90 days")),
    ("365", _l("1 year")),
]


class TokenForm(FlaskForm):
    name = StringField(_l("What is it for?"), validators=[Optional(), Length(max=100)])
    expires_in_days = SelectField(_l("Expires"), choices=EXPIRY_CHOICES, default="")
