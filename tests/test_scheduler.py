"""The schedule, catching up after downtime, and which processes run a scheduler at all."""

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from tests.notify_data import department_with_liaisons, make_item, office, outbox_keys
from tests.smtp import free_port
from tracker.extensions import db
from tracker.models import OutboxMessage, SchedulerRun
from tracker.scheduler.runner import (
    build_scheduler,
    catch_up,
    previous_fire_time,
    record_run,
    start_background,
    stop_background,
)
from tracker.scheduler.schedule import JOBS

ROOT = Path(__file__).resolve().parent.parent
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_sec_25_every_job_is_explicit_coalesced_single_and_in_shanghai_time(
    app, monkeypatch, tmp_path
):
    assert [job.id for job in JOBS] == [
        "items.periods",
        "items.schedule_facts",
        "notify.daily",
        "letters.daily",
        "notify.digest",
        "notify.dispatch",
        "backup.nightly",
    ]
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path))  # the backup is off without
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {spec.id for spec in JOBS}
    for spec in JOBS:
        job = jobs[spec.id]
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time == spec.misfire_grace_time > 1  # never the 1 s default
        assert job.trigger.timezone == SHANGHAI
    # Periods first, long before the reminders that chase their deadlines.
    assert str(jobs["items.periods"].trigger) == "cron[hour='0', minute='5']"
    assert str(jobs["items.schedule_facts"].trigger) == "cron[hour='0', minute='20']"
    assert str(jobs["notify.daily"].trigger) == "cron[hour='8', minute='30']"
    # Letters after the reminders of the same morning.
    assert str(jobs["letters.daily"].trigger) == "cron[hour='8', minute='45']"
    assert str(jobs["notify.digest"].trigger) == "cron[hour='9', minute='0']"
    assert jobs["notify.dispatch"].trigger.interval.total_seconds() == 60
    assert str(jobs["backup.nightly"].trigger) == "cron[hour='2', minute='30']"


def test_previous_fire_time():
    trigger = CronTrigger(hour=8, minute=30, timezone=SHANGHAI)
    morning = datetime(2026, 12, 1, 7, 0, tzinfo=SHANGHAI)
    assert previous_fire_time(trigger, morning) == datetime(2026, 11, 30, 8, 30, tzinfo=SHANGHAI)
    later = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
    assert previous_fire_time(trigger, later) == datetime(2026, 12, 1, 8, 30, tzinfo=SHANGHAI)


def test_sec_25_after_downtime_the_missed_reminders_go_out_once_at_start(app):
    office("office@office.example")
    department, _ = department_with_liaisons("市发改委", "a@fgw.example")
    item = make_item(department, date(2026, 12, 10))
    db.session.commit()
    scheduler = build_scheduler(app)
    # Down all of 12-01 (the 7-day reminder's day); back at 07:00 on 12-02, before 08:30.
    catch_up(app, scheduler, now=datetime(2026, 12, 2, 7, 0, tzinfo=SHANGHAI))
    assert f"remind:item:{item.id}:2026-12-10:7d" in outbox_keys()
    first = outbox_keys()
    catch_up(app, scheduler, now=datetime(2026, 12, 2, 7, 5, tzinfo=SHANGHAI))  # restart
    assert outbox_keys() == first
    db.session.expire_all()
    assert (
        db.session.scalar(db.select(db.func.count()).where(OutboxMessage.state != "sent")) == 0
    )  # the dispatcher ran at start too (memory transport)
    runs = db.session.scalars(db.select(SchedulerRun)).all()
    assert {r.job_id for r in runs} == {
        "items.periods",
        "notify.daily",
        "letters.daily",
        "notify.digest",
        "notify.dispatch",
    }
    assert all(r.outcome == "ok" and r.finished_at for r in runs)


def test_a_failing_job_is_recorded_and_does_not_raise(app):
    def broken(now):
        raise RuntimeError("database on fire")

    with app.app_context():
        record_run("notify.daily", broken)
    run = db.session.scalars(db.select(SchedulerRun)).one()
    assert run.outcome == "error" and "database on fire" in run.detail


def _scheduler_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if "APScheduler" in t.name]


def test_make_run_starts_the_scheduler_in_process(app):
    scheduler = start_background(app)
    try:
        assert scheduler.running
        assert _scheduler_threads()
    finally:
        stop_background(app, scheduler)
    assert not _scheduler_threads()


def _production_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(
        TRACKER_CONFIG="production",
        SECRET_KEY="x" * 40,
        DATABASE_URL=f"sqlite:///{tmp_path}/prod.db",
        TRACKER_INSTANCE_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT),
    )
    return env


_THREAD_REPORT = """
import gc, json, sys, threading
def report(stage):
    running = False
    if "apscheduler.schedulers.base" in sys.modules:
        from apscheduler.schedulers.base import BaseScheduler
        running = any(isinstance(o, BaseScheduler) and o.running for o in gc.get_objects())
    return {"stage": stage, "threads": [t.name for t in threading.enumerate()],
            "scheduler_running": running}
"""


def test_sec_23_wsgi_import_starts_no_scheduler(tmp_path):
    code = _THREAD_REPORT + "import wsgi\nprint(json.dumps(report('import')))\n"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["scheduler_running"] is False
    assert not [name for name in report["threads"] if "APScheduler" in name]


def test_sec_23_gunicorn_workers_run_no_scheduler(tmp_path):
    out = tmp_path / "threads.jsonl"
    hooks = tmp_path / "gunicorn_hooks.py"
    hooks.write_text(
        _THREAD_REPORT
        + f"OUT = {str(out)!r}\n"
        + "def _write(stage):\n"
        + "    with open(OUT, 'a') as fh: fh.write(json.dumps(report(stage)) + '\\n')\n"
        + "def post_worker_init(worker): _write('post_worker_init')\n"
        + "def post_request(worker, req, environ, resp): _write('post_request')\n"
    )
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "-c",
            str(hooks),
            "wsgi:app",
        ],
        cwd=ROOT,
        env=_production_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer")
        time.sleep(0.5)
        reports = [json.loads(line) for line in out.read_text().splitlines()]
    finally:
        server.terminate()
        server.wait(timeout=20)
    stages = {r["stage"] for r in reports}
    assert {"post_worker_init", "post_request"} <= stages
    for report in reports:
        assert report["scheduler_running"] is False, report
        assert not [name for name in report["threads"] if "APScheduler" in name], report
