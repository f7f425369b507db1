"""`flask notify remind|digest|dispatch`: the scheduler's jobs, runnable by hand or from cron.

With --json, stdout is exactly one JSON array (a contract other tools rely on); warnings
and summaries go to stderr.
"""

from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import AppGroup

from tracker import clock
from tracker.extensions import db
from tracker.notify.messages import Planned

notify_cli = AppGroup("notify", help="Reminders, digests and the outbox.")


def _parse_date(ctx, param, value):  # noqa: ARG001 (click callback signature)
    if value is None:
        return clock.today()
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date; expected YYYY-MM-DD, e.g. 2026-12-01"
        ) from None


def _options(func):
    func = click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")(func)
    func = click.option(
        "--dry-run", is_flag=True, help="Show what would be queued; write nothing."
    )(func)
    func = click.option(
        "--date",
        "today",
        callback=_parse_date,
        metavar="YYYY-MM-DD",
        help="Run as of this day (default: today in the configured timezone).",
    )(func)
    return func


def _report(planned: Planned, *, dry_run: bool, as_json: bool, today: date) -> None:
    for skipped in planned.skipped:
        click.echo(
            f"warning: not queued {skipped.dedupe_key} ({skipped.department or 'office'}): "
            f"{skipped.reason}",
            err=True,
        )
    if as_json:
        click.echo(json.dumps([d.as_json() for d in planned.drafts], ensure_ascii=False, indent=2))
    else:
        for draft in planned.drafts:
            recipients = ", ".join(draft.to + [f"cc {a}" for a in draft.cc])
            click.echo(
                f"{draft.kind:<8} {draft.dedupe_key}\n         to {recipients}\n"
                f"         {draft.subject}"
            )
    verb = "would queue" if dry_run else "queued"
    click.echo(
        f"{today}: {verb} {len(planned.drafts)} message(s)"
        + ("" if dry_run else "; `flask notify dispatch` (or the scheduler) sends them"),
        err=as_json,
    )


def _run_job(job, today: date, *, dry_run: bool, as_json: bool) -> None:
    """Plan a queueing job's messages for `today`, keep them unless it is a dry run, say what."""
    planned = job(today, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    _report(planned, dry_run=dry_run, as_json=as_json, today=today)


@notify_cli.command("remind")
@_options
def remind_command(today: date, dry_run: bool, as_json: bool):
    """Queue the reminders, overdue notices and escalations due on --date."""
    from tracker.notify.jobs import remind

    _run_job(remind, today, dry_run=dry_run, as_json=as_json)


@notify_cli.command("digest")
@_options
def digest_command(today: date, dry_run: bool, as_json: bool):
    """Queue the weekly digests due on --date (this week's, if not sent yet)."""
    from tracker.notify.jobs import digest

    _run_job(digest, today, dry_run=dry_run, as_json=as_json)


@notify_cli.command("dispatch")
def dispatch_command():
    """Send the pending outbox messages that are due (with retries and backoff)."""
    from tracker.notify.dispatch import dispatch_all

    total = dispatch_all()
    errors = total.errors
    click.echo(total.summary())
    if errors:
        click.echo(
            f"error: {errors[0]}; the messages stay pending and are retried with backoff "
            "(after MAIL_MAX_ATTEMPTS they are marked failed: see /admin/outbox)",
            err=True,
        )
        raise SystemExit(1)
