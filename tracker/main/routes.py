"""Home, language switch and notices."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, update

from tracker import clock
from tracker.auth.routes import safe_next_url
from tracker.extensions import db
from tracker.i18n import normalise_locale
from tracker.main import bp
from tracker.models import Notice
from tracker.navigation import ROLE_HOMES
from tracker.web import one_transaction


@bp.get("/")
@login_required
def home():
    """Send each role to its own first screen; areas register theirs in ROLE_HOMES."""
    endpoint = ROLE_HOMES.get(current_user.role)
    if endpoint:
        return redirect(url_for(endpoint))
    return render_template("main/home.html")


@bp.post("/language")
def set_language():
    """Switch between Chinese and English; remembered on the profile when logged in."""
    locale = normalise_locale(request.form.get("locale")) or "zh_Hans_CN"
    session["locale"] = locale
    if current_user.is_authenticated:
        with one_transaction():
            current_user.locale = locale
    return redirect(safe_next_url(request.form.get("next")) or url_for("main.home"))


@bp.get("/notices")
@login_required
def notices():
    rows = db.session.scalars(
        select(Notice)
        .where(Notice.user_id == current_user.id)
        .order_by(Notice.created_at.desc())
        .limit(100)
    ).all()
    return render_template("main/notices.html", notices=rows)


@bp.post("/notices/read")
@login_required
def mark_notices_read():
    with one_transaction():
        db.session.execute(
            update(Notice)
            .where(Notice.user_id == current_user.id, Notice.read_at.is_(None))
            .values(read_at=clock.now())
        )
    return redirect(url_for("main.notices"))


@bp.get("/healthz")
def healthz():
    """Liveness for the load balancer and the `make run` smoke test."""
    return {"status": "ok"}
