"""The one clock: every page, job, CLI command, API route and operation asks here for the time.

No other module calls `date.today()`, `datetime.now()` or `datetime.utcnow()` (a test walks
the source to keep it so). Two ways to move the clock, both for tests and demonstrations:

- `TRACKER_TODAY` (YYYY-MM-DD, in the app's config or the environment) pins the *date*:
  `now()` is that day at the real local time of day, so instants still advance and keep
  their order within a run, while every page, job and deadline sees the pinned day.
  Production refuses to start with it set (config.ProductionConfig).
- Tests move the whole process clock with time-machine (tests/conftest.py pins every test
  to a day it states), so the calls below need no hook of their own.

Instants are naive UTC, as stored in the database; days are calendar days in `TIMEZONE`
(Asia/Shanghai by default).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"


def zone() -> ZoneInfo:
    """The tracker's timezone: the app's `TIMEZONE` inside an app, Asia/Shanghai outside."""
    name = current_app.config.get("TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_TIMEZONE)


def pinned_day() -> date | None:
    """The day `TRACKER_TODAY` pins, or None when the clock runs free."""
    if has_app_context():
        value = current_app.config.get("TRACKER_TODAY")
    else:
        value = os.environ.get("TRACKER_TODAY")
    if not value:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip())


def now() -> datetime:
    """The current instant as naive UTC (how the database stores instants)."""
    real = datetime.now(UTC)
    day = pinned_day()
    if day is not None:
        # Keep the local time of day so instants keep their order; move only the date.
        local = real.astimezone(zone())
        real = datetime.combine(day, local.timetz()).astimezone(UTC)
    return real.replace(tzinfo=None)


def local_date(instant: datetime | None) -> date | None:
    """The calendar day in the tracker's timezone of an instant (naive UTC or aware)."""
    if instant is None:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(zone()).date()


def today(at: datetime | None = None) -> date:
    """Today in the tracker's timezone: at the instant `at` (naive UTC or aware) when a
    service was handed one, else at the clock's now."""
    return local_date(at if at is not None else now())


def local_now() -> datetime:
    """The current instant as an aware datetime in the tracker's timezone (for display)."""
    return now().replace(tzinfo=UTC).astimezone(zone())
