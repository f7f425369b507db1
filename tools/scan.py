"""`make scan`: a bounded wapiti scan of a loopback instance with a seeded scratch database.

Builds a scratch SQLite database under test-artifacts/scan/ (migrations + the Shaoxing
demo), serves it with gunicorn on 127.0.0.1, logs in as a demo user through the real form
and hands wapiti the session cookie, excludes log-out and the language switch (they would
end the session), and runs the injection, file, redirect, CRLF, CSRF and header modules for
at most SCAN_SECONDS. The server is stopped in every case. Reports go to
test-artifacts/scan/ (git-ignored). Loopback only; not part of CI (docs/security.md).

    .venv/bin/python -m tools.scan [--user office] [--seconds 420]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ART = ROOT / "test-artifacts" / "scan"
VENV_BIN = ROOT / ".venv" / "bin"
WAPITI = ROOT / ".venv-scan" / "bin" / "wapiti"
MODULES = "xss,permanentxss,sql,timesql,exec,file,redirect,crlf,csrf,http_headers,cookieflags,csp"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_", "PYTEST"))}
    env.update(
        TRACKER_CONFIG="development",
        SCHEDULER_ENABLED="0",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=f"sqlite:///{instance / 'scan.db'}",
        TRACKER_INSTANCE_DIR=str(instance),
        UPLOAD_FOLDER=str(instance / "uploads"),
        MAIL_BACKEND="file",
        MAIL_FILE_DIR=str(instance / "mail"),
    )
    return env


def seed(env: dict) -> dict[str, str]:
    """Migrate and load the demo; return the demo log-ins (username → password)."""
    flask = [str(VENV_BIN / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    logins = {}
    text = (Path(env["TRACKER_INSTANCE_DIR"]) / "demo-logins.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        parts = line.split("\t")  # username, password, role, department
        if len(parts) >= 2:
            logins[parts[0]] = parts[1]
    return logins


def wait_until_up(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the server did not come up")


def session_cookie(base: str, username: str, password: str) -> str:
    """Log in through the real form (CSRF token included) and return the session cookie."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/login", timeout=10).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrf_token": token}
    ).encode()
    opener.open(urllib.request.Request(base + "/login", data=data), timeout=10)
    cookies = {c.name: c.value for c in jar}
    if "session" not in cookies or "/login" in opener.open(base + "/", timeout=10).geturl():
        raise RuntimeError(f"could not log in as {username}")
    return cookies["session"]


def summarise(report: Path) -> dict[str, int]:
    data = json.loads(report.read_text(encoding="utf-8"))
    counts = {}
    for category, entries in {
        **data.get("vulnerabilities", {}),
        **data.get("anomalies", {}),
    }.items():
        if entries:
            counts[category] = len(entries)
            for entry in entries[:20]:
                where = f"{entry.get('method', '')} {entry.get('path', '')}"
                info = entry.get("info", "")[:160]
                print(f"  [{category}] {where} {entry.get('parameter', '')}: {info}")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--user", default="office", help="demo user to scan as")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("SCAN_SECONDS", 420)))
    parser.add_argument("--modules", default=MODULES)
    args = parser.parse_args(argv)
    if not WAPITI.exists():
        print("wapiti is missing: run `make scan` (it installs requirements-scan.txt)")
        return 2
    shutil.rmtree(ART, ignore_errors=True)
    instance = ART / "instance"
    instance.mkdir(parents=True)
    env = environment(instance)
    logins = seed(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=(ART / "server.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until_up(base)
        cookie = session_cookie(base, args.user, logins[args.user])
        report = ART / "wapiti.json"
        command = [
            str(WAPITI),
            "-u",
            base + "/",
            "-C",
            f"session={cookie}",
            "-x",
            base + "/logout",
            "-x",
            base + "/language",
            "--scope",
            "folder",
            "-m",
            args.modules,
            "-d",
            "4",
            "--max-links-per-page",
            "30",
            "--max-files-per-dir",
            "30",
            "--max-scan-time",
            str(args.seconds),
            "--max-attack-time",
            str(max(30, args.seconds // 6)),
            "--flush-session",
            "--store-session",
            str(ART / "session"),
            "--store-config",
            str(ART / "config"),
            "-v",
            "1",
            "-f",
            "json",
            "-o",
            str(report),
        ]
        print("running:", " ".join(c if "session=" not in c else "session=…" for c in command))
        started = time.monotonic()
        try:
            subprocess.run(
                command,
                cwd=ART,
                timeout=args.seconds + 300,
                check=False,
                stdout=(ART / "wapiti.log").open("w"),
                stderr=subprocess.STDOUT,
            )
        except subprocess.TimeoutExpired:
            print("wapiti overran its time budget and was stopped; see wapiti.log")
        print(f"wapiti ran {time.monotonic() - started:.0f} s; report {report.relative_to(ROOT)}")
        counts = summarise(report) if report.exists() else {}
        errors = sum(
            1 for line in (ART / "server.log").read_text().splitlines() if "Traceback" in line
        )
        print(f"findings by category: {counts or 'none'}; server tracebacks: {errors}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
