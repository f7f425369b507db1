"""Security headers on every response and the structured security log (ASVS V7)."""

from __future__ import annotations

import json
import logging

from flask import Flask, request
from flask_login import current_user

from tracker import clock

security_logger = logging.getLogger("tracker.security")

# Everything the pages need is served by the app itself; nothing inline runs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("PRODUCTION"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint and not request.endpoint.startswith(("vendor.", "static")):
            headers.setdefault("Cache-Control", "no-store")
            if "attachment" in headers.get("Content-Disposition", ""):
                # Every download here carries some department's data (exports, bulletins,
                # evaluations, evidence); send_file's default `no-cache` lets a shared
                # cache or the browser keep a copy, so no download may be stored.
                headers["Cache-Control"] = "private, no-store"
        return response


def log_security_event(
    action: str, *, outcome: str, username: str | None = None, obj: str | None = None
) -> None:
    """One JSON line per login, failure or denial; JSON escaping makes CR/LF harmless."""
    user = username
    if user is None and current_user and getattr(current_user, "is_authenticated", False):
        user = current_user.username
    record = {
        "time": clock.now().isoformat() + "Z",
        "user": user,
        "ip": request.remote_addr if request else None,
        "action": action,
        "object": obj,
        "outcome": outcome,
    }
    security_logger.info(json.dumps(record, ensure_ascii=False))
