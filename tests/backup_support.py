"""Helpers for the backup tests: an app of its own per database, demo data with evidence, a
writer thread, rewriting an archive, and reading every row of every table."""

from __future__ import annotations

import io
import json
import os
import tarfile
import threading
from datetime import datetime
from pathlib import Path

import psycopg
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from werkzeug.datastructures import FileStorage

from config import TestingConfig, database_url
from tests.conftest import ROOT, reset_database

DEMO_NOW = datetime(2026, 11, 25, 2, 0)
PG_BASE = os.environ.get("TEST_DATABASE_URL")


def postgres_url(name: str) -> str:
    """A database of its own on the test server (created when missing)."""
    url = make_url(database_url(PG_BASE))
    admin = url.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def make_app(instance: Path, url: str | None = None):
    from tracker import create_app

    instance.mkdir(parents=True, exist_ok=True)
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=url or f"sqlite:///{instance}/tracker.db",
        INSTANCE_PATH=str(instance),
        UPLOAD_FOLDER=str(instance / "uploads"),
        MAIL_FILE_DIR=str(instance / "mail"),
    )
    app.instance_path = str(instance)
    return app


def fresh_schema(app) -> None:
    """Drop everything, then run the migrations: an empty, current database."""
    from flask_migrate import upgrade

    from tracker.extensions import db

    with app.app_context():
        reset_database(db.engine)
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()


def load_demo(app) -> None:
    from tracker.demo import load_demo as load
    from tracker.extensions import db

    with app.app_context():
        load(now=DEMO_NOW)
        db.session.commit()
        db.session.remove()


def add_evidence(number: int) -> None:
    """One evidence file and its row, through the real upload path, plus an audit row."""
    from tracker.evidence import stage_upload
    from tracker.extensions import db
    from tracker.models import Attachment, AuditEvent

    body = f"evidence {number}\n".encode() * (number % 7 + 1)
    staged = stage_upload(db.session, FileStorage(io.BytesIO(body), filename=f"e{number}.txt"))
    db.session.add(
        Attachment(
            original_name=staged.original_name,
            stored_name=staged.stored_name,
            content_type=staged.content_type,
            size=staged.size,
            sha256=staged.sha256,
            created_at=DEMO_NOW,
        )
    )
    db.session.add(AuditEvent(action="probe", object_type="backup", object_id=number, at=DEMO_NOW))
    db.session.commit()


class Writer(threading.Thread):
    """Commits evidence rows and files until stopped: the app 'running' during a backup."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.stop, self.done, self.error = app, threading.Event(), 0, None
        self.progress = threading.Condition()

    def run(self):
        from tracker.extensions import db

        try:
            with self.app.app_context():
                while not self.stop.is_set():
                    add_evidence(1000 + self.done)
                    with self.progress:
                        self.done += 1
                        self.progress.notify_all()
                db.session.remove()
        except Exception as error:  # surfaced by the test
            self.error = error

    def wait_for(self, count: int, timeout: float = 60) -> None:
        with self.progress:
            self.progress.wait_for(lambda: self.done >= count or self.error, timeout)
        assert self.error is None, self.error


def all_rows(engine) -> dict[str, list[tuple]]:
    """Every row of every table, sorted, as plain tuples (dates and JSON as text); not the
    data generation (tracker/fragments.py), which a restore replaces."""
    rows = {}
    with engine.connect() as conn:
        for table in sorted(inspect(conn).get_table_names()):
            if table == "data_generation":  # a cache token every restore replaces
                continue
            result = conn.execute(text(f'SELECT * FROM "{table}"'))  # noqa: S608
            rows[table] = sorted(tuple(_plain(v) for v in row) for row in result)
    return rows


def _plain(value):
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, str) and value.startswith(("{", "[")):
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    return str(value) if value is not None else None


def rewrite_archive(source: Path, dest: Path, change) -> None:
    """Copy an archive member by member; `change(name, data)` returns new bytes or None."""
    with tarfile.open(source) as tar_in, tarfile.open(dest, "w") as tar_out:
        for member in tar_in:
            data = tar_in.extractfile(member).read()
            changed = change(member.name, data)
            if changed is not None:
                data = changed
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            tar_out.addfile(info, io.BytesIO(data))


def generation_token(engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(text("SELECT token FROM data_generation")).scalar()
