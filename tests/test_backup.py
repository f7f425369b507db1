"""Backups round trip: every row and every evidence file comes back, on SQLite and on
PostgreSQL, including an archive taken while another thread keeps writing."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.backup_support import (
    PG_BASE,
    Writer,
    all_rows,
    fresh_schema,
    generation_token,
    load_demo,
    make_app,
    postgres_url,
)

DIALECTS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not PG_BASE, reason="TEST_DATABASE_URL is not PostgreSQL"),
    ),
]
WRITER_TABLES = {"attachment", "audit_event"}


def _apps(tmp_path: Path, dialect: str):
    if dialect == "postgresql":
        src = make_app(tmp_path / "src", postgres_url("test_backup_src"))
        dst = make_app(tmp_path / "dst", postgres_url("test_backup_dst"))
    else:
        src, dst = make_app(tmp_path / "src"), make_app(tmp_path / "dst")
    fresh_schema(src)
    fresh_schema(dst)
    return src, dst


def cli(app, *args):
    """Run `flask …` against `app` (the CLI would otherwise use the context already pushed)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("dialect", DIALECTS)
def test_round_trip_while_writing_brings_back_every_row_and_file(tmp_path, dialect):
    from tracker.backup.archive import create
    from tracker.backup.database import table_counts
    from tracker.backup.restore import restore, verify
    from tracker.extensions import db
    from tracker.models import Attachment, AuditEvent

    src, dst = _apps(tmp_path, dialect)
    load_demo(src)
    writer = Writer(src)
    writer.start()
    try:
        writer.wait_for(3)
        with src.app_context():
            before = set(db.session.scalars(select(Attachment.stored_name)))
            db.session.remove()
            created = create(db.engine, tmp_path / "backups", datetime(2026, 11, 25, 3, 0))
        writer.wait_for(writer.done + 3)  # still writing after the snapshot
    finally:
        writer.stop.set()
        writer.join(30)
    assert writer.error is None

    manifest = verify(created.path)
    assert manifest == created.manifest
    assert manifest["dialect"] == dialect and manifest["migration_head"] == "0001_initial"
    assert manifest["missing_files"] == []
    assert manifest["tables"]["work_item"] > 0 and manifest["files"]

    with dst.app_context():
        restored = restore(db.engine, created.path)
    assert restored.files == len(manifest["files"])

    with src.app_context():
        src_rows, src_engine = all_rows(db.engine), db.engine
        src_generation = generation_token(db.engine)
        src_counts = {t: len(r) for t, r in src_rows.items()}
    with dst.app_context():
        dst_rows = all_rows(db.engine)
        dst_generation = generation_token(db.engine)
        with db.engine.connect() as conn:
            assert table_counts(conn) == manifest["tables"]
        attachments = db.session.execute(select(Attachment.stored_name, Attachment.sha256)).all()
        # The restored database takes new rows (PostgreSQL sequences came back too).
        db.session.add(AuditEvent(action="after", object_type="backup"))
        db.session.commit()
        db.session.remove()
    del src_engine

    # Tables the writer never touched come back row for row; the data generation is new
    # (the restore retires every cached page fragment).
    assert None is not dst_generation != src_generation
    for table in src_rows.keys() - WRITER_TABLES:
        assert dst_rows[table] == src_rows[table], table
    # The writer's tables: a consistent prefix — everything committed before the backup
    # began, nothing that was never written, and the later writes exactly as missing.
    for table in WRITER_TABLES:
        assert set(dst_rows[table]) <= set(src_rows[table]), table
        assert len(dst_rows[table]) == manifest["tables"][table] < src_counts[table]
    stored = {name for name, _ in attachments}
    assert before <= stored
    # Every file: each restored evidence row has its file, with the checksum the row records
    # (written at upload time, independent of the backup's own manifest).
    uploads = dst.config["UPLOAD_FOLDER"]
    for name, sha256 in attachments:
        assert _sha(Path(uploads) / name) == sha256
    on_disk = {p.name for p in Path(uploads).iterdir() if p.is_file()}
    assert on_disk == set(manifest["files"]) >= stored
    for name, entry in manifest["files"].items():
        assert _sha(Path(src.config["UPLOAD_FOLDER"]) / name) == entry["sha256"]


def test_cli_round_trip_in_chinese_and_refuses_a_full_target(tmp_path):
    src, dst = _apps(tmp_path, "sqlite")
    load_demo(src)
    out = cli(src, "backup", "create", "--to", str(tmp_path / "bk"))
    assert out.exit_code == 0, out.output
    assert "备份已写入" in out.output
    archive = next((tmp_path / "bk").glob("tracker-backup-*.tar"))

    out = cli(dst, "backup", "verify", str(archive))
    assert out.exit_code == 0 and "完好" in out.output, out.output

    out = cli(dst, "backup", "restore", str(archive))
    assert out.exit_code == 1 and "--yes" in out.output
    out = cli(dst, "backup", "restore", str(archive), "--yes")
    assert out.exit_code == 0 and "行数和校验值均与清单一致" in out.output, out.output

    # A second restore over the data is refused, and changes nothing.
    from tracker.extensions import db
    from tracker.models import AuditEvent

    with dst.app_context():
        db.session.add(AuditEvent(action="kept", object_type="backup"))
        db.session.commit()
        db.session.remove()
    out = cli(dst, "backup", "restore", str(archive), "--yes")
    assert out.exit_code == 1 and "数据库不是空的" in out.output, out.output
    with dst.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "kept"))
        db.session.remove()

    # --force replaces it: back to exactly the archive's rows.
    out = cli(dst, "backup", "restore", str(archive), "--yes", "--force")
    assert out.exit_code == 0, out.output
    with src.app_context():
        src_rows = all_rows(db.engine)
    with dst.app_context():
        assert all_rows(db.engine) == src_rows
        db.session.remove()


def test_upload_folder_with_files_is_refused_without_force(tmp_path):
    src, dst = _apps(tmp_path, "sqlite")
    load_demo(src)
    out = cli(src, "backup", "create", "--to", str(tmp_path / "bk"))
    archive = next((tmp_path / "bk").glob("*.tar"))
    stray = Path(dst.config["UPLOAD_FOLDER"]) / ("ab" * 16)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"someone else's file")
    out = cli(dst, "backup", "restore", str(archive), "--yes")
    assert out.exit_code == 1 and "上传目录" in out.output, out.output
    assert stray.read_bytes() == b"someone else's file"


def test_an_archive_older_than_the_code_is_migrated_forward(tmp_path):
    """An archive taken before the first migration (the oldest schema there is) comes back
    and is brought up to the current head by the restore."""
    from sqlalchemy import inspect

    from tracker.backup.database import migration_head, script_directory
    from tracker.extensions import db

    old = make_app(tmp_path / "old")
    with old.app_context():
        with db.engine.connect() as conn:  # an existing but never migrated database
            assert inspect(conn).get_table_names() == []
        db.engine.dispose()
    out = cli(old, "backup", "create", "--to", str(tmp_path / "bk"))
    assert out.exit_code == 0, out.output
    archive = next((tmp_path / "bk").glob("*.tar"))

    _src, dst = _apps(tmp_path, "sqlite")
    out = cli(dst, "backup", "restore", str(archive), "--yes")
    assert out.exit_code == 0, out.output
    assert "已执行数据库迁移" in out.output
    with dst.app_context(), db.engine.connect() as conn:
        assert migration_head(conn) == script_directory().get_current_head()
        assert "work_item" in inspect(conn).get_table_names()
