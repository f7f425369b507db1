"""The schedule: every job in one readable list, with its trigger and misfire grace time.

Every job has an explicit id; the runner adds coalesce=True, max_instances=1 and the
configured timezone (Asia/Shanghai) to each. The jobs work from "what is due and not yet
sent" (the outbox's dedupe keys), not from "what fired": a run that fires twice sends
nothing new, and `catch_up` jobs run once at start for the fire time they missed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from tracker.backup.jobs import backup_enabled, nightly_backup_job
from tracker.items.jobs import periods_job, schedule_facts_job
from tracker.letters.jobs import daily_letters_job
from tracker.notify.jobs import daily_notices_job, dispatch_job, weekly_digest_job


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[[datetime | None], str]  # runs in an app context; returns a summary
    trigger: Callable[[Flask], object]  # builds the APScheduler trigger from the config
    misfire_grace_time: int  # seconds; a run missed by less is still made once
    catch_up: bool = False  # at start, run once for the latest fire time already passed
    enabled: Callable[[Flask], bool] = lambda app: True  # noqa: ARG005 (off: not scheduled)


def _daily_at(config_key: str):
    def build(app: Flask) -> CronTrigger:
        hour, minute = (int(part) for part in app.config[config_key].split(":"))
        return CronTrigger(hour=hour, minute=minute, timezone=app.config["TIMEZONE"])

    return build


def _digest_trigger(app: Flask) -> CronTrigger:
    # Checked every day at DIGEST_HOUR; the job sends this week's digest on
    # DIGEST_DAY_OF_WEEK, or on the first working day after it when that day is a holiday
    # (tracker.notify.rules.digest_week). A weekly trigger could not make up a holiday.
    return CronTrigger(
        hour=int(app.config["DIGEST_HOUR"]), minute=0, timezone=app.config["TIMEZONE"]
    )


def _every_n_seconds(app: Flask) -> IntervalTrigger:
    return IntervalTrigger(
        seconds=int(app.config["SCHEDULER_DISPATCH_SECONDS"]), timezone=app.config["TIMEZONE"]
    )


def _daily_at_fixed(hour: int, minute: int):
    def build(app: Flask) -> CronTrigger:
        return CronTrigger(hour=hour, minute=minute, timezone=app.config["TIMEZONE"])

    return build


HOUR = 3600

JOBS: list[JobSpec] = [
    # Reporting periods through today for every active plan, just after midnight: a new
    # quarter's row exists from its first day, long before the reminders (08:30) chase its
    # deadline. First in the list, so a catch-up at start creates them before the others run.
    JobSpec(
        "items.periods",
        periods_job,
        _daily_at_fixed(0, 5),
        misfire_grace_time=12 * HOUR,
        catch_up=True,
    ),
    # The stored 序时进度 facts checked against their sources (repairs drift; normally none).
    JobSpec(
        "items.schedule_facts",
        schedule_facts_job,
        _daily_at_fixed(0, 20),
        misfire_grace_time=12 * HOUR,
    ),
    # Reminders (7/3/1 working days before), overdue notices and escalations, daily 08:30.
    JobSpec(
        "notify.daily",
        daily_notices_job,
        _daily_at("REMINDER_TIME"),
        misfire_grace_time=12 * HOUR,
        catch_up=True,
    ),
    # Supervision letters (催办单/督办单/问责通知), daily after the reminders (08:45).
    JobSpec(
        "letters.daily",
        daily_letters_job,
        _daily_at("LETTER_TIME"),
        misfire_grace_time=12 * HOUR,
        catch_up=True,
    ),
    # The weekly digests (default Monday 09:00).
    JobSpec(
        "notify.digest",
        weekly_digest_job,
        _digest_trigger,
        misfire_grace_time=12 * HOUR,
        catch_up=True,
    ),
    # Send pending outbox rows, with retries and backoff; every minute by default.
    JobSpec(
        "notify.dispatch", dispatch_job, _every_n_seconds, misfire_grace_time=30, catch_up=True
    ),
    # The nightly backup (BACKUP_DIR, BACKUP_KEEP), only when BACKUP_DIR is set. No catch-up:
    # a restarted scheduler must not take a full backup on every start.
    JobSpec(
        "backup.nightly",
        nightly_backup_job,
        _daily_at("BACKUP_TIME"),
        misfire_grace_time=6 * HOUR,
        enabled=backup_enabled,
    ),
]
