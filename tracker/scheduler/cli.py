"""`flask --app wsgi scheduler`: the production scheduler process, alone."""

from __future__ import annotations

import logging

import click
from flask import current_app


@click.command("scheduler")
def scheduler_command():
    """Run the scheduled jobs in this process until stopped (SIGTERM).

    On PostgreSQL only one scheduler runs at a time: a second one stands by and takes over
    when the first stops. gunicorn workers never run the jobs.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    logging.getLogger("tracker").setLevel(logging.INFO)
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)  # a line per run
    from tracker.scheduler.runner import run_standalone

    app = current_app._get_current_object()
    click.echo(
        f"scheduler: timezone {app.config['TIMEZONE']}, mail via {app.config.get('MAIL_BACKEND')}",
        err=True,
    )
    run_standalone(app)
