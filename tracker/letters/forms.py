"""Forms of the letter pages: reply with evidence, a note (close, cancel, escalate), issue."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from tracker.items.forms import VersionedForm, at_most


class ReplyForm(VersionedForm):
    reply = TextAreaField(
        _l("Reply (what your department has done)"), validators=[Optional(), at_most(5000)]
    )
    files = MultipleFileField(_l("Evidence files"))


class NoteForm(VersionedForm):
    note = TextAreaField(_l("Note"), validators=[Optional(), at_most(5000)])


class IssueForm(FlaskForm):
    level = SelectField(
        _l("Level"),
        choices=[
            ("yellow", _l("Yellow: reminder notice")),
            ("orange", _l("Orange: supervision notice")),
            ("red", _l("Red: accountability interview notice")),
        ],
    )
    codes = StringField(
        _l("Work item codes (one department's, separated by spaces or commas)"),
        validators=[Optional(), at_most(2000)],
    )
    plan_id = SelectField(_l("Plan"), coerce=int, validate_choice=False)
    note = TextAreaField(_l("Why the letter is issued"), validators=[Optional(), at_most(5000)])
