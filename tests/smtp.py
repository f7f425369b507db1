"""A real SMTP server on loopback (aiosmtpd) that records what it receives.

    from tests.smtp import smtp_server_fixture  # noqa: F401  (provides `smtp_server`)

`smtp_server.stop()` / `.start()` simulate the relay going down and coming back on the
same port; `.messages` are parsed `email.message.EmailMessage`s with their envelopes.
"""

from __future__ import annotations

import socket
import subprocess
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


class _Recorder:
    def __init__(self, box: list[Received]):
        self.box = box

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        raw = envelope.original_content or envelope.content
        self.box.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                message=message_from_bytes(raw, policy=default),
                raw=raw,
            )
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    """One aiosmtpd controller that can be stopped and restarted on the same port."""

    def __init__(self, port: int | None = None, **controller_options):
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.messages: list[Received] = []
        self.options = controller_options
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(
            _Recorder(self.messages), hostname=self.host, port=self.port, **self.options
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def config(self) -> dict:
        """App settings that point the smtp transport at this server."""
        return {
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": self.host,
            "MAIL_PORT": self.port,
            "MAIL_USE_TLS": False,
            "MAIL_USE_SSL": False,
            "MAIL_USERNAME": None,
            "MAIL_TIMEOUT": 5,
        }

    def by_key(self) -> dict[str, list[Received]]:
        result: dict[str, list[Received]] = {}
        for received in self.messages:
            result.setdefault(received.message["X-Tracker-Dedupe-Key"], []).append(received)
        return result


@pytest.fixture(name="smtp_server")
def smtp_server_fixture():
    server = SmtpServer().start()
    yield server
    server.stop()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 made with the openssl command (for STARTTLS tests)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key
