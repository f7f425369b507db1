"""Mail transports: .eml files (development), SMTP with STARTTLS/SSL, memory (tests)."""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from pathlib import Path

from flask import Flask

logger = logging.getLogger(__name__)


class TransportUnavailable(Exception):
    """The transport cannot send anything right now (server unreachable, log-in refused).

    The dispatcher stops the batch: every remaining message would fail the same way.
    """


class Transport:
    """Open once per dispatch batch, send several messages, close."""

    name = "base"

    def open(self) -> None:  # noqa: B027 (optional hook)
        """Connect; raise TransportUnavailable if that is impossible."""

    def send(self, message: EmailMessage, recipients: list[str], filename_hint: str) -> str | None:
        """Send one message; return a note for the outbox row (e.g. refused recipients)."""
        raise NotImplementedError

    def close(self) -> None:  # noqa: B027 (optional hook)
        """Disconnect."""

    def describe(self) -> str:
        return self.name


class FileTransport(Transport):
    """Development: every message becomes an .eml file a person can open in a mail client."""

    name = "file"

    def __init__(self, folder: str):
        self.folder = Path(folder)

    def send(self, message, recipients, filename_hint):  # noqa: ARG002
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"{filename_hint}.eml"
        # Write then rename, so a reader never sees half a message.
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(message.as_bytes())
        os.replace(tmp, target)
        return None

    def describe(self) -> str:
        return f"file ({self.folder})"


class MemoryTransport(Transport):
    """Tests and dry demos: messages are appended to a list on the app."""

    name = "memory"

    def __init__(self, box: list):
        self.box = box

    def send(self, message, recipients, filename_hint):  # noqa: ARG002
        self.box.append(message)
        return None


class SmtpTransport(Transport):
    """SMTP relay, plain, STARTTLS (MAIL_USE_TLS) or implicit TLS (MAIL_USE_SSL), with a timeout."""

    name = "smtp"

    def __init__(self, config):
        self.host = config["MAIL_SERVER"]
        self.port = int(config["MAIL_PORT"])
        self.use_tls = bool(config["MAIL_USE_TLS"])
        self.use_ssl = bool(config["MAIL_USE_SSL"])
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.timeout = int(config.get("MAIL_TIMEOUT", 10))
        self.ca_file = config.get("MAIL_CA_FILE")
        self.sender = config["MAIL_DEFAULT_SENDER"]
        self.connection: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def open(self) -> None:
        try:
            if self.use_ssl:
                connection = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=self._context()
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.use_tls:
                    connection.starttls(context=self._context())
            if self.username:
                connection.login(self.username, self.password or "")
        except (OSError, smtplib.SMTPException) as error:
            raise TransportUnavailable(
                f"SMTP server {self.host}:{self.port} unavailable: {error}"
            ) from error
        self.connection = connection

    def send(self, message, recipients, filename_hint):  # noqa: ARG002
        if self.connection is None:
            self.open()
        try:
            refused = self.connection.send_message(
                message, from_addr=_envelope_sender(self.sender), to_addrs=recipients
            )
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self.connection = None
            raise TransportUnavailable(f"SMTP connection lost: {error}") from error
        if refused:
            return "refused by the server: " + ", ".join(sorted(refused))
        return None

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.connection = None

    def describe(self) -> str:
        mode = "SSL" if self.use_ssl else "STARTTLS" if self.use_tls else "plain"
        return f"smtp ({self.host}:{self.port}, {mode})"


def _envelope_sender(configured: str) -> str:
    from email.utils import parseaddr

    return parseaddr(configured)[1] or configured


def memory_box(app: Flask) -> list:
    """The list the memory transport appends to (tests read it)."""
    return app.extensions.setdefault("notify.memory_outbox", [])


def get_transport(app: Flask) -> Transport:
    backend = app.config.get("MAIL_BACKEND", "file")
    if backend == "smtp":
        return SmtpTransport(app.config)
    if backend == "file":
        return FileTransport(app.config["MAIL_FILE_DIR"])
    if backend == "memory":
        return MemoryTransport(memory_box(app))
    raise RuntimeError(f"unknown MAIL_BACKEND {backend!r} (file, smtp or memory)")
