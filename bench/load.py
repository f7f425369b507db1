"""The load client: logs in through the real form and drives pages over HTTP on loopback.

Run by the runner as a second process (`python -m bench.load < spec.json`), standard library
only: a pool of threads, one connection each, bounded both in requests and in seconds.
Prints one JSON object: per page, the sequential and the concurrent latencies.
"""

from __future__ import annotations

import http.client
import json
import logging
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
    for page in spec["pages"]:
        headers = sessions[page["role"]].header()
        # Warm-up (templates compiled, caches filled, both workers touched).
        drive(host, port, page["url"], headers, clients=2, requests=4, seconds=30)
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
        results[page["name"]] = {"sequential": sequential, "concurrent": concurrent}
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
