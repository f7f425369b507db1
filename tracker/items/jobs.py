"""The items' scheduled jobs: create the reporting periods before anything needs them, and
check the stored 序时进度 facts every night."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from tracker import clock
from tracker.extensions import db
from tracker.periods import ensure_all_periods
from tracker.schedule_facts import repair_facts

logger = logging.getLogger(__name__)


def periods_job(now: datetime | None = None) -> str:
    """Periods through today (Asia/Shanghai) for every active plan; idempotent.

    Without it a new quarter had no row until someone pressed the office's button or ran
    `flask items periods`: no focus period for the pages, no report-deadline reminders.
    `now` is the fire time (aware) from the scheduler, naive UTC from tests, or None.
    """
    if now is not None and now.tzinfo is not None:
        now = now.astimezone(UTC).replace(tzinfo=None)
    today = clock.today(now)
    created = ensure_all_periods(today)
    db.session.commit()
    return f"{today}: {created} reporting periods created"


def schedule_facts_job(now: datetime | None = None) -> str:  # noqa: ARG001 (no date involved)
    """Recompute every item's stored schedule facts and repair any that drifted.

    The facts are kept by the session's events on every write (tracker.schedule_facts);
    this is the net under a write that went around them (SQL typed by hand, a restore)."""
    repaired = repair_facts(db.session)
    db.session.commit()
    return f"{len(repaired)} items' schedule facts repaired"
