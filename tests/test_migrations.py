"""The migrations build the schema the models describe, on SQLite and PostgreSQL (case 22)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Config as AlembicConfig

from tracker.extensions import db


def test_sec_22_models_match_the_migrated_schema(app):
    """`flask db upgrade` ran in the app fixture; autogenerate must find nothing to do."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_sec_22_migrations_have_a_single_head(app):
    config = AlembicConfig()
    config.set_main_option("script_location", app.extensions["migrate"].directory)
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1
