"""Dumping and restoring the database: SQLite through its online backup API, PostgreSQL
through pg_dump (custom format, from an exported snapshot) and pg_restore | psql.

A dump also returns what it saw at that instant: the row count of every table, the
migration head and the stored names of the evidence rows, all read from the same snapshot
as the dump, so the manifest describes exactly what the archive holds even while the app
keeps writing.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask_babel import gettext as _
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from tracker.backup import BackupError

logger = logging.getLogger(__name__)

SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
MEMBERS = {"sqlite": SQLITE_MEMBER, "postgresql": POSTGRES_MEMBER}
MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"


@dataclass
class Snapshot:
    """What one dump holds: table → rows, the migration head, the evidence file names."""

    dialect: str
    member: str
    tables: dict[str, int] = field(default_factory=dict)
    head: str | None = None
    stored_names: set[str] = field(default_factory=set)


def _quote(conn, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def table_counts(conn) -> dict[str, int]:
    """Rows in every table of the database (the application's and alembic_version)."""
    names = sorted(inspect(conn).get_table_names())
    return {
        name: conn.execute(text(f"SELECT count(*) FROM {_quote(conn, name)}")).scalar_one()  # noqa: S608 (names from the catalog)
        for name in names
        if not name.startswith("sqlite_")
    }


def migration_head(conn) -> str | None:
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _stored_names(conn) -> set[str]:
    if "attachment" not in inspect(conn).get_table_names():
        return set()
    return set(conn.execute(text("SELECT stored_name FROM attachment")).scalars())


def dump(engine: Engine, dest: Path) -> Snapshot:
    """Write the database to `dest`; safe while the application runs."""
    if engine.dialect.name == "sqlite":
        return _dump_sqlite(engine, dest)
    if engine.dialect.name == "postgresql":
        return _dump_postgres(engine, dest)
    raise BackupError(_("Backups support SQLite and PostgreSQL only."))


def sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError(_("An in-memory SQLite database cannot be backed up or restored."))
    return Path(database).resolve()


def _dump_sqlite(engine: Engine, dest: Path) -> Snapshot:
    sqlite_path(engine)
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(dest)
        try:
            # One step (pages=-1) copies a single consistent read snapshot; in steps, every
            # write by the running app would restart the copy.
            raw.driver_connection.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            target.close()
    finally:
        raw.close()
    return read_sqlite_file(dest)


def read_sqlite_file(path: Path) -> Snapshot:
    """The snapshot a dumped SQLite file holds (also checks that it is a sound database)."""
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            if conn.execute(text("PRAGMA integrity_check")).scalar() != "ok":
                raise BackupError(_("The database in the archive is damaged."))
            return Snapshot(
                "sqlite",
                SQLITE_MEMBER,
                table_counts(conn),
                migration_head(conn),
                _stored_names(conn),
            )
    except BackupError:
        raise
    except Exception as error:  # sqlite3.DatabaseError: not a database, malformed…
        raise BackupError(_("The database in the archive is damaged.")) from error
    finally:
        engine.dispose()


def preflight(engine: Engine) -> None:
    """Fail before writing anything when the dump tool is missing."""
    if engine.dialect.name == "postgresql":
        _pg_tool("pg_dump")
    elif engine.dialect.name == "sqlite":
        sqlite_path(engine)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            _(
                "%(tool)s was not found on PATH: install the PostgreSQL client programs "
                "(the same major version as the server) and try again.",
                tool=name,
            )
        )
    return found


def _pg_env(engine: Engine) -> tuple[str, dict]:
    """A libpq connection string without the password, which goes in PGPASSWORD instead."""
    url = engine.url.set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def _run(command: list[str], env: dict, what: str, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=env, capture_output=True, check=False, **kwargs)  # noqa: S603 (fixed argv)
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BackupError(
            _("%(what)s failed: %(detail)s", what=what, detail=" ".join(detail[-3:])[:500])
        )
    return result


def _dump_postgres(engine: Engine, dest: Path) -> Snapshot:
    pg_dump = _pg_tool("pg_dump")
    conninfo, env = _pg_env(engine)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            # pg_dump reads the snapshot this transaction exported, so the counts and names
            # below describe exactly the rows the dump holds.
            snapshot_id = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            snapshot = Snapshot(
                "postgresql",
                POSTGRES_MEMBER,
                table_counts(conn),
                migration_head(conn),
                _stored_names(conn),
            )
            _run(
                [
                    pg_dump,
                    "--format=custom",
                    f"--snapshot={snapshot_id}",
                    f"--file={dest}",
                    f"--dbname={conninfo}",
                ],
                env,
                "pg_dump",
            )
    return snapshot


# ---------------------------------------------------------------- restore


def is_empty(engine: Engine) -> bool:
    """No rows in any table but alembic_version (a freshly migrated database is empty)."""
    if engine.dialect.name == "sqlite" and not sqlite_path(engine).exists():
        return True
    with engine.connect() as conn:
        counts = table_counts(conn)
    return not any(n for name, n in counts.items() if name != "alembic_version")


def restore(engine: Engine, dumped: Path, dialect: str) -> None:
    """Replace the database with the dump, all or nothing."""
    if dialect != engine.dialect.name:
        raise BackupError(
            _(
                "The archive holds a %(archive)s database but this installation uses "
                "%(target)s; restore it into the same kind of database.",
                archive=dialect,
                target=engine.dialect.name,
            )
        )
    engine.dispose()  # no pooled connection may hold the old database open
    if dialect == "sqlite":
        _restore_sqlite(engine, dumped)
    else:
        _restore_postgres(engine, dumped)
    engine.dispose()


def _restore_sqlite(engine: Engine, dumped: Path) -> None:
    target_path = sqlite_path(engine)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(dumped)
    target = sqlite3.connect(target_path, timeout=30)
    try:
        # The backup API writes the whole target in one transaction: a failure leaves the
        # old database as it was.
        source.backup(target, pages=-1)
    except sqlite3.OperationalError as error:
        raise BackupError(_("Cannot write the database: %(error)s", error=str(error))) from error
    finally:
        target.close()
        source.close()


def check_pg_dump(dumped: Path) -> None:
    """Decode the whole custom-format dump (pg_restore writing SQL to nowhere)."""
    _run([_pg_tool("pg_restore"), "--file=/dev/null", str(dumped)], dict(os.environ), "pg_restore")


def _restore_postgres(engine: Engine, dumped: Path) -> None:
    pg_restore, psql = _pg_tool("pg_restore"), _pg_tool("psql")
    conninfo, env = _pg_env(engine)
    # Decode the whole dump once first: psql commits at the end of its input, so a dump
    # that broke off half-way must be caught before it is fed to psql.
    check_pg_dump(dumped)
    # pg_restore writes the SQL, psql runs it in one transaction: the old schema is dropped
    # and the dump loaded, or nothing changes. Streamed, so a large dump never sits in memory.
    with tempfile.TemporaryFile() as errors:
        producer = subprocess.Popen(  # noqa: S603 (fixed argv)
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(dumped)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        try:
            _run(
                [
                    psql,
                    "--no-psqlrc",
                    "--quiet",
                    "--single-transaction",
                    "--set=ON_ERROR_STOP=1",
                    f"--dbname={conninfo}",
                    "--command=DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;",
                    "--file=-",
                ],
                env,
                "psql",
                stdin=producer.stdout,
            )
        finally:
            producer.stdout.close()
            producer.wait()
        if producer.returncode != 0:
            errors.seek(0)
            detail = errors.read().decode("utf-8", "replace").strip()[-500:]
            raise BackupError(_("%(what)s failed: %(detail)s", what="pg_restore", detail=detail))


# ---------------------------------------------------------------- migrations


def script_directory() -> ScriptDirectory:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def schema_relation(archive_head: str | None) -> str:
    """'same', 'older' (migrate forward after restoring) or 'newer' (this code cannot)."""
    script = script_directory()
    heads = set(script.get_heads())
    if archive_head in heads:
        return "same"
    if archive_head is None:
        return "older"
    try:
        known = script.get_revision(archive_head) is not None
    except CommandError:
        known = False
    return "older" if known else "newer"
