"""Loading items and reports for a user, and the one permission check every service uses.

Not visible → NotFound (404, same as missing); visible but never allowed → PermissionDenied
(403); allowed in principle but not in this state → InvalidTransition (409).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from tracker.errors import InvalidTransition, NotFound, PermissionDenied
from tracker.extensions import db
from tracker.models import ExtensionRequest, Report, User, WorkItem
from tracker.security import log_security_event
from tracker.workflow import Action, Role, Subject, can, permitted

logger = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Shanghai"


def item_subject(item: WorkItem, state=None, *, pending_extension: bool = False) -> Subject:
    return replace(item.subject(state), pending_extension=pending_extension)


def report_subject(report: Report) -> Subject:
    return item_subject(report.item, report.state)


def has_pending_extension(item_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ExtensionRequest.item_id == item_id, ExtensionRequest.state == "pending"
                )
            )
        )
    )


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


def load_item(actor, item_id: int, *options) -> WorkItem:
    """The item with its owners loaded, or NotFound when missing or not visible."""
    item = db.session.scalar(
        select(WorkItem)
        .where(WorkItem.id == item_id)
        .options(selectinload(WorkItem.co_departments), *options)
    )
    if item is None:
        raise NotFound()
    if actor is not None and not can(actor, Action.VIEW, item.subject()):
        log_security_event("view", outcome="not_found", obj=f"item:{item_id}")
        raise NotFound()
    return item


def load_report(actor, report_id: int, *options) -> Report:
    report = db.session.scalar(
        select(Report)
        .where(Report.id == report_id)
        .options(selectinload(Report.item).selectinload(WorkItem.co_departments), *options)
    )
    if report is None:
        raise NotFound()
    if actor is not None and not can(actor, Action.VIEW, report_subject(report)):
        log_security_event("view", outcome="not_found", obj=f"report:{report_id}")
        raise NotFound()
    return report


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
