"""Forms of the plan pages: upload a plan file, confirm a parsed upload."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional


class UploadForm(FlaskForm):
    # Presence, size and type are checked by tracker.plans.reading, with its own messages.
    file = FileField(
        _l("Plan file"),
        description=_l(".txt (UTF-8 or GB18030), .docx, or a PDF with a text layer."),
    )
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=200)],
        description=_l("Leave empty to use the title found in the text."),
    )
    period = StringField(
        _l("Period"),
        validators=[Optional(), Length(max=20)],
        description=_l("e.g. 2021-2025; leave empty to infer it from the title (十四五)."),
    )
    target = SelectField(_l("Import as"), default="auto")


class ApplyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    period = StringField(
        _l("Period"), validators=[DataRequired(), Length(max=20)], description=_l("e.g. 2021-2025")
    )
    # The target plan's text digest when the preview was made: a later change makes it stale.
    base = HiddenField()


class ConfirmForm(FlaskForm):
    """Just the CSRF token, for POST-only buttons."""


class CorrectionForm(FlaskForm):
    """One correction of the parsed tree or an indicator row (tracker/plans/corrections.py)."""

    op = SelectField(
        _l("Correction"),
        choices=[
            ("rename", _l("Rename the node (value: the new title)")),
            ("kind", _l("Change its kind (value: part, chapter, section, task, item, column)")),
            ("delete", _l("Delete it (residue; its children move up)")),
            ("merge", _l("Merge it into the node before it")),
            ("split", _l("Split its text (value: the phrase the new node starts with)")),
            ("move", _l("Move it under another node (value: that node's code, / for the top)")),
            ("indicator", _l("Edit an indicator row (code: its number; value: field=value)")),
        ],
    )
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=60)],
        render_kw={"list": "node-codes"},
    )
    value = StringField(_l("New value"), validators=[Optional(), Length(max=1000)])
