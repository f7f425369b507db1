"""The items' scheduled job: create the reporting periods before anything needs them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from tracker import clock
from tracker.extensions import db
from tracker.periods import ensure_all_periods

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
