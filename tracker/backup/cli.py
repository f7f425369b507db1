"""`flask --app wsgi backup create|verify|restore`: one command out, one command back."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from tracker import clock
from tracker.backup import BackupError
from tracker.extensions import db

backup_cli = AppGroup("backup", help="Back up and restore the database and evidence files.")


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


@backup_cli.command("create")
@click.option(
    "--to",
    "target",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the archive (default: BACKUP_DIR, else instance/backups).",
)
def create_command(target: Path | None):
    """Write one archive: the database, every evidence file and a manifest."""
    from tracker.backup.archive import create

    target = target or Path(
        current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups"
    )
    try:
        created = create(db.engine, target, clock.now())
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    manifest = created.manifest
    click.echo(
        _(
            "Backup written: %(path)s (%(size)s, %(rows)s rows, %(files)s files, %(seconds)s s).",
            path=created.path,
            size=human_size(created.size),
            rows=sum(n for t, n in manifest["tables"].items() if t != "alembic_version"),
            files=len(manifest["files"]),
            seconds=round(created.seconds, 1),
        )
    )
    if manifest["missing_files"]:
        click.echo(
            _(
                "Warning: %(count)s evidence files referenced by the database were already "
                "missing from the upload folder.",
                count=len(manifest["missing_files"]),
            ),
            err=True,
        )


@backup_cli.command("verify")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
def verify_command(archive: Path):
    """Check an archive against its manifest (every checksum, and the row counts)."""
    from tracker.backup.restore import verify

    try:
        manifest = verify(archive)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        _(
            "%(path)s is sound: written %(created)s by version %(version)s, migration "
            "%(head)s, %(tables)s tables, %(files)s files.",
            path=archive,
            created=manifest.get("created_at"),
            version=manifest.get("product_version"),
            head=manifest.get("migration_head"),
            tables=len(manifest["tables"]),
            files=len(manifest["files"]),
        )
    )


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Confirm: the restore writes the database.")
@click.option("--force", is_flag=True, help="Replace a database or upload folder with data.")
def restore_command(archive: Path, yes: bool, force: bool):
    """Restore an archive into an empty database and upload folder, then check it."""
    from tracker.backup.restore import restore

    if not yes:
        raise click.ClickException(
            _("Restoring writes the database and the upload folder: add --yes to go ahead.")
        )
    db.session.remove()
    try:
        restored = restore(db.engine, archive, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        _(
            "Restored %(rows)s rows and %(files)s files from %(path)s in %(seconds)s s; "
            "counts and checksums match the manifest.",
            rows=restored.rows,
            files=restored.files,
            path=archive,
            seconds=round(restored.seconds, 1),
        )
    )
    if restored.migrated:
        click.echo(_("The archive was older than this version: the migrations were run."))
