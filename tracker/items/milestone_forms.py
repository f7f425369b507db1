"""Forms of the milestone plan pages: the rows of the plan, a reached claim, a decision."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, Form, FormField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from tracker.items.forms import DateText, VersionedForm, at_most

# Rows shown on the edit page: the plan's own and a few blank ones (no script adds rows).
BLANK_ROWS = 3
MAX_ROWS = 30


class WeightText:
    def __call__(self, _form, field):
        text = (field.data or "").strip().rstrip("%％").strip()
        if not text:
            field.parsed = None
            return
        try:
            field.parsed = int(text)
        except ValueError:
            raise ValidationError(_l("Enter a whole number from 1 to 100.")) from None


class MilestoneRowForm(Form):
    title = StringField(_l("Milestone title"), validators=[Optional(), at_most(300)])
    planned_date = StringField(_l("Planned date"), validators=[DateText()])
    weight = StringField(_l("Weight in percent"), validators=[WeightText()])

    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in (self.title, self.planned_date, self.weight))

    def step(self) -> dict:
        return {
            "title": self.title.data or "",
            "planned_date": getattr(self.planned_date, "parsed", None),
            "weight": getattr(self.weight, "parsed", None),
        }


class MilestonesForm(VersionedForm):
    rows = FieldList(FormField(MilestoneRowForm), min_entries=1, max_entries=MAX_ROWS)

    def steps(self) -> list[dict]:
        return [row.form.step() for row in self.rows if not row.form.is_blank()]


class ReachedForm(VersionedForm):
    reached_on = StringField(_l("Reached on"), validators=[DateText(required=True)])


class DecisionForm(VersionedForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), at_most(2000)])
