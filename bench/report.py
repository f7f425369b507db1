"""Rendering bench/results/*.json into the tables of BENCHMARKS.md.

Only the part between the two markers is rewritten; the analysis written by hand around it
stays as it is.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import subprocess
from datetime import datetime
from pathlib import Path

from bench.pages import MAX_STATEMENTS, PAGES

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
BENCHMARKS = ROOT / "BENCHMARKS.md"
START = "<!-- bench:results:start -->"
END = "<!-- bench:results:end -->"
SIZE_ORDER = {"S": 0, "M": 1, "L": 2}
DB_ORDER = {"sqlite": 0, "postgresql": 1}
# Pages held to "p95 under 100 ms at M" (the lists and dashboards; not the item page).
LIST_PAGES = {
    "liaison_home",
    "office_home",
    "review_queue",
    "item_list",
    "item_list_liaison",
    "city_dashboard",
    "indicator_page",
    "api_items",
}
P95_TARGET_MS = 100
FLOOR_RATIO_TARGET = 3.0
JOBS_SECONDS_TARGET = 30
JOBS_MB_TARGET = 512


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def database_versions() -> str:
    try:
        out = subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except OSError:
        out = ""
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}; {out or 'PostgreSQL client not found'}"


def load_results() -> list[dict]:
    results = []
    for path in sorted(RESULTS_DIR.glob("*.json")):
        try:
            results.append(json.loads(path.read_text()))
        except ValueError:
            logger.warning("unreadable result %s", path)
    return sorted(
        results,
        key=lambda r: (SIZE_ORDER.get(r["size"], 9), DB_ORDER.get(r["database"], 9)),
    )


def _ms(value) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def page_rows(result: dict) -> list[str]:
    rows = [
        "| page | SQL statements | p50 ms | p95 ms | p99 ms | req/s | 1 client p50 ms "
        "| floor ms (main query alone) | page ÷ floor | server CPU ms per request (app + db) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for page in PAGES:
        probe = result.get("probe", {}).get(page.name)
        if probe is None:
            continue
        label = page.label + ("" if page.required else " ·")
        if not probe.get("available"):
            rows.append(f"| {label} | not available yet | | | | | | | | |")
            continue
        load = result.get("load", {}).get(page.name, {})
        conc, seq = load.get("concurrent", {}), load.get("sequential", {})
        app_cpu, db_cpu = load.get("app_cpu_ms_per_request"), load.get("db_cpu_ms_per_request")
        cpu = (
            "–"
            if app_cpu is None
            else f"{app_cpu:.0f}" + (f" + {db_cpu:.0f}" if db_cpu is not None else "")
        )
        floor = probe.get("floor_ms")
        ratio = seq.get("p50_ms") / floor if floor and seq.get("p50_ms") else None
        status = "" if probe.get("status") == 200 else f" (HTTP {probe.get('status')})"
        errors = f" ({conc.get('errors')} errors)" if conc.get("errors") else ""
        rows.append(
            f"| {label}{status} | {probe['statements']} | {_ms(conc.get('p50_ms'))} | "
            f"{_ms(conc.get('p95_ms'))} | {_ms(conc.get('p99_ms'))} | "
            f"{conc.get('rps', '–')}{errors} | {_ms(seq.get('p50_ms'))} | "
            f"{floor if floor is not None else '–'} | "
            f"{f'{ratio:.1f}×' if ratio else '–'} | {cpu} |"
        )
    health = result.get("load", {}).get("healthz", {}).get("sequential", {})
    if health:
        rows.append(
            f"| *(/healthz: the stack's own cost)* | – | | | | | {_ms(health.get('p50_ms'))} "
            "| | | |"
        )
    return rows


def job_rows(results: list[dict]) -> list[str]:
    rows = [
        "| size | database | reminders s | MB | digest s | MB | remind + digest s "
        "| Excel export s (items) | MB | app alone MB |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        jobs = r.get("jobs")
        if not jobs:
            continue
        remind, digest = jobs.get("remind", {}), jobs.get("digest", {})
        export, base = jobs.get("export", {}), jobs.get("baseline", {})
        both = (remind.get("seconds") or 0) + (digest.get("seconds") or 0)
        export_text = (
            f"{export.get('seconds')} ({export.get('items')})"
            if export.get("available")
            else "not available yet"
        )
        rows.append(
            f"| {r['size']} | {r['database']} | {remind.get('seconds')} | "
            f"{remind.get('max_rss_mb')} | {digest.get('seconds')} | {digest.get('max_rss_mb')} "
            f"| {both:.1f} | {export_text} | {export.get('max_rss_mb', '–')} | "
            f"{base.get('max_rss_mb', '–')} |"
        )
    return rows


def generator_rows(results: list[dict]) -> list[str]:
    rows = [
        "| size | database | rows | items | reports | generate s | rows/s while loading "
        "| on disk |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        m = r.get("manifest") or {}
        counts = m.get("counts", {})
        size_mb = f"{m['bytes'] / 1024 / 1024:.0f} MB" if m.get("bytes") else "–"
        rows.append(
            f"| {r['size']} | {r['database']} | {m.get('rows', '–'):,} | "
            f"{counts.get('work_item', '–'):,} | {counts.get('report', '–'):,} | "
            f"{m.get('seconds', {}).get('total', '–')} | {m.get('rows_per_second', '–'):,} | "
            f"{size_mb} |"
            if m.get("rows")
            else f"| {r['size']} | {r['database']} | – | | | | | |"
        )
    return rows


def target_rows(results: list[dict]) -> list[str]:
    rows = ["| target | size / database | result |", "|---|---|---|"]
    for r in results:
        where = f"{r['size']} / {r['database']}"
        probes = r.get("probe", {})
        over = [
            f"{n} ({p['statements']})"
            for n, p in probes.items()
            if p.get("available") and p["statements"] > MAX_STATEMENTS
        ]
        rows.append(
            f"| no page above {MAX_STATEMENTS} SQL statements | {where} | "
            + ("met" if not over else "missed: " + ", ".join(over))
            + " |"
        )
        if r["size"] != "M":
            continue
        slow = []
        for name in sorted(LIST_PAGES):
            conc = r.get("load", {}).get(name, {}).get("concurrent", {})
            if conc.get("p95_ms") is not None and conc["p95_ms"] >= P95_TARGET_MS:
                slow.append(f"{name} ({conc['p95_ms']:.0f} ms)")
        rows.append(
            f"| list and dashboard pages p95 < {P95_TARGET_MS} ms | {where} | "
            + ("met" if not slow else "missed: " + ", ".join(slow))
            + " |"
        )
        far = []
        for name, probe in probes.items():
            seq = r.get("load", {}).get(name, {}).get("sequential", {})
            floor = probe.get("floor_ms")
            if floor and seq.get("p50_ms") and seq["p50_ms"] / floor > FLOOR_RATIO_TARGET:
                far.append(f"{name} ({seq['p50_ms'] / floor:.0f}×)")
        rows.append(
            f"| no page more than {FLOOR_RATIO_TARGET:.0f}× its floor | {where} | "
            + ("met" if not far else "missed: " + ", ".join(far))
            + " |"
        )
    for r in results:
        if r["size"] != "L" or not r.get("jobs"):
            continue
        jobs = r["jobs"]
        seconds = (jobs.get("remind", {}).get("seconds") or 0) + (
            jobs.get("digest", {}).get("seconds") or 0
        )
        mb = max(
            jobs.get("remind", {}).get("max_rss_mb") or 0,
            jobs.get("digest", {}).get("max_rss_mb") or 0,
        )
        ok = seconds < JOBS_SECONDS_TARGET and mb < JOBS_MB_TARGET
        rows.append(
            f"| reminders + digest < {JOBS_SECONDS_TARGET} s and {JOBS_MB_TARGET} MB | "
            f"L / {r['database']} | {'met' if ok else 'missed'}: {seconds:.1f} s, "
            f"peak {mb:.0f} MB |"
        )
    return rows


def render(results: list[dict]) -> str:
    info = machine()
    lines = [
        START,
        "",
        f"*Tables written by `python -m bench.run` on {datetime.now():%Y-%m-%d %H:%M} (machine "
        "time, UTC); do not edit by hand (the runner rewrites everything between the "
        "markers).*",
        "",
        f"**Machine:** {info['cpu']}, {info['cores']} cores, {info['memory']} memory; "
        f"{info['system']}; Python {info['python']}; {database_versions()}.",
        "",
        "| size | database | measured | command | machine load (1/5/15 min) before → after |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['size']} | {r['database']} | {r.get('started', '–')} | "
            f"`{r.get('command', '–')}` | {r.get('load_before')} → {r.get('load_after')} |"
        )
    settings = next((r.get("settings") for r in results if r.get("settings")), {})
    lines += [
        "",
        f"Load: gunicorn with {settings.get('workers', 2)} sync workers (production config); "
        f"each page gets {settings.get('sequential', '?')} requests from one client, then "
        f"{settings.get('requests', '?')} from {settings.get('clients', '?')} concurrent "
        f"clients (capped at {settings.get('seconds_per_phase', '?')} s), from a second process. "
        'p50/p95/p99 and req/s are of the concurrent phase; "1 client p50" is the page time '
        'without queueing, and "page ÷ floor" divides it by the floor (the page\'s slowest '
        "statement re-run alone on one connection, median of up to 11 runs). Server CPU per "
        "request is read from /proc for the gunicorn workers (SQLite runs inside them) and the "
        "PostgreSQL backends, over both phases: unlike latency, it hardly changes when other "
        "work shares the machine. Pages marked · are measured beyond the issue's list.",
        "",
        "### Target check",
        "",
        *target_rows(results),
        "",
        "### Generator",
        "",
        *generator_rows(results),
        "",
        "### Jobs (seconds of the whole command; MB: peak resident memory, the child's VmHWM)",
        "",
        *job_rows(results),
    ]
    for r in results:
        lines += ["", f"### Pages — {r['size']} on {r['database']}", "", *page_rows(r)]
        t = r.get("targets") or {}
        if t:
            lines += [
                "",
                f"Logged in as `{t.get('liaison')}` (liaison of the department leading most "
                f"items) and `{t.get('office')}`; item page #{t.get('item_id')}, indicator "
                f"#{t.get('indicator_id')}.",
            ]
    lines += ["", END]
    return "\n".join(lines)


def write_benchmarks(path: Path = BENCHMARKS) -> None:
    block = render(load_results())
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if START in text and END in text:
            head, rest = text.split(START, 1)
            _old, tail = rest.split(END, 1)
            path.write_text(head + block + tail, encoding="utf-8")
            return
        path.write_text(text.rstrip() + "\n\n" + block + "\n", encoding="utf-8")
        return
    path.write_text("# Benchmarks\n\n" + block + "\n", encoding="utf-8")
