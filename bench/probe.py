"""In-process measurements of each page on a benchmark database: SQL statements per
request, the page's main query timed alone (its floor), and the in-process page time.

Run by the runner as `python -m bench.probe --database-url URL` (a separate process, so the
runner never imports the app); prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time

from bench.pages import PAGES, Targets, capture_sql, choose_targets, log_in, page_available
from bench.sizes import BENCH_API_TOKEN

logger = logging.getLogger(__name__)

WARMUP = 2
REPEATS = 5
FLOOR_REPEATS = 11
FLOOR_BUDGET_SECONDS = 20.0


def make_app(url: str):
    from bench.dbload import absolute_url
    from bench.generate import make_app as generator_app

    app = generator_app(absolute_url(url))
    app.config.update(TESTING=False, DEBUG=False, WTF_CSRF_ENABLED=True)
    return app


def main_statement(statements):
    """The statement a page waits on most: the slowest SELECT of the request."""
    selects = [s for s in statements if s.sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    return max(selects or statements, key=lambda s: s.seconds, default=None)


def time_alone(engine, statement) -> float:
    """Median seconds of the statement re-run on its own, rows fetched, on one connection."""
    raw = engine.raw_connection()
    try:
        times = []
        budget_end = time.monotonic() + FLOOR_BUDGET_SECONDS
        for _ in range(FLOOR_REPEATS):
            cursor = raw.cursor()
            began = time.perf_counter()
            cursor.execute(statement.sql, statement.parameters)
            if cursor.description is not None:
                cursor.fetchall()
            times.append(time.perf_counter() - began)
            cursor.close()
            if time.monotonic() > budget_end and len(times) >= 3:
                break
        raw.rollback()
        return statistics.median(times)
    finally:
        raw.close()


def probe(url: str, page_names: list[str] | None = None) -> dict:
    from tracker.extensions import db

    app = make_app(url)
    with app.app_context():
        targets = choose_targets(db.session)
        engine = db.engine
        db.session.remove()
    result = {"targets": targets.__dict__, "pages": {}}
    clients = {}
    for role, username in (("liaison", targets.liaison), ("office", targets.office)):
        client = app.test_client()
        log_in(client, app, username)
        clients[role] = client
    clients["api"] = app.test_client()
    for page in PAGES:
        if page_names and page.name not in page_names:
            continue
        result["pages"][page.name] = measure_page(app, engine, clients[page.role], page, targets)
    return result


def measure_page(app, engine, client, page, targets: Targets) -> dict:
    if not page_available(app, page, targets):
        return {"available": False}
    headers = {"Authorization": f"Bearer {BENCH_API_TOKEN}"} if page.role == "api" else {}
    url = targets.url(page)
    for _ in range(WARMUP):
        client.get(url, headers=headers)
    counts, times, cpu, captures, statuses = [], [], [], [], []
    for _ in range(REPEATS):
        with capture_sql(engine) as capture:
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, headers=headers)
            times.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
        statuses.append(response.status_code)
        counts.append(capture.count)
        captures.append(capture)
    uncached = measure_uncached(app, engine, client, url, headers)
    fastest = captures[times.index(min(times))]
    main = main_statement(fastest.statements)
    floor = time_alone(engine, main) if main is not None else None
    sql_seconds = statistics.median(sum(s.seconds for s in c.statements) for c in captures)
    sql_cpu = statistics.median(sum(s.cpu_seconds for s in c.statements) for c in captures)
    return {
        "available": True,
        "url": url,
        "status": statuses[-1],
        "statements": max(counts),
        "statements_min": min(counts),
        "inprocess_ms": round(statistics.median(times) * 1000, 2),
        # CPU of this process (Python, and SQLite's own work): steadier on a busy machine.
        "inprocess_cpu_ms": round(statistics.median(cpu) * 1000, 2),
        "sql_in_page_ms": round(sql_seconds * 1000, 2),
        "sql_cpu_in_page_ms": round(sql_cpu * 1000, 2),
        "main_sql": (main.sql if main is not None else "")[:4000],
        "main_sql_in_page_ms": round(main.seconds * 1000, 2) if main is not None else None,
        "floor_ms": round(floor * 1000, 3) if floor is not None else None,
        # The same page with the fragment cache off (tracker/fragments.py): what the
        # first request after a write costs. Equal to the above on pages that keep nothing.
        **uncached,
        "slowest": [
            [
                round(s.seconds * 1000, 2),
                round(s.cpu_seconds * 1000, 2),
                " ".join(s.sql.split())[:240],
            ]
            for s in sorted(fastest.statements, key=lambda s: -s.seconds)[:4]
        ],
    }


def measure_uncached(app, engine, client, url: str, headers: dict) -> dict:
    app.config["FRAGMENT_CACHE"] = False
    try:
        counts, times, cpu = [], [], []
        for _ in range(REPEATS):
            with capture_sql(engine) as capture:
                began, began_cpu = time.perf_counter(), time.process_time()
                client.get(url, headers=headers)
                times.append(time.perf_counter() - began)
                cpu.append(time.process_time() - began_cpu)
            counts.append(capture.count)
    finally:
        app.config["FRAGMENT_CACHE"] = True
    return {
        "uncached_statements": max(counts),
        "uncached_inprocess_ms": round(statistics.median(times) * 1000, 2),
        "uncached_inprocess_cpu_ms": round(statistics.median(cpu) * 1000, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.probe")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    names = [n for n in args.pages.split(",") if n]
    json.dump(probe(args.database_url, names or None), sys.stdout, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
