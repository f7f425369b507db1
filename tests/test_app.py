"""The application factory under each configuration."""

import pytest

from config import DevelopmentConfig, ProductionConfig, TestingConfig
from tracker import create_app


def test_testing_config_builds_an_app(app):
    assert app.config["TESTING"] is True
    assert "auth.login" in app.view_functions


def test_development_config_builds_an_app(tmp_path):
    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/d.db")
    assert app.config["DEBUG"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("d.db")


@pytest.mark.parametrize("secret", ["", "dev", "development-only-secret-key", "short"])
def test_production_refuses_to_start_without_a_real_secret(secret):
    config = type(
        "Prod", (ProductionConfig,), {"SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_production_refuses_to_start_without_a_database():
    config = type(
        "Prod", (ProductionConfig,), {"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": ""}
    )
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(config)


def test_production_refuses_a_pinned_clock():
    """TRACKER_TODAY pins the pages' clock for tests and demonstrations; in production every
    deadline, overdue light and report period would silently be wrong."""
    config = type(
        "Prod",
        (ProductionConfig,),
        {
            "SECRET_KEY": "x" * 40,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "TRACKER_TODAY": "2026-11-27",
        },
    )
    with pytest.raises(RuntimeError, match="TRACKER_TODAY"):
        create_app(config)


def _config_in_a_fresh_process(env: dict, code: str):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TRACKER_TODAY", "EVIDENCE_MAX_FILE_BYTES", "MAX_UPLOAD_MB")
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env={**clean, "PYTHONPATH": str(root), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_tracker_today_and_the_evidence_limit_come_from_the_environment(tmp_path):
    show = "from config import Config as C; print(C.TRACKER_TODAY, C.EVIDENCE_MAX_FILE_BYTES)"
    unset = _config_in_a_fresh_process({}, show)
    assert unset.stdout.split() == ["None", "None"]  # None: the request limit applies
    pinned = _config_in_a_fresh_process(
        {"TRACKER_TODAY": "2026-11-27", "EVIDENCE_MAX_FILE_BYTES": "1048576"}, show
    )
    assert pinned.stdout.split() == ["2026-11-27", "1048576"]
    production = _config_in_a_fresh_process(
        {
            "TRACKER_CONFIG": "production",
            "SECRET_KEY": "x" * 40,
            "DATABASE_URL": f"sqlite:///{tmp_path}/prod.db",
            "TRACKER_INSTANCE_DIR": str(tmp_path),
            "TRACKER_TODAY": "2026-11-27",
        },
        "import wsgi",
    )
    assert production.returncode != 0
    assert "TRACKER_TODAY" in production.stderr


def test_production_with_secret_starts_and_sets_secure_cookies():
    config = type(
        "Prod",
        (ProductionConfig,),
        {"SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"},
    )
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_DURATION"].days <= 30


def test_testing_config_is_not_production():
    assert TestingConfig.PRODUCTION is False


def test_sqlite_runs_with_wal_busy_timeout_and_foreign_keys(app, is_postgres):
    from sqlalchemy import text

    from tracker.extensions import db

    if is_postgres:
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_unknown_api_route_answers_json_with_a_named_code(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
    response = client.delete("/api/v1/openapi.json")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"


def test_translated_messages_work_outside_a_request(app):
    """CLI commands and scheduled jobs translate in the default locale (Chinese)."""
    from flask_babel import gettext

    with app.app_context():
        assert gettext("Wrong username or password.") == "用户名或密码错误。"
