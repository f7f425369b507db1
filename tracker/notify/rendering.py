"""Rendering mail: bodies from templates/email/*.txt + *.html, and the MIME message itself."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale, format_date

from tracker import clock
from tracker.models import OutboxMessage
from tracker.notify.messages import MessageDraft, clean_header, unique_addresses


@contextmanager
def mail_locale() -> Iterator[None]:
    """Mail goes to several people at once, so it is written in the product's language."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        yield


def mail_date(value) -> str:
    return format_date(value, "long")


def render_bodies(draft: MessageDraft) -> tuple[str, str]:
    """Plain text and HTML; Jinja autoescapes the .html template, so titles stay text."""
    context = {
        **draft.context,
        "subject": draft.subject,
        "department": draft.department,
        "mail_date": mail_date,
        "external_url": current_app.config["EXTERNAL_URL"].rstrip("/"),
    }
    with mail_locale():
        text = render_template(f"email/{draft.template}.txt", **context)
        html = render_template(f"email/{draft.template}.html", **context)
    return text, html


def _sender() -> str | Address:
    configured = current_app.config["MAIL_DEFAULT_SENDER"]
    name, address = parseaddr(configured)
    if not address or not unique_addresses([address]):
        raise ValueError(f"MAIL_DEFAULT_SENDER is not a valid address: {configured!r}")
    return Address(display_name=clean_header(name), addr_spec=address) if name else address


def build_email(message: OutboxMessage) -> EmailMessage:
    """A multipart/alternative message; header values cannot carry CR/LF or extra addresses.

    `policy=SMTP` encodes Chinese subjects as RFC 2047 words and uses CRLF line ends. The
    Message-ID derives from the dedupe key, so if a crash ever made us send a row twice,
    mail clients would still show it once.
    """
    email = EmailMessage(policy=SMTP)
    sender = _sender()
    to = unique_addresses(message.to_addrs or [])
    cc = unique_addresses(message.cc_addrs or [], exclude=to)
    if not to:
        raise ValueError("the message has no valid recipient")
    email["Subject"] = clean_header(message.subject)
    email["From"] = sender
    email["To"] = [Address(addr_spec=a) for a in to]
    if cc:
        email["Cc"] = [Address(addr_spec=a) for a in cc]
    email["Date"] = format_datetime(clock.now().replace(tzinfo=UTC))
    domain = sender.domain if isinstance(sender, Address) else sender.split("@")[-1]
    digest = hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:16]
    email["Message-ID"] = f"<tracker.outbox{message.id}.{digest}@{domain or 'localhost'}>"
    email["Auto-Submitted"] = "auto-generated"
    email["X-Tracker-Dedupe-Key"] = clean_header(message.dedupe_key)
    email.set_content(message.body_text, charset="utf-8")
    email.add_alternative(message.body_html, subtype="html", charset="utf-8")
    return email


def recipients(message: OutboxMessage) -> list[str]:
    to = unique_addresses(message.to_addrs or [])
    return to + unique_addresses(message.cc_addrs or [], exclude=to)
