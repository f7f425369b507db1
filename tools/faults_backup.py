"""The backup drill of `make faults`: back up, destroy the database and the evidence, restore,
and compare every table's rows and every file's checksum with what was there before.

`tools/faults.py` runs it on its private PostgreSQL cluster after the load and the faults.
Alone it seeds its own data (a private cluster, and a SQLite file):

    .venv/bin/python -m tools.faults_backup [--databases postgresql,sqlite]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.faults import BIN, PG_BIN, ROOT, PrivatePostgres, free_port, log, run_python, seed

# Every table: rows and a digest of the sorted rows; every evidence file: its sha256.
FINGERPRINT = """
import hashlib, json
from pathlib import Path
from sqlalchemy import inspect, text
from tracker import create_app
from tracker.extensions import db
app = create_app("development")
out = {"tables": {}, "files": {}}
with app.app_context():
    with db.engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            rows = sorted(repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{table}"')))
            digest = hashlib.sha256("\\n".join(rows).encode()).hexdigest()
            out["tables"][table] = [len(rows), digest]
    folder = Path(app.config["UPLOAD_FOLDER"])
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.is_file():
            out["files"][path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
print(json.dumps(out))
"""

# A few evidence files through the real upload path, so the drill has files to lose.
EVIDENCE = """
import io
from werkzeug.datastructures import FileStorage
from tracker import create_app
from tracker.evidence import stage_upload
from tracker.extensions import db
from tracker.models import Attachment
app = create_app("development")
with app.app_context():
    for n in range(8):
        body = (f"演练佐证 {n}\\n" * (50 * (n + 1))).encode()
        f = stage_upload(db.session, FileStorage(io.BytesIO(body), filename=f"drill-{n}.txt"))
        db.session.add(Attachment(original_name=f.original_name, stored_name=f.stored_name,
                                  content_type=f.content_type, size=f.size, sha256=f.sha256))
    db.session.commit()
"""


def _flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def drill(env: dict, destroy, work: Path) -> dict:
    """Back up, `destroy()` the database, delete the uploads, restore, compare. Returns figures."""
    run_python(env, EVIDENCE)
    before = json.loads(run_python(env, FINGERPRINT))
    started = time.monotonic()
    made = _flask(env, "backup", "create", "--to", str(work / "drill-backups"))
    backup_seconds = time.monotonic() - started
    if made.returncode != 0:
        return {"ok": False, "step": "backup create", "output": made.stdout + made.stderr}
    archive = next((work / "drill-backups").glob("tracker-backup-*.tar"))
    log(f"drill: backed up to {archive.name} ({archive.stat().st_size:,} bytes); destroying")
    destroy()
    shutil.rmtree(Path(env["TRACKER_INSTANCE_DIR"]) / "uploads", ignore_errors=True)
    started = time.monotonic()
    restored = _flask(env, "backup", "restore", str(archive), "--yes")
    restore_seconds = time.monotonic() - started
    if restored.returncode != 0:
        return {"ok": False, "step": "backup restore", "output": restored.stdout + restored.stderr}
    after = json.loads(run_python(env, FINGERPRINT))
    tables_differ = sorted(
        t
        for t in set(before["tables"]) | set(after["tables"])
        if before["tables"].get(t) != after["tables"].get(t)
    )
    return {
        "ok": not tables_differ and before["files"] == after["files"],
        "tables": len(before["tables"]),
        "rows": sum(n for n, _digest in before["tables"].values()),
        "files": len(before["files"]),
        "tables_that_differ": tables_differ,
        "files_that_differ": sorted(set(before["files"].items()) ^ set(after["files"].items()))[:5],
        "archive_bytes": archive.stat().st_size,
        "backup_seconds": round(backup_seconds, 1),
        "restore_seconds": round(restore_seconds, 1),
    }


def destroy_postgres(pg: PrivatePostgres):
    """Drop the application's database outright and create an empty one in its place."""

    def destroy():
        for sql in ("DROP DATABASE postgres WITH (FORCE)", "CREATE DATABASE postgres"):
            pg._as_postgres(  # noqa: SLF001 (the cluster's own helper)
                str(PG_BIN / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(pg.port),
                "-U",
                "postgres",
                "-d",
                "template1",
                "-c",
                sql,
            )

    return destroy


def _env(work: Path, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST"))}
    env.update(
        TRACKER_CONFIG="development",
        SCHEDULER_ENABLED="0",
        DATABASE_URL=database_url,
        SECRET_KEY="f" * 40,
        TRACKER_INSTANCE_DIR=str(work),
        MAIL_BACKEND="file",
        PYTHONPATH=str(ROOT),
    )
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--items", type=int, default=40)
    args = parser.parse_args(argv)
    results = {}
    for dialect in args.databases.split(","):
        work = Path(tempfile.mkdtemp(prefix="faults-backup-"))
        pg = PrivatePostgres(free_port()) if dialect == "postgresql" else None
        try:
            if pg is not None:
                pg.start()
                env, destroy = _env(work, pg.url), destroy_postgres(pg)
            else:
                db_file = work / "tracker.db"
                env = _env(work, f"sqlite:///{db_file}")

                def destroy(db_file=db_file):
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{db_file}{suffix}").unlink(missing_ok=True)

            seed(env, args.items)
            results[dialect] = drill(env, destroy, work)
            log(f"drill on {dialect}: {'OK' if results[dialect]['ok'] else 'FAILED'}")
        finally:
            if pg is not None:
                pg.stop()
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0 if all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
