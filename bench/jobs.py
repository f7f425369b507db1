"""Timing the background work: the reminder and digest jobs (through the real `flask notify`
commands) and the Excel export, each in a child process, with its peak memory.

Peak memory is the child's own VmHWM (/proc/self/status, printed as it exits): wait4's
ru_maxrss — what `/usr/bin/time -v` prints — also counts the parent's size at fork, which
made a 100 MB job look like the runner's 300 MB.

`python -m bench.jobs export|baseline --database-url URL` is the child side for the export
and for the app's own footprint (one JSON object); `python -m bench.jobs flask ARGS…` runs
the flask CLI and reports its peak memory on stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent


HWM_MARKER = "BENCH_VMHWM_KB="


@dataclass
class ChildResult:
    returncode: int
    seconds: float
    max_rss_mb: float  # the child's own peak (VmHWM) when it reported one, else ru_maxrss
    stdout: str
    stderr: str


def own_peak_kb() -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _report_peak() -> None:
    peak = own_peak_kb()
    if peak is not None:
        print(f"{HWM_MARKER}{peak}", file=sys.stderr, flush=True)


def _reported_peak_mb(stderr: str) -> float | None:
    for line in reversed(stderr.splitlines()):
        if line.startswith(HWM_MARKER):
            return int(line[len(HWM_MARKER) :]) / 1024
    return None


def run_measured(cmd: list[str], env: dict, timeout: float, registry=None) -> ChildResult:
    """Run `cmd`, returning its wall time and peak RSS; killed (whole group) on timeout."""
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        began = time.monotonic()
        process = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True
        )
        if registry is not None:
            registry.add(process)
        try:
            deadline = began + timeout
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    _kill_group(process.pid)
                    pid, status, usage = os.wait4(process.pid, 0)
                    break
                time.sleep(0.05)
        finally:
            if registry is not None:
                registry.discard(process)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - began
        out.seek(0)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        peak = _reported_peak_mb(stderr)
        return ChildResult(
            process.returncode,
            seconds,
            peak if peak is not None else usage.ru_maxrss / 1024,  # kilobytes on Linux
            out.read().decode("utf-8", "replace"),
            stderr,
        )


def _kill_group(pid: int) -> None:
    import signal

    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------- the child side


def export_progress(url: str) -> dict:
    """GET the progress workbook (进展情况表) of the biggest plan as the office would."""
    from sqlalchemy import func, select

    from bench.pages import choose_targets, log_in
    from bench.probe import make_app
    from tracker.extensions import db
    from tracker.models import WorkItem

    app = make_app(url)
    with app.app_context():
        targets = choose_targets(db.session)
        plan_id = db.session.scalar(
            select(WorkItem.plan_id)
            .group_by(WorkItem.plan_id)
            .order_by(func.count(WorkItem.id).desc(), WorkItem.plan_id)
            .limit(1)
        )
        items = db.session.scalar(
            select(func.count(WorkItem.id)).where(WorkItem.plan_id == plan_id)
        )
        db.session.remove()
    if "spreadsheets.export_progress" not in app.view_functions:
        return {"available": False}
    client = app.test_client()
    log_in(client, app, targets.office)
    began = time.perf_counter()
    response = client.get(f"/spreadsheets/export/progress.xlsx?plan={plan_id}")
    seconds = time.perf_counter() - began
    return {
        "available": True,
        "status": response.status_code,
        "bytes": len(response.data),
        "items": items,
        "plan_id": plan_id,
        "seconds": round(seconds, 3),
    }


def baseline(url: str) -> dict:
    from bench.probe import make_app

    make_app(url)
    return {"available": True}


def run_flask(args: list[str]) -> None:
    """`flask --app wsgi ARGS…` in this process, reporting its peak memory at exit."""
    import atexit

    from flask.cli import main as flask_main

    atexit.register(_report_peak)
    sys.argv = ["flask", "--app", "wsgi", *args]
    flask_main()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["flask"]:
        run_flask(argv[1:])
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.jobs")
    parser.add_argument("what", choices=["export", "baseline"])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from bench.dbload import absolute_url

    url = absolute_url(args.database_url)
    result = export_progress(url) if args.what == "export" else baseline(url)
    print(json.dumps(result))
    _report_peak()
    return 0


if __name__ == "__main__":
    sys.exit(main())
