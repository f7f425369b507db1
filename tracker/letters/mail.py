"""A letter's mail to the department's liaisons, copied to its head, approver and the office,
through the outbox (its dedupe key is the letter's, so a letter is mailed once)."""

from __future__ import annotations

import logging

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.letters.texts import level_title, reason_text
from tracker.models import Letter, User
from tracker.notify.messages import MessageDraft, external_url, item_url, unique_addresses
from tracker.notify.outbox import queue_drafts
from tracker.notify.rendering import mail_locale
from tracker.workflow import Role

logger = logging.getLogger(__name__)


def _addresses(*conditions) -> list[str]:
    return unique_addresses(
        db.session.scalars(
            select(User.email).where(User.active.is_(True), *conditions).order_by(User.id)
        )
    )


def letter_draft(letter: Letter) -> MessageDraft:
    department = letter.department
    to = _addresses(User.department_id == letter.department_id, User.role == Role.LIAISON.value)
    # The department's head (its recorded address, and its approver if it has one — the
    # person who signs its reports off) and the office are copied.
    head = unique_addresses([department.head_email if department else None])
    approvers = _addresses(
        User.department_id == letter.department_id, User.role == Role.APPROVER.value
    )
    cc = unique_addresses(head + approvers + _addresses(User.role == Role.OFFICE.value), exclude=to)
    if not to:  # nobody in the department to write to: the office gets it and follows up
        to, cc = cc, []
    with mail_locale():
        subject = _(
            "[Plan Tracker] %(title)s %(number)s: reply by %(date)s",
            title=level_title(letter.level),
            number=letter.number,
            date=letter.reply_due.isoformat(),
        )
        lines = [
            {
                "code": reason["code"],
                "title": reason.get("title", ""),
                "text": reason_text(reason),
                "url": item_url(reason["item_id"]),
            }
            for reason in letter.reasons
        ]
        title = level_title(letter.level)
    return MessageDraft(
        kind="letter",
        dedupe_key=f"letter:{letter.id}:issued",
        to=to,
        cc=cc,
        department_id=letter.department_id,
        department=department.short_name if department else None,
        subject=subject,
        items=list(dict.fromkeys(line["code"] for line in lines)),
        template="letter",
        context={
            "title": title,
            "number": letter.number,
            "reply_due": letter.reply_due,
            "lines": lines,
            "letter_url": external_url("letters.show", letter_id=letter.id),
        },
    )


def queue_letter_mail(letter: Letter) -> None:
    draft = letter_draft(letter)
    if not draft.to:
        logger.warning("letter %s: nobody with an email address to send it to", letter.number)
        return
    queue_drafts([draft])
