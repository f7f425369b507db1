"""The item list beside the bare yardstick page, side by side in one run (`make bench-ratio`).

Serves the product (gunicorn, 2 workers, production config, bench data of one size on SQLite)
and `../shared/bench/bare_list_app.py` (the leanest honest Flask + SQLAlchemy list page, same
server, same worker count, its own 10,000 items in 300 departments), then loads each pair
alternately — product, bare, product, bare … — with wrk (2 threads × 8 connections; Debian's
package) or, without wrk, the Python client of bench/load.py, and prints both and the ratio
bare req/s ÷ product req/s (issue 20: at most 1.5).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from bench.jobs import ROOT
from bench.load import Connection, children_of, cpu_seconds, drive, log_in
from bench.run import BENCH_DIR, RESULTS_DIR, ProcessGroups, Server, ensure_data, target_url
from bench.sizes import BENCH_PASSWORD, local_today

DEFAULT_BARE = ROOT.parent / "shared" / "bench" / "bare_list_app.py"
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
WRK_LINE = re.compile(r"^\s*(50|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


# ---------------------------------------------------------------- the two servers


def product_targets(url: str) -> dict:
    """The office user, the busiest department and its first liaison (as bench/pages.py)."""
    from sqlalchemy import create_engine, text

    from bench.dbload import absolute_url

    engine = create_engine(absolute_url(url))
    try:
        with engine.connect() as conn:
            department = conn.scalar(
                text(
                    "SELECT lead_department_id FROM work_item WHERE lead_department_id IS NOT"
                    " NULL GROUP BY lead_department_id ORDER BY count(*) DESC,"
                    " lead_department_id LIMIT 1"
                )
            )
            liaison = conn.scalar(
                text(
                    "SELECT username FROM user_account WHERE role = 'liaison' AND active"
                    " AND department_id = :d ORDER BY id LIMIT 1"
                ),
                {"d": department},
            )
            office = conn.scalar(
                text(
                    "SELECT username FROM user_account WHERE role = 'office' AND active"
                    " ORDER BY id LIMIT 1"
                )
            )
    finally:
        engine.dispose()
    return {"department": department, "liaison": liaison, "office": office}


def bare_env(db_url: str, bare: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "FLASK_"))}
    env.update(DB=db_url, PYTHONPATH=str(bare.parent))
    return env


def seed_bare(bare: Path, db_path: Path, regenerate: bool) -> str:
    db_url = f"sqlite:///{db_path}"
    if regenerate or not db_path.exists():
        print(f"seeding the bare page's data into {db_path} …", flush=True)
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", bare.stem, "seed"],
            cwd=bare.parent,
            env=bare_env(db_url, bare),
            check=True,
        )
    return db_url


def busiest_bare_department(db_path: Path) -> int:
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        row = conn.execute(
            "SELECT dept_id FROM item GROUP BY dept_id ORDER BY count(*) DESC, dept_id LIMIT 1"
        ).fetchone()
    return row[0]


# ---------------------------------------------------------------- load


def _ms(value: str, unit: str) -> float:
    return round(float(value) * UNITS[unit], 2)


def parse_wrk(output: str) -> dict:
    """Requests/sec, the latency percentiles and the non-2xx count from `wrk --latency`."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s)", output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors:.*?timeout (\d+)", output)
    result = {f"p{q}_ms": _ms(v, u) for q, v, u in WRK_LINE.findall(output)}
    result.update(
        rps=float(rps.group(1)) if rps else 0.0,
        n=int(total.group(1)) if total else 0,
        non_2xx=int(bad.group(1)) if bad else 0,
        timeouts=int(errors.group(1)) if errors else 0,
    )
    return result


def run_wrk(base: str, path: str, headers: dict, args) -> dict:
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s", "--latency"]
    cmd += ["--timeout", "30s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    done = subprocess.run(cmd + [base + path], capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


def run_python(base: str, path: str, headers: dict, args) -> dict:
    port = int(base.rsplit(":", 1)[1])
    result = drive(
        "127.0.0.1",
        port,
        path,
        headers,
        clients=args.connections,
        requests=10**9,
        seconds=args.seconds,
    )
    result["non_2xx"] = result.pop("errors", 0)
    return result


def measured(load, server, path: str, headers: dict, args) -> dict:
    """One load run, with the server's CPU per request read from /proc for its workers:
    on a shared machine throughput follows everyone else's load, CPU per request hardly."""
    workers = children_of(server.process.pid)
    before = cpu_seconds(workers)
    result = load(server.base_url, path, headers, args)
    spent = cpu_seconds(workers) - before
    served = result.get("n", 0) + result.get("non_2xx", 0)
    result["cpu_ms"] = round(spent * 1000 / served, 2) if served else None
    result["cpu_s"] = spent
    return result


def page_bytes(base: str, path: str, headers: dict) -> tuple[int, int]:
    port = int(base.rsplit(":", 1)[1])
    conn = Connection("127.0.0.1", port, timeout=60)
    try:
        response, body = conn.request("GET", path, headers)
    finally:
        conn.close()
    return response.status, len(body)


def session_headers(base: str, username: str) -> dict:
    port = int(base.rsplit(":", 1)[1])
    conn = Connection("127.0.0.1", port, timeout=60)
    try:
        return log_in(conn, username, BENCH_PASSWORD).header()
    finally:
        conn.close()


def combine(runs: list[dict]) -> dict:
    """Rounds of one page on one server: total requests over total time; worst percentiles."""
    n = sum(r.get("n", 0) for r in runs)
    seconds = sum(r["n"] / r["rps"] for r in runs if r.get("rps"))
    cpu = sum(r.get("cpu_s", 0) for r in runs)
    served = sum(r.get("n", 0) + r.get("non_2xx", 0) for r in runs)
    return {
        "cpu_ms": round(cpu * 1000 / served, 2) if served else None,
        "rps": round(n / seconds, 1) if seconds else 0.0,
        "p50_ms": max((r.get("p50_ms", 0) for r in runs), default=0),
        "p99_ms": max((r.get("p99_ms", 0) for r in runs), default=0),
        "rounds_rps": [r.get("rps") for r in runs],
        "non_2xx": sum(r.get("non_2xx", 0) for r in runs),
    }


# ---------------------------------------------------------------- the command


def comparisons(targets: dict, bare_department: int) -> list[dict]:
    """Product page, who views it, and the bare page of the same shape."""
    dept = targets["department"]
    return [
        {"name": "office, all items", "role": "office", "path": "/items", "bare": "/items"},
        {
            "name": "office, one department",
            "role": "office",
            "path": f"/items?department={dept}",
            "bare": f"/items?dept={bare_department}",
        },
        # A liaison sees their department's items: the bare page filtered by one department.
        {
            "name": "liaison (own department)",
            "role": "liaison",
            "path": "/items",
            "bare": f"/items?dept={bare_department}",
        },
    ]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.ratio", description=__doc__)
    parser.add_argument("--size", default="M")
    parser.add_argument("--bare-app", type=Path, default=DEFAULT_BARE)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--tool", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--output", type=Path, default=None)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")
    load = run_wrk if tool == "wrk" else run_python
    groups = ProcessGroups()
    url = target_url("sqlite", args.size, "")
    result = {
        "size": args.size,
        "database": "sqlite",
        "tool": tool,
        "settings": {k: v for k, v in vars(args).items() if k not in ("bare_app", "output")},
        "started": datetime.now().isoformat(timespec="seconds"),
        "load_before": [round(x, 2) for x in os.getloadavg()],
        "pages": [],
    }
    try:
        ensure_data(args.size, url, local_today(), args.regenerate, groups)
        targets = product_targets(url)
        bare_db = BENCH_DIR / "bare-list.db"
        bare_url = seed_bare(args.bare_app, bare_db, args.regenerate)
        pairs = comparisons(targets, busiest_bare_department(bare_db))
        tag = secrets.token_hex(3)
        bare_server = Server(
            bare_url,
            groups,
            f"bare-{tag}",
            app=f"{args.bare_app.stem}:app",
            env=bare_env(bare_url, args.bare_app),
            cwd=args.bare_app.parent,
            ready_path="/items",
        )
        with Server(url, groups, f"ratio-{tag}") as product, bare_server as bare:
            headers = {
                role: session_headers(product.base_url, targets[role])
                for role in ("office", "liaison")
            }
            runs = {i: {"product": [], "bare": []} for i in range(len(pairs))}
            for pair in pairs:
                status, size = page_bytes(product.base_url, pair["path"], headers[pair["role"]])
                bare_status, bare_size = page_bytes(bare.base_url, pair["bare"], {})
                if status != 200 or bare_status != 200:
                    raise SystemExit(f"{pair['name']}: answered {status} / {bare_status}")
                pair.update(product_bytes=size, bare_bytes=bare_size)
            for round_no in range(args.rounds):
                for i, pair in enumerate(pairs):
                    print(f"  round {round_no + 1}: {pair['name']} …", flush=True)
                    runs[i]["product"].append(
                        measured(load, product, pair["path"], headers[pair["role"]], args)
                    )
                    runs[i]["bare"].append(measured(load, bare, pair["bare"], {}, args))
        for i, pair in enumerate(pairs):
            mine, theirs = combine(runs[i]["product"]), combine(runs[i]["bare"])
            ratio = round(theirs["rps"] / mine["rps"], 2) if mine["rps"] else None
            cpu_ratio = (
                round(mine["cpu_ms"] / theirs["cpu_ms"], 2)
                if mine["cpu_ms"] and theirs["cpu_ms"]
                else None
            )
            result["pages"].append(
                pair | {"product": mine, "bare": theirs, "ratio": ratio, "cpu_ratio": cpu_ratio}
            )
    finally:
        groups.kill_all()
    result["finished"] = datetime.now().isoformat(timespec="seconds")
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    output = args.output or RESULTS_DIR / f"ratio-sqlite-{args.size}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    print(render(result))
    return 0 if all(p["ratio"] is not None and p["ratio"] <= 1.5 for p in result["pages"]) else 1


def render(result: dict) -> str:
    lines = [
        f"item list beside the bare page — {result['size']} on {result['database']}, "
        f"{result['tool']} {result['settings']['threads']} threads × "
        f"{result['settings']['connections']} connections, {result['settings']['seconds']} s "
        f"× {result['settings']['rounds']} rounds, alternated; load "
        f"{result['load_before']} → {result['load_after']}",
        "",
        "| page | product req/s | p50 ms | p99 ms | CPU ms/req | KB | bare req/s | p50 ms "
        "| p99 ms | CPU ms/req | KB | ratio (bare ÷ product req/s) | CPU ratio |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for page in result["pages"]:
        mine, theirs = page["product"], page["bare"]
        lines.append(
            f"| {page['name']} (`{page['path']}`) | {mine['rps']} | {mine['p50_ms']} | "
            f"{mine['p99_ms']} | {mine['cpu_ms']} | {page['product_bytes'] / 1024:.1f} | "
            f"{theirs['rps']} | {theirs['p50_ms']} | {theirs['p99_ms']} | {theirs['cpu_ms']} | "
            f"{page['bare_bytes'] / 1024:.1f} | {page['ratio']}× | {page['cpu_ratio']}× |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    started = time.monotonic()
    code = main()
    print(f"({time.monotonic() - started:.0f} s)")
    sys.exit(code)
