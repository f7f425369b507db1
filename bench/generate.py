"""Fill a database with benchmark data: `python -m bench.generate --size M [--database-url URL]`.

S is the Shaoxing demo (`flask demo`); M and L are generated (see bench/data.py for the
shape). The target must be empty — the generator runs the migrations on it first — unless
--force, which drops everything in it. It refuses a size the disk cannot hold. Every
account gets the benchmark password (bench/sizes.py), stored hashed like any other.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection

from bench.dbload import (
    GenerateError,
    RowWriter,
    absolute_url,
    analyze,
    check_disk,
    content_rows,
    database_bytes,
    dialect_of,
    drop_everything,
    ensure_postgres_database,
    first_ids,
    fix_sequences,
    refuse_if_too_big,
    table_count,
)
from bench.sizes import (
    BENCH_API_TOKEN,
    BENCH_PASSWORD,
    Scale,
    human,
    local_today,
    scale_for,
    with_seed,
)

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "instance" / "bench"
GENERATOR_VERSION = 1


def default_url(size: str) -> str:
    return f"sqlite:///{BENCH_DIR / f'bench-{size}.db'}"


def schema_digest() -> str:
    """Which migrations built the schema: data generated under others is regenerated."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def password_hash() -> str:
    from werkzeug.security import generate_password_hash

    return generate_password_hash(BENCH_PASSWORD)


def make_app(url: str):
    """The app on the target database (no scheduler, no production secret needed)."""
    from config import Config
    from tracker import create_app

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    return create_app(
        Config,
        SQLALCHEMY_DATABASE_URI=url,
        MAIL_BACKEND="memory",
        MAIL_FILE_DIR=str(BENCH_DIR / "mail"),
        UPLOAD_FOLDER=str(BENCH_DIR / "uploads"),
    )


# ---------------------------------------------------------------- populate (also for tests)


def populate(conn: Connection, scale: Scale, today: date, hashed: str, report=None) -> dict:
    """Write a generated data set through `conn` (the caller commits); returns row counts."""
    from bench.data import ID_TABLES, Generator

    generator = Generator(scale, today, hashed, first_ids(conn, ID_TABLES))
    writer = RowWriter(conn)
    if conn.dialect.name == "sqlite":
        conn.execute(text("PRAGMA synchronous=OFF"))
    for table, rows in generator.batches():
        writer.write(table, rows)
        if report:
            report(writer.rows_written)
    fix_sequences(conn, ID_TABLES)
    return dict(generator.counts)


def load_shaoxing_demo(today: date, hashed: str) -> dict:
    """S: the demo as `flask demo` loads it, with the benchmark password on every account."""
    from sqlalchemy import func, select

    from tracker.demo import load_demo
    from tracker.extensions import db
    from tracker.models import ApiToken, User

    load_demo(now=datetime.combine(today, dtime(2, 0)))
    db.session.flush()
    db.session.execute(text("UPDATE user_account SET password_hash = :h"), {"h": hashed})
    office = db.session.scalar(select(User).where(User.username == "office"))
    if office is not None:
        import hashlib

        db.session.add(
            ApiToken(
                user_id=office.id,
                name="bench",
                token_hash=hashlib.sha256(BENCH_API_TOKEN.encode()).hexdigest(),
            )
        )
    db.session.commit()
    counts = {}
    for table in db.metadata.sorted_tables:
        counts[table.name] = db.session.scalar(select(func.count()).select_from(table)) or 0
    return {name: n for name, n in counts.items() if n}


# ---------------------------------------------------------------- the command


MANIFEST_DIR = BENCH_DIR / "manifests"


def manifest_path(url: str, folder: Path = MANIFEST_DIR) -> Path:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = Path(parsed.database or "memory").stem
    return folder / f"{parsed.get_backend_name()}-{name}.json"


def read_manifest(url: str, folder: Path = MANIFEST_DIR) -> dict | None:
    path = manifest_path(url, folder)
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None


def generate(
    size: str,
    url: str,
    *,
    force: bool,
    today: date,
    seed: int | None = None,
    manifest_dir: Path = MANIFEST_DIR,
) -> dict:
    """Check, migrate, fill; returns the manifest (also written next to the databases)."""
    from flask_migrate import upgrade

    url = absolute_url(url)
    dialect = dialect_of(url)
    if dialect not in ("sqlite", "postgresql"):
        raise GenerateError(f"unsupported database {dialect!r}: use SQLite or PostgreSQL")
    scale = scale_for(size)
    if seed is not None:
        scale = with_seed(scale, seed)
    if dialect == "postgresql":
        ensure_postgres_database(url)
    app = make_app(url)
    from tracker.extensions import db
    from tracker.schedule_facts import refresh_facts

    started = time.monotonic()
    with app.app_context():
        engine = db.engine
        refuse_if_too_big(check_disk(url, scale, engine), size)
        if table_count(engine) and content_rows(engine) and not force:
            raise GenerateError(
                f"the database {engine.url.render_as_string(hide_password=True)} is not "
                "empty: refusing to write benchmark data into it (use --force to drop "
                "everything in it first)"
            )
        if force and table_count(engine):
            logger.info("--force: dropping everything in the target database")
            drop_everything(engine)
        upgrade(directory=str(ROOT / "migrations"))
        migrated = time.monotonic()
        hashed = password_hash()
        if size == "S":
            counts = load_shaoxing_demo(today, hashed)
        else:
            progress = _Progress(scale)
            with engine.begin() as conn:
                counts = populate(conn, scale, today, hashed, report=progress)
                # Rows written past the ORM: their stored 序时进度 facts are computed here.
                refresh_facts(conn)
            progress.done()
        loaded = time.monotonic()
        analyze(engine)
        finished = time.monotonic()
        nbytes = database_bytes(engine, url)
        db.session.remove()
        engine.dispose()
    rows = sum(counts.values())
    manifest = {
        "size": size,
        "generator_version": GENERATOR_VERSION,
        "schema": schema_digest(),
        "seed": scale.seed,
        "today": today.isoformat(),
        "database": dialect,
        "url": _safe_url(url),
        "counts": counts,
        "rows": rows,
        "seconds": {
            "migrate": round(migrated - started, 2),
            "load": round(loaded - migrated, 2),
            "analyze": round(finished - loaded, 2),
            "total": round(finished - started, 2),
        },
        "rows_per_second": round(rows / max(loaded - migrated, 1e-6)),
        "bytes": nbytes,
        "generated_at": datetime.now().isoformat(timespec="seconds"),
    }
    path = manifest_path(url, manifest_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


class _Progress:
    def __init__(self, scale: Scale):
        self.expected = max(1, scale.items * 25)
        self.last = 0.0
        self.started = time.monotonic()

    def __call__(self, rows: int) -> None:
        now = time.monotonic()
        if now - self.last > 5:
            self.last = now
            rate = rows / max(now - self.started, 1e-6)
            print(f"  … {rows:,} rows ({rate:,.0f} rows/s)", file=sys.stderr, flush=True)

    def done(self) -> None:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument(
        "--size", required=True, choices=["S", "M", "L", "T"], help="T: tiny, for tests"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="target database (default: $DATABASE_URL, else instance/bench/bench-SIZE.db)",
    )
    parser.add_argument("--force", action="store_true", help="drop everything in it first")
    parser.add_argument("--today", default=None, help="YYYY-MM-DD the data is shaped around")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    url = args.database_url or os.environ.get("DATABASE_URL") or default_url(args.size)
    today = date.fromisoformat(args.today) if args.today else local_today()
    try:
        manifest = generate(args.size, url, force=args.force, today=today, seed=args.seed)
    except GenerateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(
        f"size {manifest['size']} into {manifest['url']}: {manifest['rows']:,} rows in "
        f"{manifest['seconds']['total']} s ({manifest['rows_per_second']:,} rows/s while "
        f"loading); {human(manifest['bytes'] or 0)} on disk"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
