"""Writing generated rows fast: COPY on PostgreSQL, executemany on SQLite; the database
checks around it (empty? enough disk?), sequences and statistics afterwards."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import JSON, create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url

from bench.sizes import Scale, human, required_free_bytes

logger = logging.getLogger(__name__)

SQLITE_CHUNK = 5_000
# Tables whose rows say the database is in use (the generator refuses to write over them).
CONTENT_TABLES = ("user_account", "department", "plan", "work_item")


class GenerateError(Exception):
    """A refusal the user can act on (printed without a traceback)."""


def metadata():
    from tracker import models  # noqa: F401  (registers the tables)
    from tracker.extensions import db

    return db.metadata


def dialect_of(url: str) -> str:
    return make_url(url).get_backend_name()


# ---------------------------------------------------------------- the target database


def ensure_postgres_database(url: str) -> bool:
    """Create the PostgreSQL database named in `url` when it does not exist (True if made)."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            )
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
                return True
    finally:
        admin.dispose()
    return False


def absolute_url(url: str) -> str:
    """SQLite paths made absolute (Flask-SQLAlchemy would read them from instance/)."""
    from config import database_url

    url = database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return parsed.set(database=str(Path(parsed.database).resolve())).render_as_string(
            hide_password=False
        )
    return url


def sqlite_path(url: str) -> Path | None:
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    return Path(database).resolve()


def content_rows(engine: Engine) -> int:
    """Rows in the tables that mean "someone uses this database" (0 when there are none)."""
    names = set(inspect(engine).get_table_names())
    total = 0
    with engine.connect() as conn:
        for table in CONTENT_TABLES:
            if table in names:
                total += conn.scalar(text(f'SELECT count(*) FROM "{table}"')) or 0
    return total


def table_count(engine: Engine) -> int:
    return len(inspect(engine).get_table_names())


def drop_everything(engine: Engine) -> None:
    """Empty the database completely, so the migrations start from nothing (--force)."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            conn.execute(text("PRAGMA foreign_keys=OFF"))
            rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
            for (name,) in rows.fetchall():
                if not name.startswith("sqlite_"):
                    conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))


# ---------------------------------------------------------------- disk space


@dataclass
class DiskCheck:
    where: str
    free: int | None
    needed: int

    @property
    def fits(self) -> bool:
        return self.free is None or self.free >= self.needed


def postgres_data_directory(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SHOW data_directory"))
    except Exception:  # noqa: BLE001 (not a superuser: the check is skipped, with a warning)
        return None


def check_disk(url: str, scale: Scale, engine: Engine | None = None) -> DiskCheck:
    """How much the size needs against what is free where the data will be written."""
    dialect = dialect_of(url)
    needed = required_free_bytes(scale, dialect)
    if dialect == "sqlite":
        path = sqlite_path(url)
        folder = path.parent if path else Path.cwd()
        folder.mkdir(parents=True, exist_ok=True)
        return DiskCheck(str(folder), shutil.disk_usage(folder).free, needed)
    directory = postgres_data_directory(engine) if engine is not None else None
    if directory and Path(directory).exists():
        return DiskCheck(f"{directory} (PostgreSQL data directory)", _free(directory), needed)
    return DiskCheck("the PostgreSQL server's disk (not readable from here)", None, needed)


def _free(path: str) -> int:
    return shutil.disk_usage(path).free


def refuse_if_too_big(check: DiskCheck, size_name: str) -> None:
    if check.free is None:
        logger.warning(
            "cannot see the free space of %s; size %s needs about %s",
            check.where,
            size_name,
            human(check.needed),
        )
        return
    if not check.fits:
        raise GenerateError(
            f"refusing to generate size {size_name}: it needs about {human(check.needed)} "
            f"free at {check.where}, and only {human(check.free)} is free. Free some space, "
            "choose a smaller size, or point --database-url at a bigger disk."
        )


# ---------------------------------------------------------------- writing rows


def first_ids(conn: Connection, tables) -> dict[str, int]:
    """max(id) + 1 of each table, so generated ids never collide with existing rows."""
    return {t: (conn.scalar(text(f'SELECT max(id) FROM "{t}"')) or 0) + 1 for t in tables}


class RowWriter:
    """Writes batches of dicts into one table at a time on an open connection."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.dialect = conn.dialect.name
        self.tables = metadata().tables
        self.rows_written = 0

    def write(self, table: str, rows: list[dict]) -> None:
        if not rows:
            return
        if self.dialect == "postgresql":
            self._copy(table, rows)
        else:
            statement = self.tables[table].insert()
            for start in range(0, len(rows), SQLITE_CHUNK):
                self.conn.execute(statement, rows[start : start + SQLITE_CHUNK])
        self.rows_written += len(rows)

    def _copy(self, table: str, rows: list[dict]) -> None:
        columns = list(rows[0])
        json_columns = {
            c.name for c in self.tables[table].columns if isinstance(c.type, JSON)
        } & set(columns)
        names = ", ".join(f'"{c}"' for c in columns)
        raw = self.conn.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(
                    tuple(
                        json.dumps(row[c], ensure_ascii=False)
                        if c in json_columns and row[c] is not None
                        else row[c]
                        for c in columns
                    )
                )


def fix_sequences(conn: Connection, tables) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move them past the last id."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'coalesce((SELECT max(id) FROM "{table}"), 0) + 1, false)'
            )
        )


def analyze(engine: Engine) -> None:
    """What autovacuum does after a bulk load on PostgreSQL (SQLite: nothing, as in use)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def database_bytes(engine: Engine, url: str) -> int | None:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return conn.scalar(text("SELECT pg_database_size(current_database())"))
    path = sqlite_path(url)
    if path is None or not path.exists():
        return None
    total = path.stat().st_size
    for suffix in ("-wal", "-shm"):
        extra = Path(str(path) + suffix)
        if extra.exists():
            total += extra.stat().st_size
    return total


def json_default(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)
