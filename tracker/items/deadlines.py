"""Deadline extensions (延期申请): the lead asks with a reason and a date, the office decides.

The first approved extension records the item's original due date, which stays shown.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from flask_babel import gettext as _

from tracker import clock
from tracker.access import liaison_ids, link, office_ids, require
from tracker.audit import audit
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.items.access import has_pending_extension, item_subject
from tracker.locking import check_readable, claim
from tracker.models import ExtensionRequest, WorkItem
from tracker.notices import queue_notice
from tracker.text import clean_text
from tracker.transitions import Notice, transition
from tracker.workflow import Action, Decision, ExtensionState

logger = logging.getLogger(__name__)


def request_extension(
    actor,
    item: WorkItem,
    *,
    requested_due_date: date,
    reason: str,
    now: datetime | None = None,
) -> ExtensionRequest:
    """The lead department asks for a later due date."""
    now = now or clock.now()
    today = clock.today(now)
    pending = has_pending_extension(item.id)
    require(
        actor,
        Action.REQUEST_EXTENSION,
        item_subject(item, pending_extension=pending),
        obj=f"item:{item.id}",
    )
    reason = clean_text(reason, 4000)
    errors = {}
    if not reason:
        errors["reason"] = _("Give a reason.")
    if not isinstance(requested_due_date, date):
        errors["requested_due_date"] = _("Enter a date as YYYY-MM-DD.")
    elif requested_due_date <= today or (
        item.due_date is not None and requested_due_date <= item.due_date
    ):
        errors["requested_due_date"] = _(
            "The new date must be later than today and than the current due date."
        )
    if errors:
        raise ValidationFailed(errors)
    request = ExtensionRequest(
        item_id=item.id,
        requested_by_id=actor.id,
        reason=reason,
        previous_due_date=item.due_date,
        requested_due_date=requested_due_date,
        state=ExtensionState.PENDING.value,
        created_at=now,
    )
    db.session.add(request)
    db.session.flush()
    audit(
        actor,
        "extension.requested",
        request,
        now,
        before={"due_date": item.due_date.isoformat() if item.due_date else None},
        after={"requested_due_date": requested_due_date.isoformat()},
        comment=reason,
        item_id=item.id,
    )
    queue_notice(
        office_ids(),
        "extension_requested",
        {
            "department": actor.department.short_name,
            "code": item.code,
            "date": requested_due_date.isoformat(),
        },
        link("review.extensions"),
    )
    db.session.flush()
    return request


def decide_extension(
    actor,
    request: ExtensionRequest,
    *,
    approve: bool,
    comment: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> ExtensionRequest:
    """Approve (the due date moves, the original is kept) or refuse (a reason is required).

    The decision goes through the review kernel (tracker.transitions), a conditional UPDATE
    on the pending request: of two reviewers deciding at once, exactly one wins. An approval
    also claims the item at `expected_version` (the one the reviewer saw; None: as loaded),
    so it never overwrites an edit made since."""
    now = now or clock.now()
    item = request.item
    require(
        actor,
        Action.DECIDE_EXTENSION,
        item_subject(item, pending_extension=request.state == ExtensionState.PENDING.value),
        obj=f"extension:{request.id}",
    )
    check_readable(expected_version, item)  # only now: a stranger has had their 404
    comment = clean_text(comment, 4000)
    if not approve and not comment:
        raise ValidationFailed({"comment": _("Give a reason for refusing.")})
    before_due = item.due_date

    def move_due_date(request: ExtensionRequest) -> None:
        # Also a claim of the item at the version the reviewer saw: never over a newer edit.
        if approve:
            claim(
                WorkItem,
                item,
                expected_version,
                values={
                    "original_due_date": item.original_due_date or item.due_date,
                    "due_date": request.requested_due_date,
                    "updated_at": now,
                },
            )

    transition(
        actor,
        request,
        Decision.APPROVE if approve else Decision.REFUSE,
        now=now,
        values={
            "decided_by_id": actor.id,
            "decided_at": now,
            "decision_comment": comment or None,
        },
        effects=move_due_date,
        event=f"extension.{'approved' if approve else 'refused'}",
        before={"state": "pending", "due_date": before_due.isoformat() if before_due else None},
        after=lambda request: {
            "state": request.state,
            "due_date": item.due_date.isoformat() if item.due_date else None,
        },
        comment=comment or None,
        item_id=item.id,
        notice=lambda request: Notice(
            {request.requested_by_id, *liaison_ids([item.lead_department_id])},
            "extension_decided",
            {"code": item.code, "decision": request.state},
            link("items.detail", item_id=item.id),
        ),
    )
    db.session.flush()
    return request
