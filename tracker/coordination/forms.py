"""The coordination list's filter and the office's resolution form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length, Optional


class ResolveForm(FlaskForm):
    """The note is checked by the service (blank is a 422 on `resolution`)."""

    resolution = TextAreaField(_l("Resolution"), validators=[Optional(), Length(max=4000)])
