"""`make run`'s server, started the way `make run` starts it, answers /login in Chinese."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_make_run_serves_the_chinese_login_page(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(
        TRACKER_CONFIG="development", TRACKER_INSTANCE_DIR=str(tmp_path), PYTHONPATH=str(ROOT)
    )
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    subprocess.run(
        [*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120
    )
    demo = subprocess.run(
        [*flask, "demo", "--if-empty"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "admin" in demo.stdout
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tracker.devserver", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as resp:
                    assert resp.status == 200
                    body = resp.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert body is not None, "server did not answer"
        assert "登录" in body
        assert (tmp_path / "tracker.db").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
