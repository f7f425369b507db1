"""Writing the audit journal: every service that changes state calls `record_event` (or
`audit`, the same stamped with the operation's own `now`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tracker.extensions import db
from tracker.models.audit import AuditEvent


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict:
    """The named attributes of an object as JSON-safe values, for before/after."""
    result = {}
    for name in fields:
        value = getattr(obj, name, None)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        result[name] = value
    return result


def record_event(
    actor,
    action: str,
    obj: Any,
    *,
    before: dict | None = None,
    after: dict | None = None,
    comment: str | None = None,
    item_id: int | None = None,
) -> AuditEvent:
    """Append one event; the caller's transaction commits it together with the change."""
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=type(obj).__name__.lower() if obj is not None else "system",
        object_id=getattr(obj, "id", None),
        item_id=item_id,
        before=before,
        after=after,
        comment=comment,
    )
    db.session.add(event)
    return event


def audit(actor, action: str, obj: Any, now: datetime, **kwargs) -> AuditEvent:
    """record_event stamped with the operation's own `now` (the CLI and tests time-travel)."""
    event = record_event(actor, action, obj, **kwargs)
    event.at = now
    return event
