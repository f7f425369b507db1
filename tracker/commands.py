"""CLI commands: `flask users …`, `flask demo`, and the areas' own groups."""

from __future__ import annotations

import getpass
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.workflow import Role

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option(
    "--department",
    "department_name",
    required=True,
    help="Department full name, short name or alias.",
)
@click.option("--email", default=None)
@click.option("--name", default="")
@click.option("--generate-password", is_flag=True, help="Generate a password instead of asking.")
@click.option("--dingtalk-id", default=None, help="DingTalk / 浙政钉 user id (work notifications).")
@click.option("--mobile", default=None, help="Mobile number (SMS).")
def create_user_command(
    username, role, department_name, email, name, generate_password, dingtalk_id, mobile
):
    """Create a user; asks for the password or generates one and prints it once."""
    from tracker.admin.operations import create_user, find_department

    department = find_department(department_name)
    if department is None:
        raise click.ClickException(f"unknown department: {department_name}")
    password = None
    if not generate_password:
        password = getpass.getpass("Password (empty to generate): ") or None
        if password is not None and len(password) < 10:
            raise click.ClickException("the password needs at least 10 characters")
    try:
        user, password_used = create_user(
            None,
            username=username,
            role=role,
            department=department,
            email=email,
            name=name,
            password=password,
            must_change_password=password is None,
            dingtalk_user_id=dingtalk_id,
            mobile=mobile,
        )
    except ValidationFailed as error:
        raise click.ClickException("; ".join(str(m) for m in error.errors.values())) from None
    db.session.commit()
    click.echo(f"created {user.username} ({role}, {department.short_name})")
    if password is None:
        click.echo(
            f"generated password (shown once, must be changed at first log-in): {password_used}"
        )


MIN_PASSWORD, MAX_PASSWORD = 10, 200  # as the change-password form


@users_cli.command("set-password")
@click.argument("username")
@click.option("--generate", is_flag=True, help="Generate a password and print it once.")
def set_password_command(username, generate):
    """Set USERNAME's password (asks twice), e.g. to recover a locked-out admin.

    Like an admin's reset: every session of the user ends and the lock-out is lifted.
    """
    from flask_babel import gettext as _
    from sqlalchemy import func, select

    from tracker.admin.operations import reset_password
    from tracker.models import User

    user = db.session.scalar(
        select(User).where(func.lower(User.username) == username.strip().lower())
    )
    if user is None:
        raise click.ClickException(_("Unknown user: %(name)s", name=username))
    password = None
    if not generate:
        password = click.prompt(_("New password"), hide_input=True, default="", show_default=False)
        if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise click.ClickException(_("Use 10 to 200 characters."))
        again = click.prompt(_("Repeat it"), hide_input=True, default="", show_default=False)
        if again != password:
            raise click.ClickException(_("The two passwords differ; nothing was changed."))
    password_used = reset_password(None, user, password)
    db.session.commit()
    click.echo(_("Password of %(name)s set; their sessions have ended.", name=user.username))
    if generate:
        click.echo(
            _(
                "Generated password (shown once, must be changed at next log-in): %(p)s",
                p=password_used,
            )
        )


@click.command("demo")
@click.option(
    "--now",
    "now_text",
    default=None,
    help="Pretend the demo is loaded at this instant (ISO 8601, UTC); default: now.",
)
@click.option("--if-empty", is_flag=True, help="Only load when the database has no users.")
def demo_command(now_text, if_empty):
    """Load the embedded Shaoxing demo (idempotent) and print the demo log-ins."""
    from tracker.demo import load_demo
    from tracker.models import User

    logins_file = Path(current_app.instance_path) / "demo-logins.txt"
    if if_empty and db.session.query(User.id).first() is not None:
        click.echo("the database is not empty: demo not loaded again")
        print_demo_logins(logins_file)
        return
    now = datetime.fromisoformat(now_text) if now_text else None
    result = load_demo(now=now)
    db.session.commit()
    for message in result.messages:
        click.echo(message)
    if result.created_logins:
        logins_file.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{u}\t{p}\t{r}\t{d}" for u, p, r, d in result.created_logins]
        with logins_file.open("a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
        logins_file.chmod(0o600)
    print_demo_logins(logins_file)


def print_demo_logins(logins_file: Path) -> None:
    if not logins_file.exists():
        click.echo("demo accounts exist already; their passwords were printed when created")
        return
    click.echo(f"Demo log-ins (DEMO DATA — generated passwords, also in {logins_file}):")
    shown = 0
    for line in logins_file.read_text(encoding="utf-8").splitlines():
        username, password, role, department = line.split("\t")
        if role != "liaison" or username in ("liaison-fgw", "liaison-scjgj", "liaison-jxj"):
            click.echo(f"  {username:<18} {password:<14} {role:<8} {department}")
            shown += 1
    click.echo("  … and one liaison per department (liaison-<code>); all in the file above.")


def register(app: Flask) -> None:
    from tracker.api.cli import token_command
    from tracker.blueprints import area_commands

    users_cli.add_command(token_command)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    for command in area_commands():
        app.cli.add_command(command)
