"""Who is calling: a bearer token, or the browser session for reading only.

Every request under /api/v1 passes here first. A token in `Authorization: Bearer …`
authenticates the call (and wins over a session cookie). Without one, the logged-in
session is accepted for GET/HEAD only: the API is exempt from CSRF tokens, so a
cookie-authenticated write would be a cross-site request forgery waiting to happen.
"""

from __future__ import annotations

import logging

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user

from tracker import clock
from tracker.api import bp
from tracker.api.tokens import resolve_token, touch_token
from tracker.errors import render_error
from tracker.extensions import db
from tracker.security import log_security_event

logger = logging.getLogger(__name__)

# Request bodies of the API are small JSON documents; evidence files go through the pages.
API_MAX_BODY = 256 * 1024
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_ENDPOINTS = frozenset({"api.openapi"})


def unauthorized(code: str, message: str):
    response, status = render_error(401, message, code)
    response.headers["WWW-Authenticate"] = f'Bearer realm="api", error="{code}"'
    return response, status


@bp.before_request
def authenticate():
    request.max_content_length = API_MAX_BODY
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization")
    if header is not None:
        return _authenticate_token(header)
    if current_user.is_authenticated:
        if request.method not in SAFE_METHODS:
            log_security_event(f"api.{request.method}", outcome="session_write", obj=request.path)
            return unauthorized(
                "token_required",
                _("Changes through the API need an API token (Authorization: Bearer …)."),
            )
        g.api_auth = "session"
        return None
    log_security_event("api", outcome="anonymous", obj=request.path)
    return unauthorized("authentication_required", _("Send an API token or log in first."))


def _authenticate_token(header: str):
    scheme, _sep, credentials = header.strip().partition(" ")
    now = clock.now()
    token, outcome = (None, "malformed")
    if scheme.lower() == "bearer" and credentials.strip():
        token, outcome = resolve_token(credentials.strip(), now=now)
    if outcome != "ok":
        username = token.user.username if token is not None else None
        log_security_event("api.token", outcome=outcome, username=username or "", obj=request.path)
        return unauthorized("invalid_token", _("The API token is invalid, expired or revoked."))
    user = token.user
    if touch_token(token, now):
        db.session.commit()
    # Flask-Login keeps the request's user in g._login_user; setting it makes
    # `current_user` the token's owner for this request only (no session is written).
    g._login_user = user
    g.api_auth = "token"
    g.api_token_id = token.id
    return None


def auth_method() -> str:
    return g.get("api_auth", "session")
