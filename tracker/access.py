"""The one permission check every service uses, and who hears about a change.

Not visible → NotFound (404, same as missing); visible but never allowed → PermissionDenied
(403); allowed in principle but not in this state → InvalidTransition (409).
"""

from __future__ import annotations

import logging

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.errors import InvalidTransition, NotFound, PermissionDenied
from tracker.extensions import db
from tracker.models import User
from tracker.security import log_security_event
from tracker.workflow import Action, Role, Subject, can, permitted

logger = logging.getLogger(__name__)


def require(actor, action: Action, subject: Subject, *, obj: str = "") -> None:
    """Raise unless `actor` may take `action` on `subject` now. `actor=None` is the system."""
    if actor is None:
        return
    if not can(actor, Action.VIEW, subject):
        log_security_event(action.value, outcome="not_found", obj=obj)
        raise NotFound()
    if not permitted(actor, action, subject):
        log_security_event(action.value, outcome="denied", obj=obj)
        raise PermissionDenied(_("You may not do this."))
    if not can(actor, action, subject):
        raise InvalidTransition(state_conflict_message(action, subject))


def require_role(actor, action: Action) -> None:
    """For actions on no existing object (add an item, generate a plan's items): 403
    unless the role may take the action at all."""
    if actor is not None and not permitted(actor, action, Subject(lead_department_id=None)):
        log_security_event(action.value, outcome="denied")
        raise PermissionDenied(_("You may not do this."))


def state_conflict_message(action: Action, subject: Subject) -> str:
    if subject.closed and action is not Action.REOPEN_ITEM:
        return _("The work item is closed; reopen it first.")
    if action is Action.REOPEN_ITEM:
        return _("Only a completed or retired work item can be reopened.")
    if action is Action.REQUEST_EXTENSION:
        return _("An extension request for this item is already waiting for a decision.")
    if action is Action.DECIDE_EXTENSION:
        return _("This extension request has already been decided.")
    return _("The report is no longer in a state that allows this.")


def liaison_ids(department_ids) -> list[int]:
    """Active liaisons of the given departments: who hears about their items."""
    ids = [d for d in set(department_ids) if d is not None]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User.id).where(
                User.department_id.in_(ids), User.role == Role.LIAISON.value, User.active
            )
        )
    )


def approver_ids(department_ids) -> list[int]:
    """Active approvers (部门负责人) of the given departments: who signs their reports off."""
    ids = [d for d in set(department_ids) if d is not None]
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User.id).where(
                User.department_id.in_(ids), User.role == Role.APPROVER.value, User.active
            )
        )
    )


def office_ids() -> list[int]:
    """Active reviewers of the leading-group office."""
    return list(
        db.session.scalars(select(User.id).where(User.role == Role.OFFICE.value, User.active))
    )


def link(endpoint: str, **values) -> str | None:
    """A path for notices, built without a request (services also run from the CLI)."""
    try:
        adapter = current_app.url_map.bind("localhost")
        return adapter.build(endpoint, values)
    except Exception:  # noqa: BLE001 (a missing link must not fail the change itself)
        logger.warning("no URL for %s", endpoint)
        return None
