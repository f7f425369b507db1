"""The benchmark sizes (S, M, L, and tiny ones for tests) and how much disk each needs."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

# The known password of every generated account (benchmark data only, never production).
BENCH_PASSWORD = "bench-password-2026"  # noqa: S105
# The office user's API token (only its SHA-256 is stored).
BENCH_API_TOKEN = "pt_bench_0123456789abcdef0123456789abcdef"  # noqa: S105


@dataclass(frozen=True)
class Scale:
    """How much of everything to generate. `reports` is a target the generator meets within
    a few per cent (items that have not started report less)."""

    name: str
    departments: int
    users: int
    plans: int
    items: int
    reports: int
    seed: int = 20261127

    @property
    def items_per_plan(self) -> int:
        return -(-self.items // self.plans)


SCALES = {
    "M": Scale("M", departments=300, users=2_000, plans=10, items=10_000, reports=40_000),
    "L": Scale("L", departments=3_000, users=20_000, plans=40, items=100_000, reports=400_000),
}

# S is the Shaoxing demo as `flask demo` loads it; these figures are only for the disk check.
S_ESTIMATE = Scale("S", departments=60, users=70, plans=1, items=50, reports=200)


def local_today() -> date:
    """Today where the app reads deadlines (Asia/Shanghai, or TRACKER_TIMEZONE)."""
    zone = ZoneInfo(os.environ.get("TRACKER_TIMEZONE", "Asia/Shanghai"))
    return datetime.now(zone).date()


def tiny(items: int, *, departments: int = 6, users: int = 16, plans: int = 1) -> Scale:
    """A small scale for tests: same shape, a handful of rows."""
    return Scale(
        f"tiny{items}",
        departments=departments,
        users=users,
        plans=plans,
        items=items,
        reports=4 * items,
    )


def scale_for(name: str) -> Scale:
    if name == "S":
        return S_ESTIMATE
    if name == "T":  # tiny: the runner's own tests
        return tiny(11)
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown size {name!r}: choose S, M or L") from None


def with_seed(scale: Scale, seed: int) -> Scale:
    return replace(scale, seed=seed)


# Bytes on disk per generated row, indexes included, measured on generated M databases
# (SQLite file size and pg_database_size divided by the row counts) and rounded up.
_BYTES_PER_ROW = {"sqlite": 600, "postgresql": 420}
# Plan source texts (one copy of the Shaoxing text per plan) and the database's own floor.
_BYTES_PER_PLAN = 120_000
_FIXED_BYTES = {"sqlite": 2_000_000, "postgresql": 12_000_000}
# Free space kept on top of the estimate (WAL, temporary sort files, ANALYZE).
SAFETY_FACTOR = 1.5
RESERVE_BYTES = 256 * 1024 * 1024


def estimated_rows(scale: Scale) -> int:
    """Every row the generator writes, roughly (reports dominate: revisions, audit events)."""
    return (
        scale.departments * 2
        + scale.users * 3  # users and their notices
        + scale.items * 5  # items, co-departments, extensions, contributions, outbox history
        + scale.reports * 5  # reports, revisions, audit events, attachments
        + scale.plans * 400  # nodes, indicators, values, periods
    )


def estimated_bytes(scale: Scale, dialect: str) -> int:
    per_row = _BYTES_PER_ROW.get(dialect, max(_BYTES_PER_ROW.values()))
    fixed = _FIXED_BYTES.get(dialect, max(_FIXED_BYTES.values()))
    return fixed + estimated_rows(scale) * per_row + scale.plans * _BYTES_PER_PLAN


def required_free_bytes(scale: Scale, dialect: str) -> int:
    return int(estimated_bytes(scale, dialect) * SAFETY_FACTOR) + RESERVE_BYTES


def human(nbytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(nbytes) < 1024 or unit == "TB":
            return f"{nbytes:.0f} {unit}" if unit == "B" else f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    return f"{nbytes:.1f} TB"
