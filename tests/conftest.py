"""Shared fixtures: one migrated database per run (SQLite file or PostgreSQL), emptied
between tests; the app, clients, CLI runner and small factories.

Which database: TEST_DATABASE_URL (PostgreSQL in `make test`'s second run), else a
temporary SQLite file. The schema is built by the real migrations, not `create_all`.

Which day: every test runs on a day it states. The process clock is moved with time-machine
to `DEFAULT_TODAY` (10:00 in Asia/Shanghai) unless the test says otherwise with
`@pytest.mark.today("2027-01-04")` (or "2027-01-04T08:30" for a local time). Time keeps
ticking from there, so timeouts and orderings behave. Nothing in the suite reads the
machine's date: `make test-dates` runs it with the machine's clock moved to prove it.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.security import generate_password_hash

from config import TestingConfig, database_url

ROOT = Path(__file__).resolve().parent.parent
TEST_PASSWORD = "correct-horse-battery"
# The day a test runs on unless it says otherwise: a Friday in the plan's last-but-one year,
# inside chinese_calendar's known years; the demo and the builders shape data around it.
DEFAULT_TODAY = date(2026, 11, 27)
SHANGHAI = ZoneInfo("Asia/Shanghai")
_PASSWORD_HASH = generate_password_hash(TEST_PASSWORD)  # hashing is slow: do it once


class IsolatedClient(FlaskClient):
    """Each request gets its own application context, as in production.

    Without this, requests would reuse the test's app context: `g` (where Flask-Login
    caches the user) and the SQLAlchemy session would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def _sqlite_url(tmp_dir: str) -> str:
    return f"sqlite:///{tmp_dir}/test.db"


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return database_url(url)
    return _sqlite_url(str(tmp_path_factory.mktemp("db")))


@pytest.fixture(scope="session")
def is_postgres(database_uri) -> bool:
    return database_uri.startswith("postgresql")


def reset_database(engine) -> None:
    """Drop everything so the migrations start from an empty database."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            tables = conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
            for (name,) in tables.fetchall():
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))


@pytest.fixture(scope="session")
def app(database_uri, tmp_path_factory):
    """The app under test, with the schema built by `flask db upgrade`."""
    from flask_migrate import upgrade

    from tracker import create_app
    from tracker.extensions import db

    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_uri,
        INSTANCE_PATH=str(instance),
        UPLOAD_FOLDER=str(instance / "uploads"),
        MAIL_FILE_DIR=str(instance / "mail"),
    )
    app.instance_path = str(instance)
    app.test_client_class = IsolatedClient
    with app.app_context():
        reset_database(db.engine)
        upgrade(directory=str(ROOT / "migrations"))
    return app


def test_instant(request) -> datetime:
    """The local instant a test starts at: its `today` marker, else DEFAULT_TODAY 10:00."""
    marker = request.node.get_closest_marker("today")
    if marker is None:
        return datetime.combine(DEFAULT_TODAY, datetime.min.time().replace(hour=10), SHANGHAI)
    value = marker.args[0]
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, datetime.min.time().replace(hour=10))
    elif isinstance(value, str):
        value = datetime.fromisoformat(value)
        if len(marker.args[0]) == 10:
            value = value.replace(hour=10)
    return value if value.tzinfo else value.replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def pinned_clock(request):
    """Move the process clock to the test's day (see the module docstring); yields the traveller."""
    with time_machine.travel(test_instant(request), tick=True) as traveller:
        yield traveller


@pytest.fixture
def today(request) -> date:
    """The local day this test runs on."""
    return test_instant(request).date()


@pytest.fixture(autouse=True)
def _clean_tables(request, app, pinned_clock):
    """Each test starts with empty tables and an application context."""
    from tracker.extensions import db

    with app.app_context():
        yield
        db.session.remove()
        truncate_all(db)


def truncate_all(db) -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            _truncate_postgresql(conn, db.metadata)
        else:
            # Children first (reverse dependency order), so foreign keys stay on.
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))


def _truncate_postgresql(conn, metadata) -> None:
    """Empty every table and restart every id sequence, as `TRUNCATE … RESTART IDENTITY` of all
    tables would — but that costs ~3 ms per table (~60–120 ms per test here), and a test writes
    to a few: one EXISTS probe finds those, then every id sequence is reset in one statement
    (a rolled-back insert moves a sequence and leaves its table empty)."""
    tables = list(metadata.sorted_tables)
    probe = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables
    )
    written = list(conn.scalars(text(probe)))
    if written:
        quoted = ", ".join(f'"{name}"' for name in written)
        conn.execute(text(f"TRUNCATE {quoted} CASCADE"))
    sequences = [f"pg_get_serial_sequence('\"{t.name}\"', 'id')" for t in tables if "id" in t.c]
    conn.execute(
        text("SELECT " + ", ".join(f"setval({sequence}, 1, false)" for sequence in sequences))
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    from tracker.extensions import db

    return db.session


# ---------------------------------------------------------------- factories

_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def make_department(short_name: str | None = None, *, kind: str = "government", **fields):
    from tracker.extensions import db
    from tracker.models import Department

    n = _next()
    short_name = short_name or f"部门{n}"
    department = Department(
        name=fields.pop("name", f"绍兴{short_name}{n}"),
        short_name=short_name,
        kind=kind,
        is_office=kind == "office",
        **fields,
    )
    db.session.add(department)
    db.session.flush()
    return department


def make_user(role: str = "liaison", department=None, *, username: str | None = None, **fields):
    from tracker.extensions import db
    from tracker.models import User

    n = _next()
    department = department or make_department(kind="office" if role == "office" else "government")
    user = User(
        username=username or f"{role}{n}",
        role=role,
        department=department,
        password_hash=_PASSWORD_HASH,
        email=fields.pop("email", f"{role}{n}@example.test"),
        name=fields.pop("name", f"{role} {n}"),
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user


def login(client, user, password: str = TEST_PASSWORD, follow: bool = False):
    """Log in through the real form."""
    return client.post(
        "/login", data={"username": user.username, "password": password}, follow_redirects=follow
    )


def login_as(client, user) -> None:
    """Put the user in the session directly (fast; the log-in itself is tested elsewhere)."""
    from tracker.extensions import db

    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def factories():
    from tests import factories as rows

    class Factories:
        department = staticmethod(make_department)
        user = staticmethod(make_user)
        login = staticmethod(login)
        login_as = staticmethod(login_as)
        today = DEFAULT_TODAY
        plan = staticmethod(rows.make_plan)
        item = staticmethod(rows.make_item)
        period = staticmethod(rows.make_period)
        report = staticmethod(rows.make_report)

    return Factories


@pytest.fixture
def tmp_dir():
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)
