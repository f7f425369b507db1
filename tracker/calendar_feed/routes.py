"""The feed itself (token in the URL, no log-in) and the profile buttons that manage it."""

from __future__ import annotations

import logging

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tracker import clock
from tracker.calendar_feed import bp
from tracker.calendar_feed.feed import feed_events, render_ics
from tracker.calendar_feed.operations import issue_feed_token, revoke_feed_token, user_for_token
from tracker.i18n import normalise_locale
from tracker.web import one_transaction

logger = logging.getLogger(__name__)


def _external(endpoint: str, **values) -> str:
    """An absolute link for calendar apps, built from EXTERNAL_URL (no request host trusted)."""
    path = url_for(endpoint, **values)
    return current_app.config["EXTERNAL_URL"].rstrip("/") + path


@bp.get("/<token>.ics", endpoint="feed")
def feed(token: str):
    """The iCalendar feed; an unknown or revoked token is a 404 like any missing page."""
    user = user_for_token(token)
    if user is None:
        abort(404)
    locale = normalise_locale(user.locale) or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        events = feed_events(user, clock.today(), _external)
        name = _("Plan Tracker · %(department)s", department=user.department.short_name)
        body = render_ics(
            events, name=name, timezone=current_app.config["TIMEZONE"], now=clock.now()
        )
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="plan-tracker.ics"'
    return response


@bp.post("/token")
@login_required
def create_token():
    """Create (or replace) the feed link and show it once; only its hash is kept."""
    with one_transaction():
        token = issue_feed_token(current_user)
    feed_url = _external("calendar.feed", token=token)
    return render_template("calendar/feed_created.html", feed_url=feed_url)


@bp.post("/token/revoke")
@login_required
def revoke_token():
    with one_transaction():
        revoke_feed_token(current_user)
    flash(_("The calendar link no longer works."), "success")
    return redirect(url_for("auth.profile"))
