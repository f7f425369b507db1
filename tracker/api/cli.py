"""`flask users token USERNAME [--name …] [--expires-days N]`: a token, printed once."""

from __future__ import annotations

import logging

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from tracker.api.tokens import create_token
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.models import User

logger = logging.getLogger(__name__)


@click.command("token")
@with_appcontext
@click.argument("username")
@click.option("--name", default="", help="What the token is for (shown on the profile page).")
@click.option(
    "--expires-days",
    type=int,
    default=None,
    help="Stop working after this many days (default: until revoked).",
)
def token_command(username, name, expires_days):
    """Create a personal API token for USERNAME and print it once (only its hash is kept)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"unknown user: {username}")
    try:
        token, text = create_token(None, user, name=name, expires_in_days=expires_days)
    except ValidationFailed as error:
        raise click.ClickException("; ".join(str(m) for m in error.errors.values())) from None
    db.session.commit()
    click.echo(f"created API token {token.id} for {user.username} (shown once, store it now):")
    click.echo(text)
