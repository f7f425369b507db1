"""`flask items …`: generate a plan's work items, create reporting periods from cron, repair the
stored schedule facts."""

from __future__ import annotations

import logging
from datetime import date

import click
from flask.cli import AppGroup

from tracker import clock
from tracker.extensions import db

logger = logging.getLogger(__name__)

items_cli = AppGroup("items", help="Work items and reporting periods.")


@items_cli.command("generate")
@click.argument("plan_id", type=int)
def generate_command(plan_id: int):
    """Create the default work items of PLAN_ID (idempotent)."""
    from tracker.items.generate import generate_items_from_plan
    from tracker.models import Plan

    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise click.ClickException(f"no plan {plan_id}")
    created = generate_items_from_plan(None, plan)
    db.session.commit()
    click.echo(f"{len(created)} work items created for plan {plan_id}")


@items_cli.command("periods")
@click.option("--date", "date_text", default=None, help="Pretend today is YYYY-MM-DD.")
def periods_command(date_text: str | None):
    """Create the reporting periods of every active plan up to today (idempotent)."""
    from tracker.periods import ensure_all_periods

    today = date.fromisoformat(date_text) if date_text else clock.today()
    created = ensure_all_periods(today)
    db.session.commit()
    click.echo(f"{created} reporting periods created through {today.isoformat()}")


@items_cli.command("schedule-facts")
@click.option("--all", "everything", is_flag=True, help="Recompute every item, drifted or not.")
def schedule_facts_command(everything: bool):
    """Check the stored 序时进度 facts against their sources and repair drift (after a
    restore or SQL typed by hand; the nightly job does the same)."""
    from tracker.schedule_facts import refresh_facts, repair_facts

    if everything:
        count = refresh_facts(db.session.connection())
        db.session.commit()
        click.echo(f"schedule facts recomputed for {count} items")
        return
    repaired = repair_facts(db.session)
    db.session.commit()
    click.echo(f"{len(repaired)} items' schedule facts repaired")
