"""The JSON API under /api/v1 (bearer tokens; the browser session for GET only)."""

from flask import Blueprint

from tracker.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# No cookie-authenticated request may change state here (see auth.py), so CSRF tokens are
# not needed; refusing the session for writes is what keeps cross-site forms out.
csrf.exempt(bp)
