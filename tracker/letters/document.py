"""A letter as a .docx in GB/T 9704 style (the kit in tracker.documents.docx): red masthead
with the issuing body, 文号, title, addressee, the items and what is late, the reply deadline,
the seal text line and the signature. The office's settings: LETTER_ISSUING_BODY (default:
the office's name), LETTER_SEAL_TEXT, LETTER_SIGNATURE."""

from __future__ import annotations

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from tracker.bulletins.data import issuer_name
from tracker.documents import docx
from tracker.letters.texts import level_title, reason_text
from tracker.models import Letter


def issuing_body() -> str:
    return current_app.config.get("LETTER_ISSUING_BODY") or issuer_name()


def letter_lines(letter: Letter) -> list[list[str]]:
    return [
        [str(position), reason["code"], reason.get("title", ""), reason_text(reason)]
        for position, reason in enumerate(letter.reasons, start=1)
    ]


def render_letter_docx(letter: Letter) -> bytes:
    config = current_app.config
    body_name = issuing_body()
    document = docx.new_document(title=letter.number)
    docx.title(document, body_name, size=docx.SIZE_YI_HAO, color=docx.RED, space_after=12)
    number = docx.paragraph(document, letter.number, align=docx.CENTER, space_after=18)
    docx.red_rule(number)
    docx.title(document, level_title(letter.level), space_after=18)
    department = letter.department.name if letter.department else ""
    docx.paragraph(document, _("%(department)s:", department=department))
    docx.body(
        document,
        _(
            "The following work items led by your department need your attention. Please reply "
            "in writing, with evidence, through Plan Tracker by %(date)s.",
            date=format_date(letter.reply_due, "long"),
        ),
    )
    if letter.note:
        docx.body(document, letter.note)
    docx.table(
        document,
        [_("No."), _("Code"), _("Work item"), _("Reason")],
        letter_lines(letter),
        size=11,
        widths_mm=[12, 28, 60, 56],
    )
    docx.paragraph(document)
    if config.get("LETTER_SEAL_TEXT"):
        docx.paragraph(document, config["LETTER_SEAL_TEXT"], align=docx.RIGHT)
    docx.paragraph(document, config.get("LETTER_SIGNATURE") or body_name, align=docx.RIGHT)
    docx.paragraph(document, format_date(letter.issued_on, "long"), align=docx.RIGHT)
    return docx.to_bytes(document)
