"""The load client: logs in through the real form and drives pages over HTTP on loopback.

Run by the runner as a second process (`python -m bench.load < spec.json`), standard library
only: a pool of threads, one connection each, bounded both in requests and in seconds.
Prints one JSON object: per page, the sequential and the concurrent latencies.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

logger = logging.getLogger(__name__)

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class LoadError(Exception):
    pass


@dataclass
class Session:
    """Cookies of one logged-in user (flags such as Secure are ignored: this is loopback)."""

    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def header(self) -> dict[str, str]:
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def absorb(self, response: http.client.HTTPResponse) -> None:
        for value in response.headers.get_all("Set-Cookie") or []:
            pair = value.split(";", 1)[0]
            name, _, cookie = pair.partition("=")
            if cookie:
                self.cookies[name.strip()] = cookie.strip()
            else:
                self.cookies.pop(name.strip(), None)


class Connection:
    """One keep-alive connection that reconnects when the server closes it (sync workers)."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, headers: dict, body: bytes | None = None):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (ConnectionError, http.client.RemoteDisconnected, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.getheader("Connection", "").lower() == "close" or response.will_close:
                self.close()
            return response, data
        raise LoadError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def log_in(conn: Connection, username: str, password: str) -> Session:
    session = Session()
    response, body = conn.request("GET", "/login", session.header())
    session.absorb(response)
    match = CSRF_RE.search(body.decode("utf-8", "replace"))
    if not match:
        raise LoadError("no csrf_token on the log-in page")
    form = urlencode(
        {"csrf_token": match.group(1) or match.group(2), "username": username, "password": password}
    ).encode()
    headers = session.header() | {"Content-Type": "application/x-www-form-urlencoded"}
    response, _body = conn.request("POST", "/login", headers, form)
    session.absorb(response)
    if response.status != 302:
        raise LoadError(f"log-in as {username} answered {response.status}, not a redirect")
    return session


# ---------------------------------------------------------------- server CPU per request
# Latency on a shared machine depends on what else runs; the CPU the server spends per
# request does not (much). Read from /proc for the gunicorn workers and, on PostgreSQL, the
# backends serving the benchmark database.

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / CLOCK_TICKS


def postgres_backends(url: str | None) -> list[int]:
    if not url:
        return []
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchall()
    return [row[0] for row in rows]


class ServerCpu:
    """CPU seconds spent by the app's workers and the database between two readings."""

    def __init__(self, spec: dict):
        self.master = spec.get("server_pid")
        self.pg_url = spec.get("pg_url")

    def pids(self) -> tuple[list[int], list[int]]:
        workers = children_of(self.master) if self.master else []
        return workers, postgres_backends(self.pg_url)

    def reading(self) -> tuple[float, float]:
        workers, backends = self.pids()
        return cpu_seconds(workers), cpu_seconds(backends)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summarise(latencies: list[float], errors: int, seconds: float, statuses: dict) -> dict:
    if not latencies:
        return {"n": 0, "errors": errors, "statuses": statuses}
    ms = [x * 1000 for x in latencies]
    return {
        "n": len(ms),
        "errors": errors,
        "statuses": statuses,
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
        "max_ms": round(max(ms), 2),
        "rps": round(len(ms) / seconds, 2) if seconds > 0 else None,
        "seconds": round(seconds, 2),
    }


def drive(host, port, path, headers, *, clients: int, requests: int, seconds: float) -> dict:
    """`requests` GETs of `path` from `clients` threads, stopping early after `seconds`."""
    lock = threading.Lock()
    remaining = [requests]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors = [0]
    deadline = time.monotonic() + seconds

    def worker():
        conn = Connection(host, port, timeout=60)
        try:
            while time.monotonic() < deadline:
                with lock:
                    if remaining[0] <= 0:
                        return
                    remaining[0] -= 1
                began = time.perf_counter()
                try:
                    response, _ = conn.request("GET", path, headers)
                    status = response.status
                except (OSError, http.client.HTTPException):
                    status = "error"
                elapsed = time.perf_counter() - began
                with lock:
                    statuses[str(status)] = statuses.get(str(status), 0) + 1
                    if status == 200:
                        latencies.append(elapsed)
                    else:
                        errors[0] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return summarise(latencies, errors[0], time.monotonic() - began, statuses)


def run(spec: dict) -> dict:
    base = urlsplit(spec["base_url"])
    if base.hostname not in LOOPBACK:
        raise LoadError(f"refusing to load {base.hostname}: only loopback addresses")
    host, port = base.hostname, base.port or 80
    conn = Connection(host, port, timeout=60)
    sessions = {
        role: log_in(conn, user["username"], user["password"])
        for role, user in spec["users"].items()
    }
    sessions["api"] = Session(headers={"Authorization": f"Bearer {spec['api_token']}"})
    conn.close()
    results = {}
    meter = ServerCpu(spec)
    for page in spec["pages"]:
        headers = sessions[page["role"]].header()
        # Warm-up (templates compiled, caches filled, both workers touched).
        drive(host, port, page["url"], headers, clients=2, requests=4, seconds=30)
        app_before, db_before = meter.reading()
        sequential = drive(
            host,
            port,
            page["url"],
            headers,
            clients=1,
            requests=spec["sequential_requests"],
            seconds=spec["seconds_per_phase"],
        )
        concurrent = drive(
            host,
            port,
            page["url"],
            headers,
            clients=spec["clients"],
            requests=spec["requests"],
            seconds=spec["seconds_per_phase"],
        )
        app_after, db_after = meter.reading()
        served = sequential["n"] + sequential["errors"] + concurrent["n"] + concurrent["errors"]
        cpu = {
            "app_cpu_ms_per_request": round((app_after - app_before) * 1000 / served, 1)
            if served
            else None,
            "db_cpu_ms_per_request": round((db_after - db_before) * 1000 / served, 1)
            if served and meter.pg_url
            else None,
        }
        results[page["name"]] = {"sequential": sequential, "concurrent": concurrent, **cpu}
    return results


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    spec = json.load(sys.stdin)
    try:
        results = run(spec)
    except LoadError as error:
        print(json.dumps({"error": str(error)}))
        return 2
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
