"""Running the scheduler: inside the development server, or alone in production.

gunicorn workers never start it (wsgi.py does not call this module); production runs
exactly one `flask --app wsgi scheduler` process. On PostgreSQL a second one started by
mistake stands by on the advisory lock (tracker/scheduler/lock.py) and takes over when the
first stops.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from tracker import clock
from tracker.extensions import db
from tracker.notify.dispatch import IDLE_DISPATCH
from tracker.scheduler.lock import SchedulerLock

logger = logging.getLogger(__name__)

LOCK_CHECK_SECONDS = 30


def build_scheduler(app: Flask, scheduler_class=BackgroundScheduler):
    """A scheduler with every job of the schedule, each run inside an app context."""
    from tracker.scheduler.schedule import JOBS

    scheduler = scheduler_class(timezone=app.config["TIMEZONE"])
    for job in JOBS:
        if not job.enabled(app):
            continue
        scheduler.add_job(
            _in_app_context(app, job.id, job.func),
            trigger=job.trigger(app),
            id=job.id,
            name=job.id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=job.misfire_grace_time,
            replace_existing=True,
        )
    return scheduler


def _in_app_context(app: Flask, job_id: str, func):
    def run(now: datetime | None = None):
        with app.app_context():
            record_run(job_id, func, now)

    run.__name__ = getattr(func, "__name__", job_id)
    return run


def record_run(job_id: str, func, now: datetime | None = None) -> None:
    """Run one job and keep a SchedulerRun row (for the admin page); never raise.

    A failed run must not kill the scheduler thread, and its error is visible to admins.
    """
    from tracker import clock
    from tracker.models import SchedulerRun

    run = SchedulerRun(job_id=job_id, started_at=clock.now(), outcome="running")
    try:
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    except Exception:
        db.session.rollback()
        logger.exception("scheduled job %s: cannot record its run (database down?)", job_id)
        return
    try:
        detail, outcome = func(now), "ok"
    except Exception as error:
        db.session.rollback()
        logger.exception("scheduled job %s failed", job_id)
        detail, outcome = f"{type(error).__name__}: {error}"[:2000], "error"
    try:
        run = db.session.get(SchedulerRun, run_id)
        run.finished_at, run.outcome, run.detail = clock.now(), outcome, detail
        db.session.commit()
    except Exception:
        db.session.rollback()
        logger.exception("scheduled job %s: cannot record its outcome", job_id)
    finally:
        db.session.remove()
    # An idle dispatch every minute would drown the log; its SchedulerRun row is enough.
    log = logger.debug if outcome == "ok" and detail == IDLE_DISPATCH else logger.info
    log("job %s: %s (%s)", job_id, outcome, detail)


def previous_fire_time(trigger, now: datetime) -> datetime | None:
    """The latest fire time of `trigger` at or before `now` (within a week), or None."""
    if isinstance(trigger, IntervalTrigger):
        return now
    fire = trigger.get_next_fire_time(None, now - timedelta(days=8))
    latest = None
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest


def catch_up(app: Flask, scheduler, now: datetime | None = None, *, in_background=False) -> None:
    """Run each catch-up job once for the fire time it missed while nothing was running.

    The jobs select what is due and not yet sent for that instant, so this sends what the
    downtime missed, once; if nothing was missed it queues nothing. `in_background` hands
    the runs to the scheduler's executor (the development server must not wait for them).
    """
    from tracker.scheduler.schedule import JOBS

    for spec in JOBS:
        if not spec.catch_up or not spec.enabled(app):
            continue
        job = scheduler.get_job(spec.id)
        fire = previous_fire_time(
            job.trigger, now or clock.now().replace(tzinfo=UTC).astimezone(job.trigger.timezone)
        )
        if fire is None:
            continue
        logger.info("catching up %s for %s", spec.id, fire.isoformat())
        run = _in_app_context(app, spec.id, spec.func)
        if not in_background:
            run(fire)
            continue
        scheduler.add_job(
            run,
            trigger="date",
            args=[fire],
            id=f"{spec.id}.catch-up",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=spec.misfire_grace_time,
            replace_existing=True,
        )


def start_background(app: Flask) -> BackgroundScheduler:
    """Start the jobs in a thread of this process (development only).

    On PostgreSQL it first tries the advisory lock once: a development server next to a
    running production scheduler leaves the jobs to that one.
    """
    with app.app_context():
        lock = SchedulerLock(db.engine)
        if not lock.try_acquire():
            logger.warning("another scheduler holds the lock: not starting the in-process one")
            return None
        app.extensions["scheduler.lock"] = lock
    scheduler = build_scheduler(app)
    catch_up(app, scheduler, in_background=True)
    scheduler.start()
    logger.info("scheduler started in-process with %d jobs", len(scheduler.get_jobs()))
    return scheduler


def stop_background(app: Flask, scheduler) -> None:
    """Stop the in-process scheduler and release its lock (tests; process exit does both)."""
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=True)
    lock = app.extensions.pop("scheduler.lock", None)
    if lock is not None:
        with app.app_context():
            lock.release()


def run_standalone(app: Flask, stop: threading.Event | None = None) -> None:
    """`flask scheduler`: stand by until the lock is ours, run the jobs, repeat if it is lost.

    SIGTERM / SIGINT stop it cleanly: running jobs finish, the lock is released.
    """
    stop = stop or threading.Event()
    standby = int(app.config.get("SCHEDULER_STANDBY_SECONDS", 15))
    with app.app_context():
        lock = SchedulerLock(db.engine)
    current: dict[str, BlockingScheduler] = {}

    def request_stop(signum, frame):  # noqa: ARG001
        logger.info("signal %s: stopping the scheduler", signum)
        stop.set()
        if "scheduler" in current:
            # shutdown() waits for running jobs; not from inside the signal handler.
            threading.Thread(target=_shutdown, args=(current["scheduler"],), daemon=True).start()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)

    announced = False
    while not stop.is_set():
        with app.app_context():
            try:
                acquired = lock.try_acquire()
            except Exception:
                logger.exception("cannot reach the database for the scheduler lock")
                acquired = False
        if not acquired:
            if not announced:
                logger.info(
                    "another scheduler holds the lock: standing by (retry every %ss)", standby
                )
                announced = True
            stop.wait(standby)
            continue
        announced = False
        logger.info(
            "scheduler lock acquired (%s): running the jobs",
            "PostgreSQL advisory lock" if lock.needed else "no lock on SQLite",
        )
        scheduler = build_scheduler(app, BlockingScheduler)
        if lock.needed:
            scheduler.add_job(
                _check_lock(app, lock, scheduler),
                trigger=IntervalTrigger(seconds=LOCK_CHECK_SECONDS),
                id="scheduler.lock_check",
                coalesce=True,
                max_instances=1,
                misfire_grace_time=LOCK_CHECK_SECONDS,
            )
        current["scheduler"] = scheduler
        try:
            catch_up(app, scheduler)
            if not stop.is_set():
                scheduler.start()  # blocks until shutdown
        finally:
            current.pop("scheduler", None)
            with app.app_context():
                lock.release()
        logger.info("scheduler stopped; lock released")


def _shutdown(scheduler) -> None:
    # A stop requested while catching up, before start(): wait for start, then stop it.
    for _ in range(100):
        try:
            scheduler.shutdown(wait=True)
            return
        except SchedulerNotRunningError:
            time.sleep(0.1)


def _check_lock(app: Flask, lock: SchedulerLock, scheduler):
    def check():
        with app.app_context():
            if lock.still_held():
                return
        logger.error("the scheduler lock was lost (database restarted?): standing by again")
        threading.Thread(target=_shutdown, args=(scheduler,), daemon=True).start()

    return check
