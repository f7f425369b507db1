"""On PostgreSQL one scheduler runs, a second stands by and takes over (cases 23-25)."""

import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from tests.notify_data import department_with_liaisons, make_item, office
from tests.smtp import smtp_server_fixture  # noqa: F401
from tests.test_notify_concurrency import ROOT, flask_cmd, flask_env
from tracker.extensions import db
from tracker.models import OutboxMessage
from tracker.scheduler.lock import SchedulerLock
from tracker.workdays import add_working_days

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres):
    if not is_postgres:
        pytest.skip("advisory locks need PostgreSQL (set TEST_DATABASE_URL)")


def test_the_lock_admits_one_scheduler_and_passes_on_when_released(app):
    first, second = SchedulerLock(db.engine), SchedulerLock(db.engine)
    try:
        assert first.try_acquire()
        assert first.still_held()
        assert not second.try_acquire()
        first.release()
        assert second.try_acquire()
        assert not first.try_acquire()
    finally:
        first.release()
        second.release()


def test_a_lost_lock_connection_is_noticed(app):
    lock = SchedulerLock(db.engine)
    assert lock.try_acquire()
    pid = lock.connection.execute(text("SELECT pg_backend_pid()")).scalar()
    with db.engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.commit()
    time.sleep(0.2)
    assert not lock.still_held()
    other_lock = SchedulerLock(db.engine)
    assert other_lock.try_acquire()  # a stand-by scheduler can take over
    other_lock.release()


def _wait_for(predicate, timeout=60.0, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def _read(path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


@pytest.mark.slow
def test_sec_24_two_scheduler_processes_send_each_message_once_and_take_over(
    database_uri, tmp_path, smtp_server
):
    office("office@office.example")
    fgw, _ = department_with_liaisons("市发改委", "a@fgw.example", "b@fgw.example")
    jxj, _ = department_with_liaisons("市经信局", "x@jxj.example")
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    due = add_working_days(today, 1)  # its 1-day reminder is due today, whatever today is
    items = [make_item(fgw if n % 2 else jxj, due) for n in range(6)]
    db.session.commit()
    env = flask_env(
        database_uri,
        tmp_path,
        smtp=smtp_server,
        REMINDER_TIME="00:00",  # so the start-up catch-up covers today, whatever the hour
        DIGEST_HOUR="0",
        SCHEDULER_DISPATCH_SECONDS="1",
        SCHEDULER_STANDBY_SECONDS="1",
    )
    logs = {name: tmp_path / f"{name}.log" for name in ("a", "b")}
    processes = {}

    def start(name):
        processes[name] = subprocess.Popen(
            flask_cmd("scheduler"),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=logs[name].open("w"),
        )

    try:
        start("a")
        assert _wait_for(lambda: "lock acquired" in _read(logs["a"])), _read(logs["a"])
        start("b")
        assert _wait_for(lambda: "standing by" in _read(logs["b"])), _read(logs["b"])
        reminder_keys = {f"remind:item:{i.id}:{due}:1d" for i in items}
        assert _wait_for(lambda: reminder_keys <= set(smtp_server.by_key()))
        time.sleep(2)  # give a wrongly active second scheduler the chance to misbehave
        assert "lock acquired" not in _read(logs["b"])
        assert "catching up" not in _read(logs["b"])

        processes["a"].send_signal(signal.SIGTERM)
        assert processes["a"].wait(timeout=30) == 0, _read(logs["a"])
        assert "lock released" in _read(logs["a"])
        assert _wait_for(lambda: "lock acquired" in _read(logs["b"])), _read(logs["b"])

        # B is now the active scheduler: its dispatcher sends a newly queued row.
        db.session.add(
            OutboxMessage(
                dedupe_key="test:after-takeover",
                kind="remind",
                to_addrs=["a@fgw.example"],
                cc_addrs=[],
                item_codes=[],
                subject="接管后的消息",
                body_text="正文",
                body_html="<p>正文</p>",
                # A day back: the child runs on this test's day but at the real time of day
                # (TRACKER_TODAY pins only the date), so "a second ago" here may be its future.
                next_attempt_at=datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1),
            )
        )
        db.session.commit()
        assert _wait_for(lambda: "test:after-takeover" in smtp_server.by_key())
        time.sleep(2)
        processes["b"].send_signal(signal.SIGTERM)
        assert processes["b"].wait(timeout=30) == 0, _read(logs["b"])
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()

    received = smtp_server.by_key()
    db.session.expire_all()
    rows = db.session.scalars(db.select(OutboxMessage)).all()
    assert {r.dedupe_key for r in rows} == set(received)
    assert all(r.state == "sent" for r in rows)
    assert all(len(copies) == 1 for copies in received.values()), {
        k: len(v) for k, v in received.items()
    }
