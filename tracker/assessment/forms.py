"""The rules form: a new version pasted as CSV (the import's format) or uploaded."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional


class RulesForm(FlaskForm):
    rules = TextAreaField(
        _l("Rules, one line each: year_from,year_to,base,category,cap,event,points"),
        validators=[Optional(), Length(max=60000)],
        description=_l(
            "Lines with the same years form one version. A version from a later year "
            "replaces the open one from that year on; years already covered cannot change. "
            "Leave year_to empty for 'until changed' and cap empty for no cap."
        ),
        render_kw={"rows": 16, "spellcheck": "false"},
    )
    file = FileField(_l("Or upload a CSV file"))
    note = StringField(
        _l("Source (e.g. the notice's number)"), validators=[Optional(), Length(max=500)]
    )
