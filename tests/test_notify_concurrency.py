"""Two processes running the same jobs at once still send every message once (case 24).

Runs on SQLite (writers serialise) and on PostgreSQL, where the race is real: the unique
dedupe key with ON CONFLICT DO NOTHING decides who queues, SKIP LOCKED claims decide who
sends.
"""

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.notify_data import department_with_liaisons, make_item, office
from tests.smtp import smtp_server_fixture  # noqa: F401
from tracker.extensions import db
from tracker.models import OutboxMessage

ROOT = Path(__file__).resolve().parent.parent


def flask_env(database_uri: str, tmp_path, smtp=None, **extra) -> dict:
    """The environment of a `flask --app wsgi …` process on the test database.

    The child runs on the test's day: time-machine moves only this process's clock, so the
    child's is pinned with TRACKER_TODAY (the one clock honours it).
    """
    from tracker import clock

    env = {k: v for k, v in os.environ.items() if k not in ("TEST_DATABASE_URL",)}
    env.update(
        TRACKER_TODAY=clock.today().isoformat(),
        TRACKER_CONFIG="development",
        SCHEDULER_ENABLED="0",
        DATABASE_URL=database_uri,
        TRACKER_INSTANCE_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT),
        MAIL_BACKEND="file",
        MAIL_FILE_DIR=str(tmp_path / "mail"),
    )
    if smtp is not None:
        env.update(
            MAIL_BACKEND="smtp",
            MAIL_SERVER=smtp.host,
            MAIL_PORT=str(smtp.port),
            MAIL_USE_TLS="0",
            MAIL_USE_SSL="0",
        )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def flask_cmd(*args) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def run_together(commands: list[list[str]], env: dict, timeout: int = 120) -> list[tuple]:
    processes = [
        subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for cmd in commands
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=timeout)
        results.append((process.returncode, out, err))
    return results


@pytest.mark.slow
def test_sec_24_two_processes_queue_and_send_each_message_once(database_uri, tmp_path, smtp_server):
    office("office@office.example")
    departments = [
        department_with_liaisons(name, f"a@{n}.example", f"b@{n}.example")[0]
        for n, name in enumerate(["市发改委", "市经信局", "市科技局"])
    ]
    for n in range(90):
        make_item(departments[n % 3], date(2026, 12, 10), code=f"三.{n}.(1)")
    db.session.commit()
    env = flask_env(database_uri, tmp_path, smtp=smtp_server)

    remind = flask_cmd("notify", "remind", "--date", "2026-12-01", "--json")
    results = run_together([remind, remind], env)
    assert all(code == 0 for code, _, _ in results), results
    reported = [json.loads(out) for _, out, _ in results]
    keys = [m["dedupe_key"] for batch in reported for m in batch]
    assert len(keys) == 90 and len(set(keys)) == 90  # each queued by exactly one process

    dispatch = flask_cmd("notify", "dispatch")
    results = run_together([dispatch, dispatch, dispatch], env)
    assert all(code == 0 for code, _, _ in results), results
    received = smtp_server.by_key()
    assert set(received) == set(keys)
    assert all(len(copies) == 1 for copies in received.values())
    db.session.expire_all()
    states = db.session.execute(
        db.select(OutboxMessage.state, db.func.count()).group_by(OutboxMessage.state)
    ).all()
    assert dict(states) == {"sent": 90}
