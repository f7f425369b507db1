"""Running the scheduler: inside the development server, or alone in production.

gunicorn workers never start it (wsgi.py does not call this module); production runs
exactly one `flask --app wsgi scheduler` process.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

logger = logging.getLogger(__name__)


def build_scheduler(app: Flask, scheduler_class=BackgroundScheduler):
    """A scheduler with every job of the schedule, each run inside an app context."""
    from tracker.scheduler.schedule import JOBS

    scheduler = scheduler_class(timezone=app.config["TIMEZONE"])
    for job in JOBS:
        scheduler.add_job(
            _in_app_context(app, job.func),
            trigger=job.trigger(app),
            id=job.id,
            name=job.id,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=job.misfire_grace_time,
            replace_existing=True,
        )
    return scheduler


def _in_app_context(app: Flask, func):
    def run():
        with app.app_context():
            try:
                func(app)
            except Exception:  # a failed run must not kill the scheduler thread
                logger.exception("scheduled job %s failed", func.__name__)

    run.__name__ = func.__name__
    return run


def start_background(app: Flask) -> BackgroundScheduler:
    """Start the jobs in a thread of this process (development only)."""
    scheduler = build_scheduler(app)
    scheduler.start()
    logger.info("scheduler started in-process with %d jobs", len(scheduler.get_jobs()))
    return scheduler
