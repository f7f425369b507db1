"""`make faults`: load plus faults against a loopback instance, then prove nothing was lost.

A private PostgreSQL cluster (initdb in a temporary folder, its own port, so restarting it
disturbs no one else's database), gunicorn with 2 workers, one `flask scheduler` process and
an SMTP relay (aiosmtpd) on loopback. Liaison threads create and submit reports through the
API, reviewer threads verify and return them, for a bounded time. SMTP is down from the
start; meanwhile a gunicorn worker is killed (SIGKILL), PostgreSQL is restarted, the
scheduler is killed mid-run and started again, SMTP comes up, the other worker is killed.
Then the mail drains, and the script checks: every submission the API acknowledged is in the
database and not back in draft, every acknowledged decision holds, every outbox row is sent,
and the relay received every dedupe key exactly once. Last, the backup drill
(tools/faults_backup.py): back up, drop the database, restore, compare. Prints the figures
(docs/security.md).

    .venv/bin/python -m tools.faults [--seconds 75] [--liaisons 4] [--reviewers 2]

Loopback only, bounded in time and requests; not part of CI.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG_BIN = Path("/usr/lib/postgresql") / sorted(os.listdir("/usr/lib/postgresql"))[-1] / "bin"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class PrivatePostgres:
    """A throw-away cluster owned by the postgres user, on its own port."""

    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix="faults-pg-"))
        shutil.chown(self.dir, "postgres")

    def _as_postgres(self, *args, check=True):
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*prefix, *args], check=check, capture_output=True, text=True)

    def start(self) -> None:
        if not (self.dir / "data" / "PG_VERSION").exists():
            self._as_postgres(
                str(PG_BIN / "initdb"),
                "-D",
                str(self.dir / "data"),
                "-A",
                "trust",
                "-U",
                "postgres",
            )
        self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.dir / "data"),
            "-w",
            "-l",
            str(self.dir / "log"),
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
            "start",
        )

    def restart(self) -> None:
        self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.dir / "data"),
            "-w",
            "-m",
            "fast",
            "-l",
            str(self.dir / "log"),
            "restart",
        )

    def stop(self) -> None:
        self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.dir / "data"),
            "-w",
            "-m",
            "fast",
            "stop",
            check=False,
        )
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(env: dict, items: int) -> dict:
    """Schema, departments, users with API tokens, a plan with periods and items due soon."""
    subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    code = f"""
import json, sys
from datetime import date, timedelta
from tracker import create_app
from tracker.extensions import db
from tracker.models import Department, User, Plan, WorkItem
from tracker.api.tokens import create_token
from tracker.periods import ensure_periods
from werkzeug.security import generate_password_hash
app = create_app("development")
out = {{"liaisons": [], "reviewers": [], "items": []}}
with app.test_request_context():
    pw = generate_password_hash("not-used-here")
    office = Department(name="市质量强市办", short_name="质量办", kind="office", is_office=True)
    db.session.add(office)
    depts = [Department(name=f"部门{{n}}", short_name=f"部{{n}}") for n in range(4)]
    db.session.add_all(depts); db.session.flush()
    users = []
    for n, dept in enumerate(depts):
        users.append(User(username=f"liaison{{n}}", role="liaison", department=dept,
                          email=f"l{{n}}@dept{{n}}.example", password_hash=pw))
    for n in range(2):
        users.append(User(username=f"office{{n}}", role="office", department=office,
                          email=f"o{{n}}@office.example", password_hash=pw))
    db.session.add_all(users); db.session.flush()
    plan = Plan(title="故障演练规划", start_year=2021, end_year=2026, source_sha256="0" * 64)
    db.session.add(plan); db.session.flush()
    today = date.fromisoformat("{date.today().isoformat()}")
    for n in range({items}):
        dept = depts[n % len(depts)]
        item = WorkItem(plan_id=plan.id, code=f"演练.{{n}}", title=f"演练事项{{n}}",
                        lead_department_id=dept.id, due_date=today + timedelta(days=1 + n % 9),
                        original_due_date=today + timedelta(days=1 + n % 9), status="in_progress")
        db.session.add(item); db.session.flush()
        out["items"].append({{"id": item.id, "lead": n % len(depts)}})
    periods = [p.label for p in ensure_periods(plan, today) if p.start_date <= today]
    out["periods"] = periods
    for user in users:
        _row, token = create_token(None, user, name="faults")
        key = "liaisons" if user.role == "liaison" else "reviewers"
        entry = {{"username": user.username, "token": token}}
        if user.role == "liaison":
            entry["dept"] = depts.index(user.department)
        out[key].append(entry)
    db.session.commit()
print(json.dumps(out))
"""
    return json.loads(run_python(env, code))


def run_python(env: dict, code: str) -> str:
    """Run `code` in the product's venv with `env`; its last line of output (or "")."""
    done = subprocess.run(
        [str(BIN / "python"), "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    out = done.stdout.strip()
    return out.splitlines()[-1] if out else ""


class Api:
    """A tiny JSON client that retries a request a few times (a worker may be dying)."""

    def __init__(self, base: str, token: str, stats: Counter):
        self.base, self.token, self.stats = base, token, stats

    def call(self, method: str, path: str, body=None, attempts: int = 4):
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(attempts):
            request = urllib.request.Request(
                self.base + path,
                data=data,
                method=method,
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
            )
            started = time.monotonic()
            try:
                with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
                    self.stats["ok"] += 1
                    self.stats["latency_ms"] += int((time.monotonic() - started) * 1000)
                    return response.status, json.loads(response.read() or b"null")
            except urllib.error.HTTPError as error:
                status = error.code
                payload = json.loads(error.read() or b"null") if status < 500 else None
                self.stats[f"http {status}"] += 1
                if status < 500:
                    return status, payload
            except (OSError, ValueError) as error:
                self.stats[f"io {type(error).__name__}"] += 1
            time.sleep(0.5 * (attempt + 1))
        return None, None


def liaison_loop(base, user, items, periods, until, acked, stats, rng):
    api = Api(base, user["token"], stats)
    mine = [i["id"] for i in items if i["lead"] == user["dept"]]
    slots = [(i, p) for i in mine for p in periods]
    rng.shuffle(slots)
    for item_id, period in slots:
        if time.monotonic() > until:
            break
        status, body = api.call(
            "POST",
            f"/api/v1/items/{item_id}/reports",
            {"narrative": f"进展 {period}", "progress": rng.randint(1, 90), "period": period},
        )
        if status != 201 or not body:
            continue
        report_id = body["id"]
        status, body = api.call(
            "POST", f"/api/v1/reports/{report_id}/submit", {"version": body["version"]}
        )
        if status == 200:
            acked["submitted"].add(report_id)


def reviewer_loop(base, user, items, until, acked, stats, rng):
    api = Api(base, user["token"], stats)
    while time.monotonic() < until:
        item = rng.choice(items)
        status, body = api.call("GET", f"/api/v1/items/{item['id']}/reports")
        if status != 200:
            continue
        for report in body.get("items", body if isinstance(body, list) else []):
            if report.get("state") != "submitted":
                continue
            verify = rng.random() < 0.7
            path = f"/api/v1/reports/{report['id']}/{'verify' if verify else 'return'}"
            payload = {"version": report["version"]}
            if not verify:
                payload["reason"] = "请补充材料"
            status, _ = api.call("POST", path, payload)
            if status == 200:
                acked["verified" if verify else "returned"].add(report["id"])


def gunicorn_workers(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 (one scenario, read top down)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=75)
    parser.add_argument("--liaisons", type=int, default=4)
    parser.add_argument("--reviewers", type=int, default=2)
    parser.add_argument("--items", type=int, default=40)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.smtp import SmtpServer

    pg = PrivatePostgres(free_port())
    # The relay is down from the start: the scheduler's catch-up queues the reminders and
    # digests while it cannot send, so every message has to survive the faults below.
    smtp = SmtpServer()
    processes: dict[str, subprocess.Popen] = {}
    work = Path(tempfile.mkdtemp(prefix="faults-"))
    try:
        pg.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST"))}
        env.update(
            TRACKER_CONFIG="development",
            SCHEDULER_ENABLED="0",
            DATABASE_URL=pg.url,
            SECRET_KEY="f" * 40,
            TRACKER_INSTANCE_DIR=str(work),
            MAIL_BACKEND="smtp",
            MAIL_SERVER=smtp.host,
            MAIL_PORT=str(smtp.port),
            MAIL_TIMEOUT="3",
            MAIL_RETRY_BASE_SECONDS="1",
            MAIL_MAX_ATTEMPTS="50",
            SCHEDULER_DISPATCH_SECONDS="2",
            SCHEDULER_STANDBY_SECONDS="2",
            PYTHONPATH=str(ROOT),
        )
        world = seed(env, args.items)
        port = free_port()
        base = f"http://127.0.0.1:{port}"

        def start(name, cmd):
            processes[name] = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env=env,
                start_new_session=True,
                stdout=(work / f"{name}.log").open("a"),
                stderr=subprocess.STDOUT,
            )

        start(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "5",
                "wsgi:app",
            ],
        )
        start("scheduler", [str(BIN / "flask"), "--app", "wsgi", "scheduler"])
        for _ in range(60):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        log(
            f"up: {len(world['items'])} items, {len(world['periods'])} periods, "
            f"{args.liaisons} liaison and {args.reviewers} reviewer threads, {args.seconds} s"
        )
        stats: Counter = Counter()
        acked = {"submitted": set(), "verified": set(), "returned": set()}
        started = time.monotonic()
        until = started + args.seconds
        rng = random.Random(20261127)  # noqa: S311
        threads = [
            threading.Thread(
                target=liaison_loop,
                args=(
                    base,
                    world["liaisons"][n % 4],
                    world["items"],
                    world["periods"],
                    until,
                    acked,
                    stats,
                    random.Random(n),
                ),
            )  # noqa: S311
            for n in range(args.liaisons)
        ] + [
            threading.Thread(
                target=reviewer_loop,
                args=(
                    base,
                    world["reviewers"][n % 2],
                    world["items"],
                    until,
                    acked,
                    stats,
                    random.Random(100 + n),
                ),
            )  # noqa: S311
            for n in range(args.reviewers)
        ]
        for thread in threads:
            thread.start()
        step = args.seconds / 8
        faults = [
            (
                1 * step,
                "kill a gunicorn worker (SIGKILL)",
                lambda: os.kill(
                    rng.choice(gunicorn_workers(processes["gunicorn"].pid)), signal.SIGKILL
                ),
            ),
            (3 * step, "restart PostgreSQL", pg.restart),
            (
                4 * step,
                "kill the scheduler mid-run (SIGKILL)",
                lambda: os.killpg(processes["scheduler"].pid, signal.SIGKILL),
            ),
            (
                5 * step,
                "start the scheduler again",
                lambda: start("scheduler", [str(BIN / "flask"), "--app", "wsgi", "scheduler"]),
            ),
            (6 * step, "start SMTP (down since the start)", smtp.start),
            (
                6.5 * step,
                "kill the other gunicorn worker (SIGKILL)",
                lambda: os.kill(max(gunicorn_workers(processes["gunicorn"].pid)), signal.SIGKILL),
            ),
        ]
        for at, name, action in faults:
            time.sleep(max(0.0, started + at - time.monotonic()))
            log(f"fault: {name}")
            action()
        for thread in threads:
            thread.join(timeout=args.seconds + 120)
        elapsed = time.monotonic() - started
        log("load over; queueing today's reminders and letting the scheduler drain the outbox")
        subprocess.run(
            [
                str(BIN / "flask"),
                "--app",
                "wsgi",
                "notify",
                "remind",
                "--date",
                date.today().isoformat(),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
        )
        code = """
import json
from sqlalchemy import func, select
from tracker import create_app
from tracker.extensions import db
from tracker.models import OutboxMessage, Report
app = create_app("development")
with app.app_context():
    count = func.count()
    states = dict(db.session.execute(select(Report.state, count).group_by(Report.state)).all())
    reports = {str(r.id): r.state for r in db.session.scalars(select(Report))}
    by_state = select(OutboxMessage.state, count).group_by(OutboxMessage.state)
    outbox = dict(db.session.execute(by_state).all())
    sent = select(OutboxMessage.dedupe_key).where(OutboxMessage.state == "sent")
    keys = [k for (k,) in db.session.execute(sent)]
    retried = db.session.scalar(select(count).where(OutboxMessage.attempts > 1))
    out = {"states": states, "reports": reports, "outbox": outbox, "sent_keys": keys,
           "retried": retried}
print(json.dumps(out))
"""
        # Long enough for the longest backoff a message can have reached while SMTP was down.
        deadline = time.monotonic() + 300
        while True:
            snapshot = json.loads(
                subprocess.run(
                    [str(BIN / "python"), "-c", code],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            if not snapshot["outbox"].get("pending") or time.monotonic() > deadline:
                break
            time.sleep(2)
        received = Counter(m.message["X-Tracker-Dedupe-Key"] for m in smtp.messages)
        reports = {int(k): v for k, v in snapshot["reports"].items()}
        lost = [r for r in acked["submitted"] if reports.get(r) in (None, "draft")]
        undone = [r for r in acked["verified"] if reports.get(r) != "verified"]
        sent_keys = set(snapshot["sent_keys"])
        twice = {k: n for k, n in received.items() if n > 1}
        unsent = sent_keys - set(received)
        requests_ok = stats["ok"]
        log("results")
        print(
            json.dumps(
                {
                    "seconds": round(elapsed, 1),
                    "requests_ok": requests_ok,
                    "requests_per_second": round(requests_ok / elapsed, 1),
                    "mean_latency_ms": round(stats["latency_ms"] / max(1, requests_ok), 1),
                    # A restart may cost 503s (retried) but never a 500 (issue #23).
                    "answers_500": stats.get("http 500", 0),
                    "answers_503": stats.get("http 503", 0),
                    "errors_seen_by_clients": {
                        k: v for k, v in stats.items() if k not in ("ok", "latency_ms")
                    },
                    "submissions_acknowledged": len(acked["submitted"]),
                    "verifications_acknowledged": len(acked["verified"]),
                    "returns_acknowledged": len(acked["returned"]),
                    "reports_by_state": snapshot["states"],
                    "acknowledged_submissions_lost": len(lost),
                    "acknowledged_verifications_undone": len(undone),
                    "outbox_by_state": snapshot["outbox"],
                    "messages_sent_after_failed_attempts": snapshot["retried"],
                    "messages_received_by_smtp": sum(received.values()),
                    "dedupe_keys_received_twice": len(twice),
                    "sent_rows_never_received": len(unsent),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        ok = (
            not lost
            and not stats.get("http 500")
            and not undone
            and not twice
            and not unsent
            and not snapshot["outbox"].get("pending")
            and not snapshot["outbox"].get("failed")
        )
        log("NOTHING LOST, NOTHING SENT TWICE" if ok else "FAILED: see the figures above")
        # The backup drill (tools/faults_backup.py) on what the load left: the app stops
        # first, as it would for a real restore.
        from tools.faults_backup import destroy_postgres, drill

        for process in processes.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        drilled = drill(env, destroy_postgres(pg), work)
        print(json.dumps({"backup_drill": drilled}, ensure_ascii=False, indent=2))
        log("BACKUP DRILL: RESTORED EVERY ROW AND FILE" if drilled["ok"] else "BACKUP DRILL FAILED")
        return 0 if ok and drilled["ok"] else 1
    finally:
        for process in processes.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        smtp.stop()
        pg.stop()
        if not os.environ.get("FAULTS_KEEP"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
