"""Migration drift check for `make check`: the migrations must build exactly the models' schema.

Upgrades an empty database (a temporary SQLite file, or `--database-url`, which is emptied
first) with the real migrations, asks Alembic's autogenerate for the difference against the
models' metadata, and checks the migrations have a single head. Exit 1 on any drift.

    .venv/bin/python -m tools.check_migrations [--database-url postgresql://…/scratch]
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
logger = logging.getLogger(__name__)


def single_head(directory: str) -> list[str]:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", directory)
    return list(ScriptDirectory.from_config(config).get_heads())


def empty_database(engine) -> None:
    """Drop everything, so the migrations start from nothing (as in tests/conftest.py)."""
    from sqlalchemy import text

    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            tables = conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
            for (name,) in tables.fetchall():
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))


def drift(database_url: str) -> tuple[list, list[str]]:
    """(autogenerate's differences, the heads) after upgrading an emptied database."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    from config import TestingConfig
    from config import database_url as normalise
    from tracker import create_app
    from tracker.extensions import db

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=normalise(database_url))
    directory = app.extensions["migrate"].directory
    with app.app_context():
        empty_database(db.engine)
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": True}
            )
            diff = compare_metadata(context, db.metadata)
        heads = single_head(directory)
        db.engine.dispose()
    return diff, heads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a scratch database to empty and upgrade")
    parser.add_argument("--workdir", help="where the temporary SQLite file goes")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        url = args.database_url or f"sqlite:///{tmp}/drift.db"
        diff, heads = drift(url)
    failed = False
    if len(heads) != 1:
        print(f"migrations: {len(heads)} heads {heads}; merge them into one")
        failed = True
    if diff:
        print("migrations: the models differ from the migrated schema:")
        for entry in diff:
            print(f"  {entry}")
        print("  regenerate with tools/regen_migration.sh (before the first release)")
        failed = True
    if failed:
        return 1
    print(f"migrations: no drift, single head {heads[0]}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
