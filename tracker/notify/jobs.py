"""The notification jobs, shared by the scheduler and the `flask notify` commands."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete

from tracker import clock
from tracker.extensions import db
from tracker.models import SchedulerRun
from tracker.notify.deadlines import plan_deadline_notices
from tracker.notify.digest import plan_digests
from tracker.notify.dispatch import dispatch_all
from tracker.notify.messages import Planned
from tracker.notify.outbox import new_drafts, queue_drafts
from tracker.notify.rules import digest_week, parse_day_of_week
from tracker.notify.schedule_news import remember_lights
from tracker.signoff.reminders import (
    plan_ack_reminders,
    plan_approval_reminders,
    plan_instruction_reminders,
)

logger = logging.getLogger(__name__)

SCHEDULER_RUN_RETENTION = timedelta(days=14)


def _run(planned: Planned, dry_run: bool) -> Planned:
    """Queue the drafts (or, in a dry run, list the new ones); the caller commits."""
    for skipped in planned.skipped:
        logger.warning(
            "not queued %s (%s): %s", skipped.dedupe_key, skipped.department, skipped.reason
        )
    if dry_run:
        return Planned(new_drafts(planned.drafts), planned.skipped)
    return Planned(queue_drafts(planned.drafts), planned.skipped)


def remind(today: date, *, dry_run: bool = False) -> Planned:
    """Reminders, overdue notices and escalations due on `today` and not yet queued, and
    approvers' reminders of reports waiting for their sign-off and liaisons' of assignments
    not acknowledged (签收) in time (tracker/signoff)."""
    parts = [plan_deadline_notices(today), plan_approval_reminders(today)]
    parts += [plan_ack_reminders(today), plan_instruction_reminders(today)]
    drafts = [draft for part in parts for draft in part.drafts]
    return _run(Planned(drafts, [s for part in parts for s in part.skipped]), dry_run)


def digest(today: date, *, dry_run: bool = False) -> Planned:
    """This week's digests, if due on `today` and not yet queued; a real run also remembers
    each open item's schedule light for next week's "newly behind" (same transaction)."""
    planned = _run(plan_digests(today), dry_run)
    week = digest_week(today, parse_day_of_week(current_app.config["DIGEST_DAY_OF_WEEK"]))
    if week is not None and not dry_run:
        remember_lights(today, week)
    return planned


# ---------------------------------------------------------------- scheduled jobs
# Each takes the instant it runs for (APScheduler's fire time, or the missed fire time when
# catching up at start) and returns a one-line summary for the SchedulerRun row.


def daily_notices_job(now: datetime | None = None) -> str:
    today = clock.today(now)
    planned = remind(today)
    db.session.commit()
    db.session.execute(
        delete(SchedulerRun).where(SchedulerRun.started_at < clock.now() - SCHEDULER_RUN_RETENTION)
    )
    db.session.commit()
    return f"{today}: queued {len(planned.drafts)}, unreachable {len(planned.skipped)}"


def weekly_digest_job(now: datetime | None = None) -> str:
    today = clock.today(now)
    planned = digest(today)
    db.session.commit()
    return f"{today}: queued {len(planned.drafts)}, unreachable {len(planned.skipped)}"


def dispatch_job(now: datetime | None = None) -> str:
    # Sending always uses the real clock: a catch-up must not pretend to be in the past.
    del now
    interval = int(current_app.config.get("SCHEDULER_DISPATCH_SECONDS", 60))
    result = dispatch_all(budget_seconds=0.8 * interval)
    return result.summary() + ("; " + result.errors[0] if result.errors else "")
