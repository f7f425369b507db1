"""规划督办 Plan Tracker: the application factory."""

from __future__ import annotations

import logging
import sqlite3

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import CONFIGS, Config

logger = logging.getLogger(__name__)


def create_app(config: str | type[Config] = "production", **overrides) -> Flask:
    """Build the app: config, extensions, blueprints, commands, error handlers, helpers.

    Never starts the scheduler and never runs migrations: those are separate processes.
    """
    config_class = CONFIGS[config] if isinstance(config, str) else config
    if getattr(config_class, "PRODUCTION", False):
        config_class.validate()
    app = Flask(
        __name__,
        template_folder="../templates",
        instance_path=config_class.INSTANCE_PATH,
        instance_relative_config=False,
    )
    app.config.from_object(config_class)
    app.config.update(overrides)

    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    return app


def register_extensions(app: Flask) -> None:
    from tracker import models  # noqa: F401  (registers the tables with the metadata)
    from tracker.auth.session import configure_login
    from tracker.extensions import babel, csrf, db, migrate
    from tracker.i18n import select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    configure_login(app)


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def register_blueprints(app: Flask) -> None:
    from tracker.admin import bp as admin_bp
    from tracker.auth import bp as auth_bp
    from tracker.main import bp as main_bp
    from tracker.vendor import bp as vendor_bp

    for blueprint in (vendor_bp, auth_bp, main_bp, admin_bp):
        app.register_blueprint(blueprint)
    for blueprint in _optional_blueprints():
        app.register_blueprint(blueprint)


def _optional_blueprints():
    """Blueprints of the later areas, registered in one place as they are added."""
    from tracker.blueprints import area_blueprints

    return area_blueprints()


def register_commands(app: Flask) -> None:
    from tracker.commands import register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    from tracker.errors import register_error_handlers
    from tracker.security import register_security_headers

    register_error_handlers(app)
    register_security_headers(app)


def register_template_helpers(app: Flask) -> None:
    from tracker.templating import register_template_helpers as register

    register(app)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):  # noqa: ARG001
    """WAL, a busy timeout and foreign keys: several processes can write without 'locked'."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
