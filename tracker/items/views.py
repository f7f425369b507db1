"""Helpers the item and review views share: one transaction per POST, errors onto forms."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import date, datetime
from functools import wraps

from flask import render_template
from flask_login import login_required
from sqlalchemy import select

from tracker import clock
from tracker.errors import (
    DomainError,
    InvalidTransition,
    StaleVersion,
    ValidationFailed,
    apply_errors,
)
from tracker.extensions import db
from tracker.models import Department

logger = logging.getLogger(__name__)


def now() -> datetime:
    """The instant a page acts at (naive UTC), from the one clock."""
    return clock.now()


def today() -> date:
    """Today in the tracker's timezone, as the pages see it."""
    return clock.today()


@contextmanager
def one_transaction():
    """Commit once when the block succeeds; roll everything back when it raises."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


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


def department_choices(blank: str | None = None, *, include_office: bool = False):
    query = select(Department.id, Department.short_name).where(Department.active)
    if not include_office:
        query = query.where(Department.is_office.is_(False))
    rows = db.session.execute(query.order_by(Department.short_name)).all()
    choices = [(row.id, row.short_name) for row in rows]
    return ([(0, blank)] if blank is not None else []) + choices


def logged_in(view):
    """login_required, spelled once for the area's views."""
    return login_required(view)


def view_errors(view):
    """Roll back on any domain error before the global handler renders it."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except DomainError:
            db.session.rollback()
            raise

    return wrapper
