"""The nightly backup job (on only when BACKUP_DIR is set) and what the 发件箱 page shows."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app

from tracker import clock
from tracker.backup import ARCHIVE_PREFIX, ARCHIVE_SUFFIX
from tracker.extensions import db

logger = logging.getLogger(__name__)


def backup_enabled(app: Flask) -> bool:
    return bool(app.config.get("BACKUP_DIR"))


def archives(folder: Path) -> list[Path]:
    """The finished archives in `folder`, oldest first (names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.name.startswith(ARCHIVE_PREFIX) and p.name.endswith(ARCHIVE_SUFFIX)
    )


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives; return the deleted ones."""
    found = archives(folder)
    doomed = found[: max(0, len(found) - max(1, keep))]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def nightly_backup_job(now: datetime | None = None) -> str:
    """Write tonight's archive into BACKUP_DIR and keep the newest BACKUP_KEEP."""
    from tracker.backup.archive import create
    from tracker.backup.cli import human_size

    del now  # the archive is named by when it was really taken
    folder = Path(current_app.config["BACKUP_DIR"])
    db.session.remove()
    created = create(db.engine, folder, clock.now())
    pruned = prune(folder, int(current_app.config.get("BACKUP_KEEP", 7)))
    return f"{created.path.name}: {human_size(created.size)}, {created.seconds:.1f} s" + (
        f"; removed {len(pruned)} old" if pruned else ""
    )


@dataclass
class BackupStatus:
    folder: str | None
    keep: int
    latest: str | None = None
    latest_at: datetime | None = None
    latest_size: int | None = None
    count: int = 0


def backup_status(app: Flask) -> BackupStatus:
    """The newest archive in BACKUP_DIR, for the admin page (None fields when there is none)."""
    status = BackupStatus(
        app.config.get("BACKUP_DIR") or None, int(app.config.get("BACKUP_KEEP", 7))
    )
    if status.folder is None:
        return status
    found = archives(Path(status.folder))
    status.count = len(found)
    if found:
        latest = found[-1]
        status.latest, status.latest_size = latest.name, latest.stat().st_size
        stamp = latest.name[len(ARCHIVE_PREFIX) : -len(ARCHIVE_SUFFIX)]
        try:
            status.latest_at = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")  # noqa: DTZ007 (naive UTC)
        except ValueError:
            status.latest_at = None
    return status
