"""Writing and reading the archive: a tar of the database dump, `uploads/<name>` for every
evidence file and `manifest.json` last (product version, migration head, rows per table,
size and sha256 of every member).

An archive is written as a hidden `.partial` file next to its final name and renamed only
once complete and flushed to disk, so a failure (a full disk, a missing pg_dump) leaves
nothing behind. Reading checks every member against the manifest and accepts no name it
does not expect, so a tampered or truncated archive is refused before anything is restored.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import shutil
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from tracker.backup import (
    ARCHIVE_FORMAT,
    ARCHIVE_PREFIX,
    ARCHIVE_SUFFIX,
    PRODUCT_VERSION,
    BackupError,
    no_space_message,
)
from tracker.backup import database as dbdump

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
MANIFEST = "manifest.json"
UPLOADS = "uploads/"
# Evidence is stored under random hex names (tracker/evidence.py); anything else in the
# folder (the .staging area, stray files) is not evidence.
_UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}$")
# A referenced file missing at first may be a report committed a moment before the dump
# whose file is being moved into place right now (evidence.py moves it after commit).
MISSING_RECHECK_SECONDS = 2.0


@dataclass
class Created:
    path: Path
    size: int
    seconds: float
    manifest: dict


class _Hashing:
    """A read-only file wrapper that hashes what tarfile reads from it."""

    def __init__(self, fileobj):
        self.fileobj, self.digest, self.size = fileobj, hashlib.sha256(), 0

    def read(self, size=-1):
        chunk = self.fileobj.read(size)
        self.digest.update(chunk)
        self.size += len(chunk)
        return chunk


def _open_output(path: Path):
    """A file being written (one function, so tests can point every write at /dev/full)."""
    return path.open("xb")


def archive_name(now: datetime) -> str:
    return f"{ARCHIVE_PREFIX}{now:%Y%m%dT%H%M%SZ}{ARCHIVE_SUFFIX}"


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]).resolve()


def upload_files(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if _UPLOAD_NAME.match(p.name) and p.is_file())


def _check_space(target_dir: Path, engine, folder: Path) -> None:
    """Refuse early when the target cannot hold roughly the database plus the files."""
    needed = sum((folder / name).stat().st_size for name in upload_files(folder))
    if engine.dialect.name == "sqlite":
        needed += dbdump.sqlite_path(engine).stat().st_size
    if shutil.disk_usage(target_dir).free < needed:
        raise BackupError(no_space_message(target_dir))


def _add(tar: tarfile.TarFile, name: str, path: Path, mtime: float) -> dict:
    with path.open("rb") as source:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = os.fstat(source.fileno()).st_size, mtime, 0o600
        hashing = _Hashing(source)
        tar.addfile(info, hashing)
    return {"size": hashing.size, "sha256": hashing.digest.hexdigest()}


def create(engine, target_dir: Path, now: datetime) -> Created:
    """Write one archive of the database and the evidence files into `target_dir`."""
    started = time.monotonic()
    folder = upload_root()
    dbdump.preflight(engine)
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(
            _("Cannot use %(dir)s for backups: %(error)s", dir=target_dir, error=error.strerror)
        ) from error
    final = target_dir / archive_name(now)
    if final.exists():
        raise BackupError(_("%(path)s already exists; nothing was written.", path=final))
    partial = target_dir / f".{final.name}.partial"
    work = None
    try:
        _check_space(target_dir, engine, folder)
        work = Path(tempfile.mkdtemp(prefix=".backup-", dir=target_dir))
        dumped = work / "database"
        snapshot = dbdump.dump(engine, dumped)
        mtime = now.timestamp()
        with _open_output(partial) as out, tarfile.open(fileobj=out, mode="w") as tar:
            database = {"member": snapshot.member, **_add(tar, snapshot.member, dumped, mtime)}
            dumped.unlink()
            files, missing = {}, sorted(snapshot.stored_names - set(upload_files(folder)))
            if missing:
                time.sleep(MISSING_RECHECK_SECONDS)
            for name in upload_files(folder):
                try:
                    files[name] = _add(tar, UPLOADS + name, folder / name, mtime)
                except FileNotFoundError:
                    continue  # deleted since listed: its row is gone from the dump too
            missing = sorted(snapshot.stored_names - set(files))
            if missing:
                logger.warning("backup: %d evidence files referenced but missing", len(missing))
            manifest = {
                "format": ARCHIVE_FORMAT,
                "product_version": PRODUCT_VERSION,
                "created_at": now.isoformat() + "Z",
                "dialect": snapshot.dialect,
                "migration_head": snapshot.head,
                "tables": snapshot.tables,
                "database": database,
                "files": files,
                "missing_files": missing,
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(body), mtime, 0o600
            tar.addfile(info, _Hashing(_BytesReader(body)))
            tar.close()
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, final)
        _fsync_dir(target_dir)
    except OSError as error:
        partial.unlink(missing_ok=True)
        if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise BackupError(no_space_message(target_dir)) from error
        raise BackupError(
            _("Cannot write the backup: %(error)s", error=error.strerror or str(error))
        ) from error
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
    return Created(final, final.stat().st_size, time.monotonic() - started, manifest)


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def read(self, size=-1):
        end = len(self.data) if size is None or size < 0 else self.at + size
        chunk, self.at = self.data[self.at : end], min(end, len(self.data))
        return chunk


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- reading


def damaged(path: Path, why: str) -> BackupError:
    return BackupError(
        _("%(path)s is not a usable backup (%(why)s); nothing was changed.", path=path, why=why)
    )


def _member_target(name: str, database_member: set[str]) -> str:
    """The kind of an archive member: 'manifest', 'database' or 'upload'; else refuse."""
    if name == MANIFEST:
        return "manifest"
    if name in database_member:
        return "database"
    if name.startswith(UPLOADS) and _UPLOAD_NAME.match(name[len(UPLOADS) :]):
        return "upload"
    return ""


def read(path: Path, extract_to: Path | None = None, *, database_only=False) -> dict:
    """Check every member of the archive against its manifest; return the manifest.

    With `extract_to`, the database is written to `extract_to/database` and (unless
    `database_only`) each file to `extract_to/uploads/<name>`, while being checked.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("%(path)s does not exist.", path=path))
    seen: dict[str, dict] = {}
    manifest = None
    if extract_to is not None:
        (extract_to / "uploads").mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(path, mode="r:") as tar:
            for member in tar:
                kind = _member_target(member.name, set(dbdump.MEMBERS.values()))
                if not kind or not member.isfile() or member.name in seen:
                    raise damaged(path, _("unexpected member %(name)s", name=member.name))
                source = tar.extractfile(member)
                if kind == "manifest":
                    manifest = _parse_manifest(path, source.read(10 * 1024 * 1024))
                    continue
                out = None
                if extract_to is not None and (kind == "database" or not database_only):
                    out_path = extract_to / ("database" if kind == "database" else member.name)
                    out = _open_output(out_path)
                seen[member.name] = _copy(source, out)
    except BackupError:
        raise
    except OSError as error:
        if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise BackupError(no_space_message(extract_to)) from error
        raise damaged(path, _("truncated or unreadable")) from error
    except (tarfile.TarError, EOFError) as error:
        raise damaged(path, _("truncated or unreadable")) from error
    if manifest is None:
        raise damaged(path, _("no manifest: truncated or not a backup"))
    _compare(path, manifest, seen)
    return manifest


def _copy(source, out) -> dict:
    digest, size = hashlib.sha256(), 0
    try:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if out is not None:
                out.write(chunk)
    finally:
        if out is not None:
            out.close()
    return {"size": size, "sha256": digest.hexdigest()}


def _parse_manifest(path: Path, body: bytes) -> dict:
    try:
        manifest = json.loads(body)
        ok = (
            isinstance(manifest, dict)
            and isinstance(manifest.get("files"), dict)
            and isinstance(manifest.get("tables"), dict)
            and isinstance(manifest.get("database"), dict)
        )
    except ValueError:
        ok = False
    if not ok:
        raise damaged(path, _("the manifest is unreadable"))
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise BackupError(
            _(
                "%(path)s was written in backup format %(format)s, which this version does not "
                "read; nothing was changed.",
                path=path,
                format=manifest.get("format"),
            )
        )
    return manifest


def _compare(path: Path, manifest: dict, seen: dict[str, dict]) -> None:
    expected = {UPLOADS + name: entry for name, entry in manifest["files"].items()}
    database = manifest["database"]
    expected[database.get("member")] = database
    for name, entry in expected.items():
        got = seen.get(name)
        if got is None:
            raise damaged(path, _("%(name)s is missing", name=name))
        if got["sha256"] != entry.get("sha256") or got["size"] != entry.get("size"):
            raise damaged(path, _("%(name)s does not match its checksum", name=name))
    extra = sorted(set(seen) - set(expected))
    if extra:
        raise damaged(path, _("unexpected member %(name)s", name=extra[0]))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
