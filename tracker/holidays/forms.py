"""The form for entering a holiday year: the arrangement pasted as CSV or uploaded."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.holidays.parsing import MAX_YEAR, MIN_YEAR


class HolidayYearForm(FlaskForm):
    year = IntegerField(
        _l("Year"), validators=[DataRequired(), NumberRange(min=MIN_YEAR, max=MAX_YEAR)]
    )
    source = StringField(
        _l("Source (e.g. the notice's number)"), validators=[Optional(), Length(max=200)]
    )
    arrangement = TextAreaField(
        _l("Arrangement, one line each: kind,name,first day,last day"),
        validators=[Optional(), Length(max=20000)],
        description=_l(
            "kind is holiday (放假) or workday (调休上班); the last day may be left out. "
            "Example: holiday,春节,2027-02-06,2027-02-13"
        ),
        render_kw={"rows": 14, "spellcheck": "false"},
    )
    file = FileField(_l("Or upload a CSV or JSON file"))
