"""Replay a page's SQL on two SQLite databases: what an index or a schema change does to each
statement, and whether the planner changed any plan on the way.

    python -m bench.replay --before instance/bench/a.db --after instance/bench/b.db \
        --pages office_home,city_dashboard

Each page is requested once through the app on `--before` (bench/pages.py's targets and
log-ins); every SELECT it ran is then timed alone on both databases (rows fetched, median of
`--repeats`), and a statement whose plan differs is printed with both plans. Use two copies
of one generated database that differ only by the change, with their statistics as the app
leaves them (`PRAGMA optimize`), not a fresh full ANALYZE: SQLite's plans depend on them.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import statistics
import time

from bench.pages import PAGES, capture_sql, choose_targets, log_in


def timed(connection: sqlite3.Connection, sql: str, parameters, repeats: int) -> float:
    """Median milliseconds of the statement with its rows fetched."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        connection.execute(sql, parameters).fetchall()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def plan(connection: sqlite3.Connection, sql: str, parameters) -> list[str]:
    return [row[3] for row in connection.execute("EXPLAIN QUERY PLAN " + sql, parameters)]


def page_statements(app, engine, targets, name: str):
    page = next(p for p in PAGES if p.name == name)
    client = app.test_client()
    log_in(client, app, targets.liaison if page.role == "liaison" else targets.office)
    url = targets.url(page)
    client.get(url)  # warm-up: caches, the session's user
    with capture_sql(engine) as capture:
        client.get(url)
    reads = ("SELECT", "WITH")
    return url, [s for s in capture.statements if s.sql.lstrip().upper().startswith(reads)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.replay", description=__doc__)
    parser.add_argument("--before", required=True, help="SQLite file without the change")
    parser.add_argument("--after", required=True, help="SQLite file with it")
    parser.add_argument("--pages", required=True, help="page names (bench/pages.py)")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--show-ms", type=float, default=0.5, help="list statements above this")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)

    from bench.probe import make_app
    from tracker.extensions import db

    app = make_app(f"sqlite:///{args.before}")
    with app.app_context():
        targets = choose_targets(db.session)
        engine = db.engine
        db.session.remove()
    before, after = sqlite3.connect(args.before), sqlite3.connect(args.after)
    for name in args.pages.split(","):
        url, statements = page_statements(app, engine, targets, name)
        print(f"{name} {url}: {len(statements)} SELECTs (ms before → after)")
        totals = [0.0, 0.0]
        for statement in statements:
            a = timed(before, statement.sql, statement.parameters, args.repeats)
            b = timed(after, statement.sql, statement.parameters, args.repeats)
            totals[0] += a
            totals[1] += b
            if max(a, b) >= args.show_ms:
                print(f"  {a:8.2f} {b:8.2f}  {' '.join(statement.sql.split())[:100]}")
            plan_a = plan(before, statement.sql, statement.parameters)
            plan_b = plan(after, statement.sql, statement.parameters)
            if plan_a != plan_b:
                print("    plan changed:")
                print("      before: " + " | ".join(plan_a))
                print("      after:  " + " | ".join(plan_b))
        print(f"  {totals[0]:8.2f} {totals[1]:8.2f}  in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
