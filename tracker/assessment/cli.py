"""`flask assessment rules import|show` and `flask assessment score --year Y [--quarter N]`."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from tracker import clock
from tracker.assessment.operations import import_rules, stored_versions
from tracker.assessment.parsing import RuleFileError, as_csv, parse_rules
from tracker.assessment.scoring import as_points, number, sheet_json
from tracker.assessment.sheets import build_sheets
from tracker.extensions import db

assessment_cli = AppGroup("assessment", help="Assessment rules (考核细则) and score sheets.")
rules_cli = AppGroup("rules", help="The rules: import a file, show the stored versions.")
assessment_cli.add_command(rules_cli)

MAX_FILE_BYTES = 256 * 1024


@rules_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", default="", help="Where the rules come from, e.g. the notice's number.")
def import_command(file, note):
    """Store the versions in FILE (CSV, see docs/architecture.md); all or nothing."""
    if file.stat().st_size > MAX_FILE_BYTES:
        raise click.ClickException(_("The file is larger than 256 KB."))
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException(_("The file is not UTF-8 text.")) from None
    try:
        created = import_rules(None, parse_rules(text), note=note, now=clock.now())
    except RuleFileError as error:
        db.session.rollback()
        click.echo(_("Nothing was stored: %(file)s has problems:", file=file.name), err=True)
        for problem in error.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1) from None
    db.session.commit()
    for rule_set in created:
        click.echo(
            _(
                "Stored the rules from %(year)s: %(n)s rules, base score %(base)s.",
                year=rule_set.first_year,
                n=len(rule_set.rules),
                base=number_text(rule_set.base_score),
            )
        )


def number_text(value) -> str:
    return str(number(as_points(value)))


@rules_cli.command("show")
def show_command():
    """Print the stored versions as a rule file (the import's format)."""
    click.echo(as_csv(stored_versions()), nl=False)


@assessment_cli.command("score")
@click.option("--year", type=click.IntRange(2000, 2100), required=True)
@click.option("--quarter", type=click.IntRange(1, 4), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def score_command(year, quarter, as_json):
    """Print every department's score, rank and lines for YEAR (or one quarter of it)."""
    result = build_sheets(year, quarter, clock.today(), current_app.config["TIMEZONE"])
    if result.rule_set is None:
        raise click.ClickException(_("No assessment rules cover %(year)s.", year=year))
    if as_json:
        click.echo(json.dumps([sheet_json(s) for s in result.sheets], ensure_ascii=False, indent=2))
        return
    for sheet in result.sheets:
        click.echo(f"{sheet.rank:>4}  {number(sheet.score):>8}  {sheet.name}")
