"""`flask plan parse|import|list|archive|unarchive`: the plan area's command line."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from tracker import clock
from tracker.errors import DomainError, ValidationFailed
from tracker.extensions import db
from tracker.models import Plan
from tracker.plan_lists import plans_in_order
from tracker.plans.messages import file_error_message
from tracker.plans.operations import (
    apply_import,
    archive_plan,
    find_identical_plan,
    find_plan_by_title,
    infer_period,
    parse_period,
    source_digest,
    stage_import,
    unarchive_plan,
)
from tracker.plans.parser import ParsedPlan, parse_plan
from tracker.plans.queries import plan_counts
from tracker.plans.reading import PlanFileError, file_suffix, read_plan_file
from tracker.plans.revision import Comparison, compare_with_plan, format_period
from tracker.plans.tree import flatten, label

logger = logging.getLogger(__name__)

plan_cli = AppGroup("plan", help="Parse, import, list and archive plans.")

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _locale():
    """Messages shared with the pages come out in the configured default language."""
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def _read(path: Path) -> str:
    max_bytes = current_app.config["PLAN_MAX_BYTES"]
    with path.open("rb") as fh:
        data = fh.read(max_bytes + 1)
    try:
        return read_plan_file(path.name, data, max_bytes)
    except PlanFileError as error:
        message = file_error_message(
            error.code, limit_bytes=max_bytes, suffix=file_suffix(path.name)
        )
        raise click.ClickException(f"{path.name}: {message} [{error.code}]") from None


def _domain_error(error: DomainError) -> click.ClickException:
    if isinstance(error, ValidationFailed):
        return click.ClickException("; ".join(str(m) for m in error.errors.values()))
    return click.ClickException(error.message or error.code)


def echo_tree(parsed: ParsedPlan) -> None:
    """The heading tree indented by depth, then the indicators and the warnings."""
    for node in flatten(parsed.nodes):
        title = node.title or (node.text[:30] + ("…" if len(node.text) > 30 else ""))
        gap = " " if node.kind == "column" else ""
        click.echo(f"{'  ' * node.depth}{label(node.kind, node.number)}{gap}{title}  [{node.code}]")
    if parsed.indicators:
        click.echo(f"\nindicators ({len(parsed.indicators)}):")
        for row in parsed.indicators:
            click.echo(
                f"  {row.number:>2} {row.category} | {row.name} | {row.unit or '/'} | "
                f"{row.baseline if row.baseline is not None else '/'} → "
                f"{row.target if row.target is not None else '/'} | {row.attribute} | {row.kind}"
                + (" | cumulative" if row.cumulative else "")
            )
    echo_warnings(parsed.warnings)


def echo_warnings(warnings: list[str]) -> None:
    if warnings:
        click.echo(f"\nwarnings ({len(warnings)}):")
        for warning in warnings:
            click.echo(f"  - {warning}")
    else:
        click.echo("\nno warnings")


def echo_comparison(comparison: Comparison) -> None:
    diff = comparison.diff
    if diff.is_empty:
        click.echo("no change to headings or indicators (the text differs only in layout)")
    for name, (old, new) in diff.plan_fields.items():
        click.echo(f"~ {name}: {old} → {new}")
    for node in diff.added:
        click.echo(f"+ {node.code} {label(node.kind, node.number)}{node.title}")
    for node in diff.removed:
        kept = comparison.referenced_nodes.get(node.code)
        note = f"  (kept: {kept} work items come from it)" if kept else ""
        click.echo(f"- {node.code} {label(node.kind, node.number)}{node.title}{note}")
    for change in diff.changed:
        click.echo(
            f"~ {change.code} {label(change.after.kind, change.after.number)}"
            f"{change.after.title}  ({', '.join(change.fields)})"
        )
    for row in diff.indicators_added:
        click.echo(f"+ indicator {row['number']} {row['name']}")
    for row in diff.indicators_removed:
        kept = row["number"] in comparison.referenced_indicators
        click.echo(f"- indicator {row['number']} {row['name']}" + ("  (kept)" if kept else ""))
    for change in diff.indicators_changed:
        fields = ", ".join(f"{k}: {a} → {b}" for k, (a, b) in change.fields.items())
        click.echo(f"~ indicator {change.number} {change.name}  ({fields})")


@plan_cli.command("parse")
@click.argument("file", type=_FILE)
@click.option("--json", "as_json", is_flag=True, help="Print the parse result as one JSON object.")
def parse_command(file: Path, as_json: bool):
    """Parse FILE (.txt, .pdf, .docx) and print its heading tree, indicators and warnings."""
    with _locale():
        parsed = parse_plan(_read(file))
    if as_json:
        click.echo(json.dumps(parsed.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{parsed.title or '(no title)'}  {parsed.doc_number or ''}".rstrip())
    echo_tree(parsed)


@plan_cli.command("import")
@click.argument("file", type=_FILE)
@click.option("--title", default=None, help="The plan's title (default: found in the text).")
@click.option("--period", default=None, help="e.g. 2021-2025 (default: from 十四五 in the title).")
@click.option(
    "--plan", "plan_id", type=int, default=None, help="Revise this plan (default: same title)."
)
@click.option("--yes", is_flag=True, help="Apply a revision without asking.")
def import_command(file: Path, title, period, plan_id, yes):
    """Import FILE as a new plan, or revise the plan of the same title (showing the changes)."""
    with _locale():
        text = _read(file)
        parsed = parse_plan(text)
        if not parsed.nodes:
            raise click.ClickException(f"{file.name}: {file_error_message('no_headings')}")
        identical = find_identical_plan(source_digest(text))
        if identical is not None:
            click.echo(
                f"unchanged: {file.name} is identical to plan #{identical.id} "
                f"{identical.title}; nothing to do"
            )
            return
        if plan_id is not None:
            target = db.session.get(Plan, plan_id)
            if target is None:
                raise click.ClickException(f"no plan #{plan_id}")
        else:
            target = find_plan_by_title(title or parsed.title)
        if target is not None and target.is_archived:
            raise click.ClickException(
                f"plan #{target.id} {target.title} is archived: unarchive it first"
            )
        title = (title or (target.title if target else parsed.title) or "").strip()
        if not title:
            raise click.ClickException("no title found in the text: give --title")
        try:
            if period:
                years = parse_period(period)
            elif target is not None:
                years = (target.start_year, target.end_year)
            else:
                years = infer_period(title, text)
            if years is None:
                raise click.ClickException(
                    "the period is not in the title: give --period 2021-2025"
                )
            staged = stage_import(
                None, filename=file.name, source_text=text, parsed=parsed, target=target
            )
            base = None
            if target is not None:
                click.echo(f"revising plan #{target.id} {target.title}:")
                echo_comparison(compare_with_plan(target, parsed, title=title, period=years))
                if not yes and not click.confirm("Apply these changes?", default=False):
                    db.session.rollback()
                    click.echo("not applied; nothing changed")
                    raise click.exceptions.Exit(1)
                base = target.source_sha256
            result = apply_import(
                None, staged, title=title, period=years, base_sha256=base, now=clock.now()
            )
        except DomainError as error:
            db.session.rollback()
            raise _domain_error(error) from None
        db.session.commit()
    plan = result.plan
    if result.created:
        click.echo(
            f"imported plan #{plan.id} {plan.title} ({format_period(*years)}): "
            f"{len(flatten(parsed.nodes))} headings, {len(parsed.indicators)} indicators"
        )
    else:
        revision = result.revision
        click.echo(f"updated plan #{plan.id} {plan.title}")
        if revision.kept_nodes:
            click.echo("kept (work items come from them): " + ", ".join(revision.kept_nodes))
        if revision.kept_indicators:
            click.echo(
                "kept indicators (values or work items): "
                + ", ".join(map(str, revision.kept_indicators))
            )
    echo_warnings(parsed.warnings)


@plan_cli.command("list")
def list_command():
    """Every plan with its status, period and counts."""
    plans = db.session.scalars(plans_in_order()).all()
    counts = plan_counts([plan.id for plan in plans])
    if not plans:
        click.echo("no plans")
    for plan in plans:
        click.echo(
            f"#{plan.id:<4} {plan.status:<9} {format_period(plan.start_year, plan.end_year)}  "
            f"{plan.title}  ({counts['nodes'].get(plan.id, 0)} headings, "
            f"{counts['indicators'].get(plan.id, 0)} indicators, "
            f"{counts['items'].get(plan.id, 0)} work items)"
        )


def _set_archived(plan_id: int, archived: bool) -> None:
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise click.ClickException(f"no plan #{plan_id}")
    with _locale():
        try:
            (archive_plan if archived else unarchive_plan)(None, plan)
        except DomainError as error:
            db.session.rollback()
            raise _domain_error(error) from None
    db.session.commit()
    click.echo(f"plan #{plan.id} {plan.title}: {plan.status}")


@plan_cli.command("archive")
@click.argument("plan_id", type=int)
def archive_command(plan_id: int):
    """Archive a finished plan: it stays readable and can no longer be revised."""
    _set_archived(plan_id, True)


@plan_cli.command("unarchive")
@click.argument("plan_id", type=int)
def unarchive_command(plan_id: int):
    """Make an archived plan active again."""
    _set_archived(plan_id, False)
