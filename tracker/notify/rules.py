"""When each message is due: pure date rules on the official working-day calendar.

Every job asks these functions "what is due on `today` and not yet sent"; the outbox's
dedupe keys remember what was sent. So a day the scheduler missed is made up once, the
next time any job runs, and a re-run sends nothing new.
"""

from __future__ import annotations

from datetime import date, timedelta

from tracker.workdays import (
    add_working_days,
    working_day_on_or_after,
    working_days_before,
    working_days_between,
)

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def reminder_send_day(due: date, offset: int) -> date:
    """The day the `offset`-working-days reminder goes out; always a working day."""
    return working_days_before(due, offset)


def reminder_due(due: date, today: date, offsets: list[int]) -> int | None:
    """The reminder offset to send on `today` for a deadline `due`, or None.

    The window is send day <= today <= due. When several reminders are in it (the
    scheduler was down), only the closest to the deadline is due: one mail per deadline
    per day, counting the real working days left, instead of a stale "7 days" and "3 days"
    together. The skipped earlier offsets are superseded, not owed.
    """
    if today > due:
        return None
    in_window = [n for n in sorted(set(offsets)) if reminder_send_day(due, n) <= today]
    return in_window[0] if in_window else None


def overdue_send_day(due: date) -> date:
    """The overdue notice goes out on the first working day after the deadline."""
    return add_working_days(due, 1)


def escalation_send_day(due: date, escalate_after_days: int) -> date:
    """Escalation after N calendar days overdue, moved to the next working day if off.

    Moving it earlier would escalate before the N days are up, so it moves later.
    """
    return working_day_on_or_after(due + timedelta(days=escalate_after_days))


def overdue_stage(due: date, today: date, escalate_after_days: int) -> str | None:
    """ "overdue", "escalate" or None for an open deadline on `today`.

    Once escalation is due it supersedes a not-yet-sent overdue notice (same people, plus
    the office), so a scheduler returning after a long outage sends one mail, not two.
    """
    if today <= due:
        return None
    if today >= escalation_send_day(due, escalate_after_days):
        return "escalate"
    if today >= overdue_send_day(due):
        return "overdue"
    return None


def working_days_left(today: date, due: date) -> int:
    """Working days after `today` up to and including `due` (0 when due today or past)."""
    return working_days_between(today, due)


def parse_day_of_week(value: str | int) -> int:
    """'mon'…'sun' or 0…6 (Monday is 0, as in APScheduler's cron)."""
    text = str(value).strip().lower()[:3]
    if text.isdigit() and 0 <= int(text) <= 6:
        return int(text)
    if text in _DAY_NAMES:
        return _DAY_NAMES.index(text)
    raise ValueError(f"not a day of the week: {value!r}")


def digest_week(today: date, day_of_week: int) -> date | None:
    """The digest day whose digest is due on `today`, or None.

    The week's digest day is the latest `day_of_week` on or before `today`; if that day is
    off (a holiday Monday), the digest waits for the first working day after it, within the
    same week. From then until the next digest day it is due until sent: a missed digest
    goes out once when the scheduler returns.
    """
    digest_day = today - timedelta(days=(today.weekday() - day_of_week) % 7)
    send_day = working_day_on_or_after(digest_day)
    if (send_day - digest_day).days >= 7 or today < send_day:
        return None
    return digest_day
