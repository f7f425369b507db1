"""Log-in and log-out, the profile page and password changes."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from tracker import clock
from tracker.auth import bp
from tracker.auth.forms import LoginForm, PasswordChangeForm, ProfileForm
from tracker.auth.operations import (
    PasswordThrottled,
    authenticate,
    change_password,
    end_all_sessions,
    throttled_message,
)
from tracker.auth.throttle import Rule, client_address
from tracker.errors import ValidationFailed, apply_errors
from tracker.security import log_security_event
from tracker.web import one_transaction


def safe_next_url(target: str | None) -> str | None:
    """Only same-site relative paths; `//evil.example`, schemes and backslashes are refused."""
    if not target:
        return None
    target = target.strip()
    # Browsers drop tabs and newlines inside URLs (`/\t/evil.example` is `//evil.example`),
    # and a newline in a Location header is a 500: refuse every control character.
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        with one_transaction():  # a failure is counted and kept, like a success
            result = authenticate(
                form.username.data,
                form.password.data,
                address=client_address(),
                rule=Rule.from_config(current_app.config),
                now=clock.now(),
            )
        log_security_event("login", outcome=result.outcome, username=form.username.data)
        if result.outcome == "ok":
            next_url = safe_next_url(request.args.get("next"))
            locale = session.get("locale")
            session.clear()  # a fresh session at log-in: no fixation
            if locale:
                session["locale"] = locale
            login_user(result.user, remember=form.remember.data)
            return redirect(next_url or url_for("main.home"))
        if result.outcome == "throttled":
            # The same answer whether the name exists or not, and only for this source.
            flash(throttled_message(result.wait_seconds), "danger")
            return _login_page(form, 429, result.wait_seconds)
        if result.outcome == "inactive":
            flash(_("This account has been deactivated. Ask an administrator."), "danger")
            status = 403
        else:
            flash(_("Wrong username or password."), "danger")
            status = 401
    elif request.method == "POST":
        status = 400
    return _login_page(form, status)


def _login_page(form, status: int, retry_after: int = 0):
    response = make_response(render_template("auth/login.html", form=form), status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.post("/logout")
@login_required
def logout():
    log_security_event("logout", outcome="ok")
    with one_transaction():
        end_all_sessions(current_user)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        from tracker.notify.contacts import clean_contacts  # notify imports admin → auth

        try:
            contacts = clean_contacts(form.dingtalk_user_id.data, form.mobile.data)
        except ValidationFailed as error:
            apply_errors(form, error)
            return render_template("auth/profile.html", form=form), 422
        with one_transaction():
            current_user.dingtalk_user_id, current_user.mobile = contacts
            current_user.name = form.name.data or ""
            current_user.email = form.email.data or None
            current_user.locale = form.locale.data
            current_user.digest_opt_out = form.digest_opt_out.data
        flash(_("Your profile was saved."), "success")
        return redirect(url_for("auth.profile"))
    status = 422 if form.errors else 200
    return render_template("auth/profile.html", form=form), status


@bp.route("/profile/password", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password_view():
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        refused = None
        try:
            with one_transaction():
                try:
                    change_password(
                        current_user,
                        form.current_password.data,
                        form.new_password.data,
                        rule=Rule.from_config(current_app.config),
                        now=clock.now(),
                    )
                except ValidationFailed as error:
                    refused = error  # the failure is counted and kept; nothing else changed
        except PasswordThrottled as error:
            log_security_event("password_change", outcome="throttled")
            flash(error.message, "danger")
            response = make_response(render_template("auth/password.html", form=form), 429)
            response.headers["Retry-After"] = str(error.params["wait_seconds"])
            return response
        if refused is not None:
            log_security_event("password_change", outcome="bad_credentials")
            for field, message in refused.errors.items():
                getattr(form, field).errors.append(message)
            status = 422
        else:
            # Every older cookie is dead now; give this browser a new session.
            login_user(current_user._get_current_object())
            flash(_("Your password was changed."), "success")
            return redirect(url_for("main.home"))
    elif form.errors:
        status = 422
    return render_template("auth/password.html", form=form), status
