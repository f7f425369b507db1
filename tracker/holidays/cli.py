"""`flask holidays set|show|clear|list`: enter a year's official arrangement from a file."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from tracker import clock, workdays
from tracker.errors import DomainError
from tracker.extensions import db
from tracker.holidays.operations import clear_holiday_year, describe, get_year, set_holiday_year
from tracker.holidays.parsing import HolidayFileError, check_year, parse_text

holidays_cli = AppGroup("holidays", help="Enter the official holiday arrangement of a year.")

MAX_FILE_BYTES = 64 * 1024


def _year(value) -> int:
    try:
        return check_year(value)
    except HolidayFileError as error:
        raise click.ClickException(str(error)) from None


@holidays_cli.command("set")
@click.argument("year")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", default=None, help="Where it comes from, e.g. the notice's number.")
def set_command(year, file, source):
    """Store YEAR's arrangement from FILE (CSV or JSON, see docs/holidays.md); all or nothing."""
    year = _year(year)
    if file.stat().st_size > MAX_FILE_BYTES:
        raise click.ClickException(_("The file is larger than 64 KB."))
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(_("The file is not UTF-8 text.")) from None
    try:
        entries = parse_text(year, text, filename=file.name)
    except HolidayFileError as error:
        db.session.rollback()
        click.echo(_("Nothing was stored: %(file)s has problems:", file=file.name), err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    try:
        _row, moved = set_holiday_year(None, year, entries, today=clock.today(), source=source)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(
        _(
            "%(year)s entered: %(n)s entries; %(moved)s open report deadlines moved.",
            year=year,
            n=len(entries),
            moved=moved,
        )
    )


@holidays_cli.command("show")
@click.argument("year")
@click.option("--json", "as_json", is_flag=True, help="Print the entered year as JSON.")
def show_command(year, as_json):
    """Print YEAR's entered arrangement (or say where its working days come from)."""
    year = _year(year)
    data = describe(get_year(year))
    if data is None:
        if year in workdays.library_years():
            click.echo(_("%(year)s is not entered: chinese_calendar's data is used.", year=year))
        else:
            click.echo(_("%(year)s is not entered: working days are Monday to Friday.", year=year))
        return
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo("kind,name,first,last")
    for entry in data["entries"]:
        click.echo(f"{entry['kind']},{entry['name']},{entry['first']},{entry['last']}")


@holidays_cli.command("clear")
@click.argument("year")
def clear_command(year):
    """Forget YEAR's entered arrangement."""
    year = _year(year)
    moved = clear_holiday_year(None, year, today=clock.today())
    if moved is None:
        raise click.ClickException(_("%(year)s is not entered.", year=year))
    db.session.commit()
    click.echo(
        _("%(year)s cleared; %(moved)s open report deadlines moved.", year=year, moved=moved)
    )


@holidays_cli.command("list")
def list_command():
    """Which years are entered, and which years the installed package knows."""
    known = workdays.library_years()
    entered = sorted(workdays.entered_years())
    click.echo(_("chinese_calendar knows %(a)s-%(b)s.", a=known.start, b=known.stop - 1))
    click.echo(_("Entered: %(years)s", years=", ".join(map(str, entered)) or "-"))
