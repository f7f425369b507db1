"""Restoring an archive: check it whole, then replace the database and the evidence files,
then prove the counts and checksums match the manifest.

Nothing in the target changes until the archive has been read and checked in full (into a
folder next to the upload folder, so a full disk stops the restore before it starts), its
schema is known to this code and the target is empty (or `force` is given). The database is
replaced in one transaction; the files are renamed into place afterwards.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from tracker.backup import BackupError
from tracker.backup import archive as arc
from tracker.backup import database as dbdump

logger = logging.getLogger(__name__)


@dataclass
class Restored:
    manifest: dict
    migrated: bool
    rows: int
    files: int
    seconds: float


def verify(path: Path) -> dict:
    """Check the archive against its manifest, and the database in it where we can."""
    manifest = arc.read(path)
    with tempfile.TemporaryDirectory(prefix="tracker-verify-") as work:
        arc.read(path, Path(work), database_only=True)
        dumped = Path(work) / "database"
        if manifest.get("dialect") == "sqlite":
            _compare_counts(manifest, dbdump.read_sqlite_file(dumped).tables)
        elif shutil.which("pg_restore"):
            dbdump.check_pg_dump(dumped)
    return manifest


def _compare_counts(manifest: dict, actual: dict[str, int]) -> None:
    expected = {k: v for k, v in manifest["tables"].items()}
    if expected != actual:
        differ = sorted(
            name for name in set(expected) | set(actual) if expected.get(name) != actual.get(name)
        )
        raise BackupError(
            _(
                "Row counts do not match the manifest in %(tables)s.",
                tables=", ".join(
                    f"{n} ({expected.get(n, '-')} ≠ {actual.get(n, '-')})" for n in differ[:5]
                ),
            )
        )


def _check_target(engine, folder: Path, force: bool) -> None:
    if force:
        return
    if not dbdump.is_empty(engine):
        raise BackupError(
            _(
                "The database is not empty; nothing was changed. Restore into an empty "
                "database, or add --force to replace everything in it."
            )
        )
    if arc.upload_files(folder):
        raise BackupError(
            _(
                "The upload folder %(folder)s already holds evidence files; nothing was "
                "changed. Restore into an empty folder, or add --force.",
                folder=folder,
            )
        )


def restore(engine, path: Path, *, force: bool = False) -> Restored:
    """Restore the archive at `path` into the configured database and upload folder."""
    started = time.monotonic()
    path = Path(path).resolve()
    folder = arc.upload_root()
    _check_target(engine, folder, force)
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".tracker-restore-", dir=folder.parent))
    try:
        manifest = arc.read(path, work)
        relation = dbdump.schema_relation(manifest.get("migration_head"))
        if relation == "newer":
            raise BackupError(
                _(
                    "%(path)s comes from a newer version of the product (migration "
                    "%(head)s, unknown here); nothing was changed. Upgrade the product first.",
                    path=path,
                    head=manifest.get("migration_head"),
                )
            )
        if manifest.get("dialect") == "sqlite":
            _compare_counts(manifest, dbdump.read_sqlite_file(work / "database").tables)
        dbdump.restore(engine, work / "database", manifest.get("dialect"))
        with engine.connect() as conn:
            _compare_counts(manifest, dbdump.table_counts(conn))
        _put_files(folder, work / "uploads", manifest, force)
        migrated = relation == "older"
        if migrated:
            _migrate_forward()
        _retire_fragments(engine)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = sum(v for k, v in manifest["tables"].items() if k != "alembic_version")
    return Restored(manifest, migrated, rows, len(manifest["files"]), time.monotonic() - started)


def _retire_fragments(engine) -> None:
    """The restored data is a new generation: no page fragment kept by a running worker
    under the archive's token may be served for it (tracker/fragments.py)."""
    from tracker.fragments import new_generation

    with engine.begin() as conn:
        new_generation(conn)


def _put_files(folder: Path, staged: Path, manifest: dict, force: bool) -> None:
    """Rename the checked files into the upload folder and check them again where they lie."""
    wanted = manifest["files"]
    if force:
        for name in arc.upload_files(folder):
            if name not in wanted:
                (folder / name).unlink()
    for name in wanted:
        shutil.move(staged / name, folder / name)
    bad = [n for n, e in wanted.items() if arc.sha256_of(folder / n) != e["sha256"]]
    if bad:
        raise BackupError(
            _("Restored files do not match their checksums: %(names)s", names=", ".join(bad[:5]))
        )


def _migrate_forward() -> None:
    from flask_migrate import upgrade

    logger.info("restore: the archive is older than this code; running the migrations")
    upgrade(directory=str(dbdump.MIGRATIONS_DIR))
