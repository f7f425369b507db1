"""Loading items and reports for a user: their `Subject`s, and NotFound for what they may
not see. The permission check itself is `tracker.access.require`."""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from tracker.errors import NotFound
from tracker.extensions import db
from tracker.models import ExtensionRequest, Report, WorkItem
from tracker.security import log_security_event
from tracker.workflow import Action, Subject, can

logger = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Asia/Shanghai"


def item_subject(item: WorkItem, state=None, *, pending_extension: bool = False) -> Subject:
    return replace(item.subject(state), pending_extension=pending_extension)


def report_subject(report: Report) -> Subject:
    return replace(item_subject(report.item, report.state), on_behalf=bool(report.on_behalf))


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
