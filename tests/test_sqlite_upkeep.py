"""SQLite's planner statistics: `PRAGMA optimize` on a connection's first check-in and every
OPTIMIZE_EVERY-th after — not on every request (it cost ~0.15 ms each, and re-prepared
the statements when it analyzed a table)."""

import sqlite3
from types import SimpleNamespace

from tracker import OPTIMIZE_EVERY, _optimize_sqlite


def test_optimize_runs_on_the_first_check_in_and_then_every_so_often(tmp_path):
    connection = sqlite3.connect(tmp_path / "upkeep.db")
    ran = []
    connection.set_trace_callback(lambda sql: ran.append(sql) if "optimize" in sql else None)
    record = SimpleNamespace(info={})
    for _ in range(2 * OPTIMIZE_EVERY + 1):
        _optimize_sqlite(connection, record)
    assert len(ran) == 3  # check-ins 1, OPTIMIZE_EVERY + 1 and 2 × OPTIMIZE_EVERY + 1
    connection.close()


def test_other_databases_are_left_alone():
    record = SimpleNamespace(info={})
    _optimize_sqlite(object(), record)
    assert record.info == {}
