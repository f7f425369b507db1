"""The request convention every page and API view follows: one transaction per request that
writes (`one_transaction`), one form flow (`form_page`), one role guard (`role_required`).

The rule for rollback is single: a block that raises leaves nothing written — `one_transaction`
rolls back before the error travels on, and the error handlers in `tracker/errors.py` roll
back too, so a view that raises outside the block cannot leave a half-written session."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from contextlib import contextmanager
from functools import wraps

from flask import render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.errors import (
    Conflict,
    DomainError,
    InvalidTransition,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
    apply_errors,
)
from tracker.extensions import db
from tracker.models import Department
from tracker.security import log_security_event
from tracker.workflow import Role

logger = logging.getLogger(__name__)


@contextmanager
def one_transaction():
    """Commit once when the block succeeds; roll everything back when it raises.

    Services check uniqueness before writing; two callers racing past that check meet the
    database's unique constraint, which answers 409 (`Conflict`) instead of a 500."""
    try:
        yield
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        logger.warning("integrity error in a write: %s", error)
        raise Conflict() from None
    except BaseException:
        db.session.rollback()
        raise


def role_required(roles: Iterable[Role], *, event: str | None = None, message: str = ""):
    """Log in, then only the given roles pass; anyone else is a 403 (with `message`, a
    lazy string, when the page should say why) and a security event (named `event`, else
    the endpoint)."""
    allowed = frozenset(Role(role) for role in roles)

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if Role(current_user.role) not in allowed:
                log_security_event(
                    event or request.endpoint or "", outcome="denied", obj=request.path
                )
                raise PermissionDenied(str(message))
            return view(*args, **kwargs)

        return wrapper

    return decorator


def conflict_page(error: DomainError, back_url: str, obj_label: str = ""):
    """The 409 page for a stale form or a state that moved on; the newer data is kept."""
    stale = isinstance(error, StaleVersion)
    return (
        render_template(
            "items/conflict.html",
            stale=stale,
            message=error.message,
            back_url=back_url,
            obj_label=obj_label,
        ),
        409,
    )


def form_page(
    form,
    operation,
    *,
    done,
    template: str,
    context: dict,
    back_url: str = "",
    label: str = "",
    conflicts: tuple = (StaleVersion, InvalidTransition),
    idle_status: int = 200,
):
    """The flow of a page with one form: on a valid POST run `operation` in one transaction
    and answer with `done(result)`; a stale form or a state that moved on (`conflicts`) is
    the 409 page; service field errors go back onto the form; otherwise show the form again
    (422 when it did not validate)."""
    status = idle_status
    if form.validate_on_submit():
        try:
            with one_transaction():
                result = operation()
        except conflicts as error:
            return conflict_page(error, back_url, label)
        except ValidationFailed as error:
            apply_errors(form, error)
            status = error.status
        else:
            return done(result)
    elif form.errors:
        status = 422
    return render_template(template, form=form, **context), status


def department_choices(
    blank: str | None = None, *, include_office: bool = False, include_inactive: bool = False
):
    """(id, short name) of the departments for a select field, by short name: the active
    non-office ones unless told otherwise; `blank` puts (0, blank) first."""
    query = select(Department.id, Department.short_name)
    if not include_inactive:
        query = query.where(Department.active)
    if not include_office:
        query = query.where(Department.is_office.is_(False))
    rows = db.session.execute(query.order_by(Department.short_name)).all()
    choices = [(row.id, row.short_name) for row in rows]
    return ([(0, blank)] if blank is not None else []) + choices
