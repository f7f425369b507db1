"""The profile page's API token section: create (shown once) and revoke.

A separate blueprint from the API on purpose: these are browser forms, so they keep
Flask-WTF's CSRF protection, which the API blueprint is exempt from.
"""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import clock
from tracker.api.forms import TokenForm
from tracker.api.tokens import (
    create_token,
    load_own_token,
    revoke_token,
    token_state,
    user_tokens,
)
from tracker.errors import ValidationFailed
from tracker.web import one_transaction

logger = logging.getLogger(__name__)

tokens_bp = Blueprint("api_tokens", __name__)


@tokens_bp.post("/profile/tokens")
@login_required
def create():
    """Create a token and show it on a page of its own, once; it is never stored in clear."""
    form = TokenForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "danger")
        return redirect(url_for("auth.profile"))
    days = int(form.expires_in_days.data) if form.expires_in_days.data else None
    try:
        with one_transaction():
            token, text = create_token(
                current_user, current_user, name=form.name.data or "", expires_in_days=days
            )
    except ValidationFailed as error:
        for message in error.errors.values():
            flash(message, "danger")
        return redirect(url_for("auth.profile"))
    logger.info("api token %s created for user %s", token.id, current_user.id)
    # Rendered, not redirected: a flashed token would sit in the (signed, not encrypted)
    # session cookie.
    return render_template("api/token_created.html", token=token, token_text=text)


@tokens_bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    """Revoke one of the caller's own tokens; it stops working at once."""
    token = load_own_token(current_user, token_id)
    with one_transaction():
        revoke_token(current_user, token)
    flash(_("The API token was revoked."), "success")
    return redirect(url_for("auth.profile"))


def api_token_rows():
    """(token, state) pairs of the current user's tokens for the profile section."""
    now = clock.now()
    return [(token, token_state(token, now)) for token in user_tokens(current_user)]


def api_token_form():
    """An empty token form for the profile section."""
    return TokenForm(formdata=None)
