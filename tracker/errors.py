"""Domain errors and the one place that maps them (and HTTP errors) to responses."""

from __future__ import annotations

import logging
import sqlite3

from flask import Flask, flash, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """Base of the errors services raise; `status` is the HTTP answer, `code` is stable."""

    status = 400
    code = "error"

    def __init__(self, message: str = "", **params):
        super().__init__(message)
        self.message = message
        self.params = params


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class InvalidTransition(DomainError):
    """The action is not allowed from the object's current state."""

    status = 409
    code = "invalid_transition"


class StaleVersion(DomainError):
    """The form was loaded at an older version; the newer data wins."""

    status = 409
    code = "stale_version"

    def __init__(self, message: str = "", current_version: int | None = None, **params):
        super().__init__(message, **params)
        self.current_version = current_version


class Conflict(DomainError):
    """Someone else created or changed the same thing at the same moment."""

    status = 409
    code = "conflict"


class ValidationFailed(DomainError):
    """Input that cannot be accepted; `errors` maps field names to messages."""

    status = 422
    code = "validation_failed"

    def __init__(self, errors: dict[str, str] | str, **params):
        if isinstance(errors, str):
            errors = {"_": errors}
        super().__init__("; ".join(errors.values()), **params)
        self.errors = errors


# Stable names for plain HTTP errors, so every JSON error carries a word, not a number.
HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "internal_error",
    503: "database_unavailable",
}

# Seconds a client is asked to wait when the database is away (a restart takes a few).
RETRY_AFTER_SECONDS = 10

# SQLite raises OperationalError for programming mistakes too ("no such table"); only
# these mean the file is busy or gone. psycopg's OperationalError is always the server.
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "readonly database")


def apply_errors(form, error: ValidationFailed) -> None:
    """Put a service's field errors next to the form's fields; the rest become a flash."""
    for name, message in error.errors.items():
        field = getattr(form, name, None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*(field.errors or []), message]
        else:
            flash(message, "danger")


def flash_form_errors(form) -> None:
    """A form that did not validate, on a page that redirects instead of showing it again:
    each field's errors become one flash."""
    for messages in form.errors.values():
        flash("; ".join(str(m) for m in messages), "danger")  # lazy messages too


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def _error_titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Please log in"),
        403: _("You may not do this"),
        404: _("Not found"),
        405: _("Method not allowed"),
        409: _("Conflict"),
        413: _("The file is too large"),
        422: _("The input could not be accepted"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
        503: _("The database is briefly unavailable"),
    }


def render_error(status: int, message: str | None = None, code: str | None = None, **extra):
    title = _error_titles().get(status, _("Error"))
    if wants_json():
        body = {"error": {"code": code or str(status), "message": message or title}}
        body["error"].update(extra)
        return jsonify(body), status
    template = (
        f"errors/{status}.html" if status in (403, 404, 409, 500, 503) else "errors/generic.html"
    )
    return render_template(template, status=status, title=title, message=message), status


def _rollback() -> None:
    """The one rollback rule: a request that ends in an error leaves nothing written."""
    from tracker.extensions import db

    db.session.rollback()


def database_unavailable(error: BaseException) -> bool:
    """True when `error` means the database is away (restarting, connection dropped, file
    locked past the busy timeout, pool exhausted) rather than a mistake in the query."""
    if isinstance(error, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
        original = error.orig
        if isinstance(original, sqlite3.Error):
            text = str(original).lower()
            return any(word in text for word in _SQLITE_UNAVAILABLE)
        return True
    return False


def _discard_session() -> None:
    """Roll back and drop the session; its connection may be dead, so neither may raise."""
    from tracker.extensions import db

    for step in (db.session.rollback, db.session.remove):
        try:
            step()
        except Exception:  # noqa: BLE001 - the connection is already lost
            logger.info("discarding the session after a lost database", exc_info=True)


def _database_unavailable_response():
    """503 with Retry-After: a friendly page, or a JSON error under /api/."""
    from tracker.extensions import login_manager

    _discard_session()
    # The page must not reach for the database again: loading the user would fail the same way,
    # and a user loaded earlier is detached now (its expired attributes cannot be refreshed —
    # the locale selector asks it whether it is authenticated), so answer as anonymous.
    g._login_user = login_manager.anonymous_user()
    message = _("The database is restarting or busy; please try again in a few seconds.")
    response = make_response(*render_error(503, message, "database_unavailable"))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _close_session_quietly(_error=None) -> None:
    """End the request's session without letting a dead connection turn it into a 500.

    Flask-SQLAlchemy's own teardown rolls the session back after the response is built; when
    PostgreSQL restarts between the last query and that ROLLBACK, the teardown raised and
    gunicorn answered 500 for a page that had already succeeded (seen in `make faults`).
    Registered after Flask-SQLAlchemy's, so it runs first and leaves nothing for it to do.
    """
    from tracker.extensions import db

    try:
        db.session.remove()
    except sa_exc.DBAPIError:
        logger.info("closing the session after a lost database", exc_info=True)
        db.session.registry.clear()


def register_error_handlers(app: Flask) -> None:
    app.teardown_appcontext(_close_session_quietly)

    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        _rollback()
        extra = {}
        if isinstance(error, ValidationFailed):
            extra["fields"] = error.errors
        if isinstance(error, StaleVersion) and error.current_version is not None:
            extra["current_version"] = error.current_version
        return render_error(error.status, error.message or None, error.code, **extra)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(_error: CSRFError):
        _rollback()
        return render_error(
            400,
            _("The form expired or was not sent from this site. Please reload and try again."),
            "csrf_failed",
        )

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        _rollback()
        messages = {
            413: _("The upload is larger than the allowed size."),
            404: _("The page or object does not exist, or you may not see it."),
        }
        status = error.code or 500
        return render_error(status, messages.get(status), HTTP_ERROR_CODES.get(status, str(status)))

    @app.errorhandler(sa_exc.DisconnectionError)
    @app.errorhandler(sa_exc.TimeoutError)
    @app.errorhandler(sa_exc.OperationalError)
    @app.errorhandler(sa_exc.InterfaceError)
    def handle_database_error(error: Exception):
        if not database_unavailable(error):
            return handle_unexpected_error(error)
        logger.warning("database unavailable on %s: %s", request.path, error)
        return _database_unavailable_response()

    @app.errorhandler(Exception)
    def handle_unexpected_error(error: Exception):
        logger.exception("unhandled error on %s", request.path)
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        _rollback()
        return render_error(500, None, "internal_error")
