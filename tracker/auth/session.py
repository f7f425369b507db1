"""Flask-Login wiring: the session id carries a generation so old cookies stop working."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Integer, bindparam, select
from sqlalchemy.orm import joinedload

from tracker.extensions import db, login_manager


def load_user_from_session(session_id: str):
    """Return the user only when the cookie's generation is current and the user is active."""

    try:
        user_id, generation = (int(part) for part in session_id.split(":", 1))
    except (ValueError, AttributeError):
        return None
    # With the department: every page's menu names it (one statement fewer per request).
    user = db.session.execute(_user_with_department(), {"user_id": user_id}).scalar()
    if user is None or not user.active or user.session_generation != generation:
        return None
    return user


@lru_cache(maxsize=1)
def _user_with_department():
    """The user loader's statement, kept: every request runs it, and a kept statement is
    neither built nor walked for its cache key again (Session.get with an option was)."""
    from tracker.models import User

    return (
        select(User)
        .options(joinedload(User.department))
        .where(User.id == bindparam("user_id", type_=Integer))
    )


def configure_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_from_session)

    @app.before_request
    def require_password_change():
        """A user whose password was reset must choose a new one before anything else."""
        if (
            current_user.is_authenticated
            and current_user.must_change_password
            and request.endpoint
            not in {
                "auth.change_password",
                "auth.logout",
                "vendor.asset",
                "vendor.app_asset",
                "static",
                "main.set_language",
            }
            and not request.path.startswith("/api/")
        ):
            return redirect(url_for("auth.change_password"))
        return None
