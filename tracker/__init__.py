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
        # tracker/static is served by vendor.app_asset (with its cache policy): no second
        # route to the same files under /static.
        static_folder=None,
        instance_path=config_class.INSTANCE_PATH,
        instance_relative_config=False,
    )
    app.config.from_object(config_class)
    app.config.update(overrides)

    register_proxies(app)
    register_extensions(app)
    register_numbers(app)
    register_blueprints(app)
    register_commands(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    return app


def register_extensions(app: Flask) -> None:
    # Imported for their side effects: the tables join the metadata, and the session events
    # that keep the stored schedule facts (tracker.schedule_facts) and retire the cached
    # fragments (tracker.fragments) are registered.
    from tracker import fragments, models, schedule_facts  # noqa: F401
    from tracker.auth.session import configure_login
    from tracker.extensions import babel, cache, csrf, db, migrate
    from tracker.i18n import install_template_gettext, select_locale, select_timezone

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    csrf.init_app(app)
    cache.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_template_gettext(app)
    configure_login(app)


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def register_proxies(app: Flask) -> None:
    """The client's address from X-Forwarded-For, only as appended by the trusted proxies:
    log-in throttling counts per address, and behind nginx every request would otherwise
    come from 127.0.0.1 (so a stranger's failures would slow the owner down)."""
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=0, x_host=0)


def register_numbers(app: Flask) -> None:
    """Bounded `<int:>` ids and `type=int` values (before any rule is added)."""
    from tracker.numbers import register

    register(app)


def register_blueprints(app: Flask) -> None:
    from tracker.blueprints import area_blueprints, core_blueprints
    from tracker.navigation import check_endpoints

    for blueprint in core_blueprints() + area_blueprints():
        app.register_blueprint(blueprint)
    check_endpoints(app)


def register_commands(app: Flask) -> None:
    from tracker.commands import register

    register(app)


def register_errorhandlers(app: Flask) -> None:
    from tracker.errors import register_error_handlers
    from tracker.security import register_security_headers

    register_error_handlers(app)
    register_security_headers(app)


def register_template_helpers(app: Flask) -> None:
    from tracker.template_registry import register_template_helpers as register

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
        # Bound what PRAGMA optimize's ANALYZE reads per index (milliseconds, any size).
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.close()


OPTIMIZE_EVERY = 200  # check-ins of one SQLite connection between two `PRAGMA optimize`


@event.listens_for(Engine, "checkin")
def _optimize_sqlite(dbapi_connection, connection_record):
    """Keep SQLite's planner statistics (sqlite_stat1): without them it walks the wrong
    index — the liaison home's report lists took 370 ms instead of 10 ms at 10,000 items.
    PostgreSQL's autovacuum does this by itself; SQLite wants `PRAGMA optimize` after use,
    which analyzes only the tables the connection used that were never analyzed or grew
    25-fold (bounded by analysis_limit). Run on a connection's first check-in and every
    OPTIMIZE_EVERY-th after: even with nothing to do it cost ~0.15 ms, on every request."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    checkins = connection_record.info.get("checkins", 0)
    connection_record.info["checkins"] = checkins + 1
    if checkins % OPTIMIZE_EVERY:
        return
    try:
        dbapi_connection.execute("PRAGMA optimize")
    except sqlite3.Error as error:  # busy or read-only: statistics can wait
        logger.info("PRAGMA optimize skipped: %s", error)
