"""The benchmark runner leaves no server running when it fails or is stopped (issue 9)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

from bench.generate import generate

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def processes_with(marker: str) -> list[int]:
    """Pids whose command line mentions `marker` (gunicorn keeps `--name bench-TAG`)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if marker in cmdline and "gunicorn" in cmdline:
            found.append(int(entry.name))
    return found


def wait_until_gone(marker: str, seconds: float = 20.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = processes_with(marker)
        if not left:
            return []
        time.sleep(0.2)
    return processes_with(marker)


@pytest.fixture(scope="module")
def tiny_database(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    url = f"sqlite:///{folder}/tiny.db"
    generate("T", url, force=False, today=date.today(), manifest_dir=folder)
    return url


def runner(url: str, tag: str, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "DATABASE"))}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--database-url",
            url,
            "--sizes",
            "T",
            "--server-tag",
            tag,
            "--no-write",
            "--skip-jobs",
            "--pages",
            "review_queue",
            *extra,
        ],
        cwd=ROOT,
        env=env | {"PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_a_failure_after_the_server_started_stops_it(tiny_database):
    tag = uuid.uuid4().hex[:12]
    process = runner(tiny_database, tag, "--fail-after-start")
    out, _ = process.communicate(timeout=300)
    assert process.returncode == 1, out
    assert "gunicorn http://127.0.0.1:" in out, out  # the server did start
    assert "forced failure" in out
    assert wait_until_gone(f"bench-{tag}") == []


def test_sigterm_while_serving_stops_the_server(tiny_database):
    tag = uuid.uuid4().hex[:12]
    process = runner(tiny_database, tag, "--hold-after-start", "120")
    lines = []
    try:
        deadline = time.monotonic() + 240
        for line in process.stdout:
            lines.append(line)
            if "holding" in line or time.monotonic() > deadline:
                break
        assert any("holding" in line for line in lines), "".join(lines)
        assert processes_with(f"bench-{tag}"), "the server should be running now"
        process.send_signal(signal.SIGTERM)
        process.wait(60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode != 0
    assert wait_until_gone(f"bench-{tag}") == []
