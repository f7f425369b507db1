"""The benchmark runner: `python -m bench.run --sizes S,M --databases sqlite,postgresql`
(`make bench`).

For each size and database: make sure the data is there (bench/generate.py; reused while
its manifest says same size, same day, same generator), count each page's SQL statements
and time its main query alone (bench/probe.py), serve the app with gunicorn (2 workers,
production config) and drive the pages from a second process (bench/load.py), then time
the reminder job, the digest job and the Excel export with their peak memory
(bench/jobs.py). Results go to bench/results/DATABASE-SIZE.json and BENCHMARKS.md.

Every child runs in its own process group; the runner kills the groups when it finishes,
fails, or receives SIGINT/SIGTERM, so no server outlives it.
"""

from __future__ import annotations

import argparse
import atexit
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, datetime
from pathlib import Path

from bench.jobs import ROOT, run_measured
from bench.pages import PAGES
from bench.sizes import local_today

logger = logging.getLogger(__name__)

BIN = Path(sys.executable).parent
BENCH_DIR = ROOT / "instance" / "bench"
RESULTS_DIR = ROOT / "bench" / "results"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432"
WORKERS = 2
GENERATE_TIMEOUT = 3 * 3600
JOB_TIMEOUT = 900


class RunFailed(Exception):
    pass


# ---------------------------------------------------------------- child processes


class ProcessGroups:
    """Every child's process group, killed at exit, on failure and on SIGINT/SIGTERM."""

    def __init__(self):
        self.processes: dict[int, subprocess.Popen] = {}
        self._previous = {}
        atexit.register(self.kill_all)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            self._previous[signum] = signal.signal(signum, self._on_signal)

    def _on_signal(self, signum, frame):  # noqa: ARG002
        # Unwind through every `finally` (servers stop there), then exit with 128+N.
        self.kill_all()
        raise SystemExit(128 + signum)

    def add(self, process: subprocess.Popen) -> None:
        self.processes[process.pid] = process

    def discard(self, process: subprocess.Popen) -> None:
        self.processes.pop(process.pid, None)

    def stop(self, process: subprocess.Popen, grace: float = 10.0) -> None:
        """SIGTERM the group, wait, then SIGKILL whatever is left of it."""
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            logger.error("process group %s did not die", process.pid)
        self.discard(process)

    def kill_all(self) -> None:
        for process in list(self.processes.values()):
            self.stop(process, grace=5.0)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(url: str) -> dict:
    """Production configuration with a throwaway key, on the benchmark database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TRACKER_", "DATABASE_URL", "TEST_DATABASE_URL", "SECRET_KEY"))
    }
    instance = BENCH_DIR / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    env.update(
        TRACKER_CONFIG="production",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=url,
        TRACKER_INSTANCE_DIR=str(instance),
        MAIL_BACKEND="file",
        MAIL_FILE_DIR=str(instance / "mail"),
        PYTHONPATH=str(ROOT),
    )
    return env


class Server:
    """gunicorn with WORKERS sync workers on a free loopback port, in its own group."""

    def __init__(
        self,
        url: str,
        groups: ProcessGroups,
        tag: str,
        app="wsgi:app",
        env=None,
        cwd=ROOT,
        ready_path="/healthz",
    ):
        self.url, self.groups, self.tag = url, groups, tag
        # Another WSGI app (bench/ratio.py serves the bare yardstick page the same way).
        self.app, self.env, self.cwd, self.ready_path = app, env, cwd, ready_path
        self.process: subprocess.Popen | None = None
        self.port = free_port()
        self.log = BENCH_DIR / "logs" / f"gunicorn-{tag}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        cmd = [
            str(BIN / "gunicorn"),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--name",
            f"bench-{self.tag}",
            "--timeout",
            "300",
            "--error-logfile",
            str(self.log),
            self.app,
        ]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                cmd,
                cwd=self.cwd,
                env=self.env if self.env is not None else app_env(self.url),
                stdout=log,
                stderr=log,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.groups.add(self.process)
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-2000:]
                raise RunFailed(f"gunicorn exited with {self.process.returncode}:\n{tail}")
            try:
                with urllib.request.urlopen(self.base_url + self.ready_path, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RunFailed(f"gunicorn did not answer on {self.base_url} within {timeout:.0f} s")

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.groups.stop(self.process)
            self.process = None


# ---------------------------------------------------------------- one size on one database


def target_url(database: str, size: str, pg_base: str) -> str:
    if database == "sqlite":
        return f"sqlite:///{BENCH_DIR / f'bench-{size}.db'}"
    return f"{pg_base.rstrip('/')}/bench_{size.lower()}"


def ensure_data(size: str, url: str, today: date, regenerate: bool, groups) -> dict:
    from bench.generate import GENERATOR_VERSION, read_manifest, schema_digest

    manifest = read_manifest(url)
    fresh = (
        manifest is not None
        and manifest.get("size") == size
        and manifest.get("generator_version") == GENERATOR_VERSION
        and manifest.get("today") == today.isoformat()
        and manifest.get("schema") == schema_digest()
    )
    if fresh and not regenerate:
        manifest["reused"] = True
        return manifest
    print(f"generating {size} into {url} …", flush=True)
    cmd = [sys.executable, "-m", "bench.generate", "--size", size, "--database-url", url]
    cmd += ["--force", "--today", today.isoformat()]
    result = run_measured(cmd, dict(os.environ, PYTHONPATH=str(ROOT)), GENERATE_TIMEOUT, groups)
    if result.returncode != 0:
        raise RunFailed(f"the generator failed ({result.returncode}):\n{result.stderr[-3000:]}")
    print(result.stdout.strip(), flush=True)
    manifest = read_manifest(url) or {}
    manifest["reused"] = False
    manifest["generator_max_rss_mb"] = round(result.max_rss_mb, 1)
    return manifest


def run_child_json(cmd: list[str], env: dict, groups, timeout: float, stdin: str | None = None):
    """Run a bench child in its own group; returns its JSON output."""
    process = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        text=True,
    )
    groups.add(process)
    try:
        out, err = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        groups.stop(process)
        raise RunFailed(f"{' '.join(cmd[:4])} took longer than {timeout:.0f} s") from None
    finally:
        groups.discard(process)
    if process.returncode != 0:
        raise RunFailed(f"{' '.join(cmd[:4])} failed ({process.returncode}):\n{err[-3000:]}")
    return json.loads(out)


def load_spec(server, targets: dict, pages: list[dict], args) -> dict:
    from sqlalchemy.engine import make_url

    from bench.sizes import BENCH_API_TOKEN, BENCH_PASSWORD

    url = make_url(server.url)
    pg_url = None
    if url.get_backend_name() == "postgresql":
        pg_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return {
        "base_url": server.base_url,
        "server_pid": server.process.pid,
        "pg_url": pg_url,
        "users": {
            "liaison": {"username": targets["liaison"], "password": BENCH_PASSWORD},
            "office": {"username": targets["office"], "password": BENCH_PASSWORD},
        },
        "api_token": BENCH_API_TOKEN,
        "pages": pages,
        "clients": args.clients,
        "requests": args.requests,
        "sequential_requests": args.sequential,
        "seconds_per_phase": args.seconds,
    }


def time_jobs(url: str, today: date, groups) -> dict:
    """The reminder and digest jobs for real (then their outbox rows removed again, so the
    data stays reusable), and the Excel export; each with wall time and peak RSS."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    from bench.dbload import absolute_url

    env = app_env(url)
    # NullPool: no connection (nor SQLite page cache) stays in the runner between jobs.
    engine = create_engine(absolute_url(url), poolclass=NullPool)
    results = {}
    try:
        with engine.connect() as conn:
            before = conn.scalar(text("SELECT coalesce(max(id), 0) FROM outbox_message"))
        for job in ("remind", "digest"):
            cmd = [sys.executable, "-m", "bench.jobs", "flask", "notify", job]
            cmd += ["--date", today.isoformat()]
            result = run_measured(cmd, env, JOB_TIMEOUT, groups)
            summary = (result.stdout + result.stderr).strip().splitlines()
            results[job] = {
                "available": result.returncode == 0,
                "returncode": result.returncode,
                "seconds": round(result.seconds, 2),
                "max_rss_mb": round(result.max_rss_mb, 1),
                "summary": next((s for s in reversed(summary) if "queued" in s), summary[-1:]),
            }
        with engine.begin() as conn:
            queued = conn.execute(
                text("DELETE FROM outbox_message WHERE id > :before"), {"before": before}
            ).rowcount
        results["queued_and_removed"] = queued
    finally:
        engine.dispose()
    for what in ("baseline", "export"):
        cmd = [sys.executable, "-m", "bench.jobs", what, "--database-url", url]
        result = run_measured(cmd, env, JOB_TIMEOUT, groups)
        entry = {
            "seconds": round(result.seconds, 2),
            "max_rss_mb": round(result.max_rss_mb, 1),
            "returncode": result.returncode,
        }
        try:
            entry.update(json.loads(result.stdout.strip().splitlines()[-1]))
        except (ValueError, IndexError):
            entry["available"] = False
            entry["error"] = result.stderr[-1500:]
        results[what] = entry
    return results


def machine_load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run_one(size: str, database: str, url: str, args, groups: ProcessGroups) -> dict:
    today = args.today
    result = {
        "size": size,
        "database": database,
        "started": datetime.now().isoformat(timespec="seconds"),
        "load_before": machine_load(),
        "settings": {
            "workers": WORKERS,
            "clients": args.clients,
            "requests": args.requests,
            "sequential": args.sequential,
            "seconds_per_phase": args.seconds,
        },
    }
    if args.database_url:
        result["manifest"] = {"size": size, "reused": True}
    else:
        result["manifest"] = ensure_data(size, url, today, args.regenerate, groups)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("TRACKER_CONFIG", None)
    names = ",".join(p.name for p in selected_pages(args))
    print(f"[{database} {size}] counting statements and timing main queries …", flush=True)
    probe = run_child_json(
        [sys.executable, "-m", "bench.probe", "--database-url", url, "--pages", names],
        env,
        groups,
        timeout=1800,
    )
    result["targets"] = probe["targets"]
    result["probe"] = probe["pages"]
    pages = [
        {"name": p.name, "role": p.role, "url": probe["pages"][p.name]["url"]}
        for p in selected_pages(args)
        if probe["pages"].get(p.name, {}).get("available")
    ]
    tag = args.server_tag or secrets.token_hex(4)
    print(f"[{database} {size}] serving with gunicorn ({WORKERS} workers) …", flush=True)
    with Server(url, groups, tag) as server:
        print(f"  gunicorn {server.base_url} (group {server.process.pid})", flush=True)
        if args.fail_after_start:
            raise RunFailed("forced failure after the server started (--fail-after-start)")
        if args.hold_after_start:
            print("  holding (--hold-after-start)", flush=True)
            time.sleep(args.hold_after_start)
        spec = load_spec(server, probe["targets"], pages, args)
        print(f"  driving {len(pages)} pages …", flush=True)
        loaded = run_child_json(
            [sys.executable, "-m", "bench.load"],
            env,
            groups,
            timeout=len(pages) * (3 * args.seconds + 120) + 60,
            stdin=json.dumps(spec),
        )
        if "error" in loaded:
            raise RunFailed(f"the load client failed: {loaded['error']}")
        result["load"] = loaded
        health = run_child_json(
            [sys.executable, "-m", "bench.load"],
            env,
            groups,
            timeout=300,
            stdin=json.dumps(
                spec | {"pages": [{"name": "healthz", "role": "api", "url": "/healthz"}]}
            ),
        )
        result["load"].update(health)
    if not args.skip_jobs:
        print(f"[{database} {size}] timing jobs …", flush=True)
        result["jobs"] = time_jobs(url, today, groups)
    result["finished"] = datetime.now().isoformat(timespec="seconds")
    result["load_after"] = machine_load()
    return result


def selected_pages(args):
    wanted = [p for p in (args.pages or "").split(",") if p]
    return [p for p in PAGES if not wanted or p.name in wanted]


# ---------------------------------------------------------------- the command


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--sizes", default="S,M", help="comma-separated: S, M, L")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", DEFAULT_PG))
    parser.add_argument(
        "--database-url", default=None, help="measure this database as it is (no generation)"
    )
    parser.add_argument(
        "--clients", type=int, default=WORKERS, help="concurrent clients (default: one per worker)"
    )
    parser.add_argument("--requests", type=int, default=200, help="requests per page (load)")
    parser.add_argument("--sequential", type=int, default=20, help="one-client requests")
    parser.add_argument("--seconds", type=float, default=30.0, help="time cap of each phase")
    parser.add_argument("--pages", default="", help="only these pages (names, comma-separated)")
    parser.add_argument("--today", type=date.fromisoformat, default=local_today())
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--skip-jobs", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not touch BENCHMARKS.md")
    parser.add_argument("--server-tag", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--fail-after-start", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--hold-after-start", type=float, default=0, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    groups = ProcessGroups()
    command = "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])
    if args.database_url:
        database = "postgresql" if args.database_url.startswith("postgres") else "sqlite"
        combos = [(args.sizes.split(",")[0] or "custom", database, args.database_url)]
    else:
        combos = [
            (size, database, target_url(database, size, args.pg_url))
            for size in (s.strip() for s in args.sizes.split(","))
            for database in (d.strip() for d in args.databases.split(","))
        ]
    failures = 0
    try:
        for size, database, url in combos:
            try:
                result = run_one(size, database, url, args, groups)
            except RunFailed as error:
                failures += 1
                print(f"[{database} {size}] FAILED: {error}", file=sys.stderr, flush=True)
                if args.fail_after_start:
                    return 1
                continue
            result["command"] = command
            if not args.no_write:
                RESULTS_DIR.mkdir(parents=True, exist_ok=True)
                path = RESULTS_DIR / f"{database}-{size}.json"
                path.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
            print_summary(result)
        if not args.no_write:
            from bench.report import write_benchmarks

            write_benchmarks()
            print("wrote BENCHMARKS.md", flush=True)
    finally:
        groups.kill_all()
    return 1 if failures else 0


def print_summary(result: dict) -> None:
    print(f"== {result['database']} {result['size']}")
    for name, probe in result.get("probe", {}).items():
        if not probe.get("available"):
            print(f"  {name:<18} not available yet")
            continue
        page = result.get("load", {}).get(name, {})
        load = page.get("concurrent", {})
        print(
            f"  {name:<18} {probe['statements']:>3} stmts  floor {probe['floor_ms']:>8} ms  "
            f"p50 {load.get('p50_ms')} p95 {load.get('p95_ms')} p99 {load.get('p99_ms')} ms  "
            f"{load.get('rps')} rps  cpu/request app {page.get('app_cpu_ms_per_request')} "
            f"db {page.get('db_cpu_ms_per_request')} ms"
        )
    for name, job in result.get("jobs", {}).items():
        if isinstance(job, dict):
            print(f"  {name:<18} {job.get('seconds')} s  {job.get('max_rss_mb')} MB")


if __name__ == "__main__":
    sys.exit(main())
