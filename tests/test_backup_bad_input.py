"""Backups given bad input: a truncated or tampered archive, one from a newer schema, no
pg_dump, a full disk — each a clear Chinese message, and the target left as it was."""

from __future__ import annotations

import json
import sqlite3
import tarfile
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from tests.backup_support import fresh_schema, load_demo, make_app, rewrite_archive

NOW = datetime(2026, 11, 25, 3, 0)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """One good archive of the demo (SQLite), shared by the tests that spoil copies of it."""
    from tracker.backup.archive import create
    from tracker.extensions import db

    base = tmp_path_factory.mktemp("backup-source")
    src = make_app(base / "src")
    fresh_schema(src)
    load_demo(src)
    with src.app_context():
        created = create(db.engine, base / "bk", NOW)
        db.engine.dispose()
    return created.path


@pytest.fixture
def target(tmp_path):
    """An empty, migrated database and upload folder to restore into."""
    app = make_app(tmp_path / "dst")
    fresh_schema(app)
    return app


def _restore(app, path: Path, *extra):
    with app.app_context():
        return app.test_cli_runner().invoke(args=["backup", "restore", str(path), "--yes", *extra])


def _untouched(app) -> None:
    """Still empty: no rows, no evidence, nothing left over next to the upload folder."""
    from tracker.backup.database import is_empty
    from tracker.extensions import db

    with app.app_context():
        assert is_empty(db.engine)
    uploads = Path(app.config["UPLOAD_FOLDER"])
    assert not uploads.exists() or not [p for p in uploads.iterdir() if p.name != ".staging"]
    assert not list(uploads.parent.glob(".tracker-restore-*"))


def test_truncated_archive_is_refused_by_verify_and_restore(archive, target, tmp_path):
    broken = tmp_path / "truncated.tar"
    broken.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with target.app_context():
        out = target.test_cli_runner().invoke(args=["backup", "verify", str(broken)])
    assert out.exit_code == 1 and "不是可用的备份" in out.output, out.output
    out = _restore(target, broken)
    assert out.exit_code == 1 and "不是可用的备份" in out.output, out.output
    _untouched(target)


def test_tampered_evidence_file_is_caught_by_its_checksum(archive, target, tmp_path):
    tampered = tmp_path / "tampered.tar"
    victim = {}

    def flip(name, data):
        if name.startswith("uploads/") and not victim:
            victim["name"] = name
            return bytes([data[0] ^ 1]) + data[1:]
        return None

    rewrite_archive(archive, tampered, flip)
    out = _restore(target, tampered)
    assert out.exit_code == 1, out.output
    assert f"{victim['name']} 与校验值不符" in out.output
    _untouched(target)


def test_tampered_database_and_smuggled_member_are_refused(archive, target, tmp_path):
    from tracker.backup import BackupError
    from tracker.backup.restore import verify

    tampered = tmp_path / "db.tar"
    rewrite_archive(
        archive, tampered, lambda n, d: d[:-1] + b"\x01" if n == "database.sqlite3" else None
    )
    with target.app_context(), pytest.raises(BackupError, match="database.sqlite3"):
        verify(tampered)
    smuggled = tmp_path / "smuggled.tar"
    rewrite_archive(archive, smuggled, lambda n, d: None)
    with tarfile.open(smuggled, "a") as tar:
        tar.add(__file__, arcname="../../etc/evil")
    out = _restore(target, smuggled)
    assert out.exit_code == 1 and "../../etc/evil" in out.output, out.output
    _untouched(target)


def test_archive_from_a_newer_schema_is_refused(archive, target, tmp_path):
    """The database and the manifest both say migration 9999_future: unknown to this code."""
    from tracker.backup.archive import sha256_of

    work = tmp_path / "work"
    work.mkdir()
    with tarfile.open(archive) as tar:
        dumped = work / "db"
        dumped.write_bytes(tar.extractfile("database.sqlite3").read())
    conn = sqlite3.connect(dumped)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()

    def newer(name, data):
        if name == "database.sqlite3":
            return dumped.read_bytes()
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["migration_head"] = "9999_future"
            manifest["database"].update(sha256=sha256_of(dumped), size=dumped.stat().st_size)
            return json.dumps(manifest).encode()
        return None

    future = tmp_path / "future.tar"
    rewrite_archive(archive, future, newer)
    out = _restore(target, future)
    assert out.exit_code == 1 and "来自更新版本的系统" in out.output, out.output
    assert "9999_future" in out.output
    _untouched(target)


def test_schema_relation():
    from tracker.backup.database import schema_relation, script_directory

    head = script_directory().get_current_head()
    assert schema_relation(head) == "same"
    assert schema_relation(None) == "older"
    assert schema_relation("9999_future") == "newer"


def test_missing_pg_dump_is_named_and_nothing_is_written(app, tmp_path, monkeypatch):
    from tracker.backup import BackupError
    from tracker.backup.archive import create

    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never reached
    with pytest.raises(BackupError, match="在 PATH 中找不到 pg_dump"):
        create(engine, tmp_path / "bk", NOW)
    assert not (tmp_path / "bk").exists()


def test_full_disk_leaves_no_partial_archive(app, tmp_path, monkeypatch):
    """A real ENOSPC: the archive's bytes go to /dev/full, whose every write fails so."""
    from tracker.backup import BackupError
    from tracker.backup import archive as arc
    from tracker.extensions import db

    src = make_app(tmp_path / "src")
    fresh_schema(src)
    monkeypatch.setattr(arc, "_open_output", lambda path: open("/dev/full", "wb"))  # noqa: SIM115
    target = tmp_path / "bk"
    with src.app_context(), pytest.raises(BackupError, match="磁盘空间已满"):
        arc.create(db.engine, target, NOW)
    assert list(target.iterdir()) == []  # no .partial, no dump left behind


def test_too_little_free_space_is_refused_before_writing(tmp_path, monkeypatch):
    from tracker.backup import BackupError
    from tracker.backup import archive as arc
    from tracker.extensions import db

    src = make_app(tmp_path / "src")
    fresh_schema(src)

    class Usage:
        free = 1024

    monkeypatch.setattr(arc.shutil, "disk_usage", lambda path: Usage)
    with src.app_context(), pytest.raises(BackupError, match="磁盘空间已满"):
        arc.create(db.engine, tmp_path / "bk", NOW)
    assert list((tmp_path / "bk").iterdir()) == []


def test_nightly_job_keeps_the_newest_and_the_outbox_shows_it(
    app, client, factories, tmp_path, monkeypatch
):
    from tracker.backup.jobs import nightly_backup_job
    from tracker.scheduler.runner import build_scheduler

    assert "backup.nightly" not in {j.id for j in build_scheduler(app).get_jobs()}
    page = _outbox(client, factories)
    assert "每晚备份未开启" in page

    folder = tmp_path / "nightly"
    folder.mkdir()
    for day in ("20260101", "20260102", "20260103"):
        (folder / f"tracker-backup-{day}T000000Z.tar").write_bytes(b"old")
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(folder))
    monkeypatch.setitem(app.config, "BACKUP_KEEP", 2)
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    assert "backup.nightly" in {j.id for j in build_scheduler(app).get_jobs()}
    summary = nightly_backup_job()
    kept = sorted(p.name for p in folder.iterdir())
    assert len(kept) == 2 and kept[0] == "tracker-backup-20260103T000000Z.tar"
    assert summary.startswith(kept[1]) and "removed 2 old" in summary
    page = _outbox(client, factories)
    assert kept[1] in page and "保留最新的 2 份" in page


def _outbox(client, factories) -> str:
    from tracker.extensions import db
    from tracker.models import User

    admin = db.session.scalar(select(User).where(User.role == "admin"))
    if db.session.scalar(select(func.count()).select_from(User).where(User.role == "admin")) == 0:
        admin = factories.user("admin")
    factories.login_as(client, admin)
    response = client.get("/admin/outbox")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_full_disk_while_restoring_leaves_the_target_empty(archive, target, monkeypatch):
    """A real ENOSPC while unpacking: every byte written goes to /dev/full."""
    from tracker.backup import archive as arc

    monkeypatch.setattr(arc, "_open_output", lambda path: open("/dev/full", "wb"))  # noqa: SIM115
    out = _restore(target, archive)
    assert out.exit_code == 1 and "磁盘空间已满" in out.output, out.output
    _untouched(target)
