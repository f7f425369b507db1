"""Forms of the spreadsheet pages: upload a 任务分解表, confirm its preview."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField


class UploadForm(FlaskForm):
    # Presence, size and content are checked by tracker.spreadsheets.reader, with its messages.
    plan_id = SelectField(_l("Plan"), coerce=int)
    file = FileField(
        _l("Task table (.xlsx)"),
        description=_l(
            "Columns 序号, 章节, 重点任务, 具体内容, 牵头单位, 配合单位, 完成时限 (names such as "
            "工作内容, 内容与要求 or 责任单位 are understood). Several units in one cell are "
            "separated by 、 ， or line breaks; the first leads unless one is marked （牵头）."
        ),
    )


class ConfirmForm(FlaskForm):
    """Just the CSRF token, for the confirm button."""
