"""`flask letters run --date YYYY-MM-DD [--dry-run] [--json]`: the daily letter run by hand.

With --json, stdout is exactly one JSON array of
{"level", "number", "department", "items": [codes], "reply_due", "dedupe_key"}; the summary
goes to stderr. A dry run writes nothing and shows no number (none is taken).
"""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from tracker.extensions import db
from tracker.letters.issue import run_letters
from tracker.notify.cli import _parse_date

letters_cli = AppGroup("letters", help="Supervision letters (催办单/督办单/问责通知).")


@letters_cli.command("run")
@click.option(
    "--date",
    "today",
    callback=_parse_date,
    metavar="YYYY-MM-DD",
    help="Run as of this day (default: today in the configured timezone).",
)
@click.option("--dry-run", is_flag=True, help="Show what would be issued; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
def run_command(today, dry_run: bool, as_json: bool) -> None:
    """Issue the letters due on the day (yellow, orange, red) that are not issued yet."""
    letters = run_letters(today, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    if as_json:
        click.echo(json.dumps(letters, ensure_ascii=False, indent=2))
    else:
        for letter in letters:
            click.echo(
                f"{letter['level']:<6} {letter['number'] or '-'} {letter['department']} "
                f"{', '.join(letter['items'])} reply by {letter['reply_due']}"
            )
    verb = "would issue" if dry_run else "issued"
    click.echo(f"{today}: {verb} {len(letters)} letter(s)", err=as_json)
