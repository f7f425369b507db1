"""The benchmark generator: deterministic, realistic in shape, and refusing what it must."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from bench import dbload
from bench.data import Generator
from bench.dbload import GenerateError
from bench.generate import generate
from bench.sizes import SCALES, required_free_bytes, tiny

TODAY = date(2026, 11, 27)
pytestmark = pytest.mark.today(TODAY.isoformat())


def _rows(scale) -> dict[str, list[dict]]:
    generator = Generator(scale, TODAY, "hash")
    rows: dict[str, list[dict]] = {}
    for table, batch in generator.batches():
        rows.setdefault(table, []).extend(batch)
    return rows


def test_same_seed_same_rows():
    assert _rows(tiny(40, plans=2)) == _rows(tiny(40, plans=2))


def test_shape_has_every_state_and_deadline_kind():
    rows = _rows(tiny(120, departments=10, users=30, plans=3))
    items = rows["work_item"]
    states = Counter(r["state"] for r in rows["report"])
    assert set(states) == {"draft", "submitted", "returned", "verified"}
    open_items = [i for i in items if i["status"] != "completed" and i["retired_at"] is None]
    assert any(i["due_date"] and i["due_date"] < TODAY for i in open_items)  # overdue
    assert any(
        i["due_date"] and TODAY <= i["due_date"] <= TODAY + timedelta(14) for i in open_items
    )
    assert {i["status"] for i in items} == {"not_started", "in_progress", "completed"}
    assert rows["item_co_department"], "co-departments"
    assert any(i["lead_department_id"] is None for i in items), "an unowned item"
    kinds = {n["kind"] for n in rows["plan_node"]}
    assert {"chapter", "section", "task", "item", "column"} <= kinds
    assert rows["indicator_value"] and rows["audit_event"] and rows["report_revision"]
    assert {e["state"] for e in rows["extension_request"]} >= {"pending"}
    # Every item points at a node of its own plan, and codes are unique per plan.
    nodes = {n["id"]: n["plan_id"] for n in rows["plan_node"]}
    assert all(nodes[i["source_node_id"]] == i["plan_id"] for i in items)
    assert len({(i["plan_id"], i["code"]) for i in items}) == len(items)
    # At most one report per item and period.
    assert len({(r["item_id"], r["period_id"]) for r in rows["report"]}) == len(rows["report"])


def test_report_count_meets_the_target_at_M():
    generator = Generator(SCALES["M"], TODAY, "hash")
    for _ in generator.batches():
        pass
    counts = generator.counts
    assert counts["work_item"] == 10_000
    assert counts["department"] == 300
    assert counts["user_account"] == 2_000
    assert abs(counts["report"] - 40_000) / 40_000 < 0.05


def test_refuses_a_size_the_disk_cannot_hold(tmp_path, monkeypatch):
    class Usage:
        total, used, free = 10**9, 10**9 - 1_000_000, 1_000_000

    monkeypatch.setattr(dbload.shutil, "disk_usage", lambda path: Usage)
    with pytest.raises(GenerateError, match="refusing to generate size L") as error:
        generate("L", f"sqlite:///{tmp_path}/l.db", force=False, today=TODAY, manifest_dir=tmp_path)
    assert "only 976.6 KB is free" in str(error.value)
    assert not (tmp_path / "l.db").exists() or (tmp_path / "l.db").stat().st_size == 0


def test_disk_estimate_grows_with_the_size():
    m = required_free_bytes(SCALES["M"], "sqlite")
    large = required_free_bytes(SCALES["L"], "sqlite")
    assert 100 * 2**20 < m < large and large > 9 * (m - dbload_reserve())


def dbload_reserve():
    from bench.sizes import RESERVE_BYTES

    return RESERVE_BYTES


def test_refuses_a_database_that_is_not_empty(tmp_path):
    url = f"sqlite:///{tmp_path}/t.db"
    manifest = generate("T", url, force=False, today=TODAY, manifest_dir=tmp_path)
    assert manifest["counts"]["work_item"] == 11
    with pytest.raises(GenerateError, match="is not empty"):
        generate("T", url, force=False, today=TODAY, manifest_dir=tmp_path)
    again = generate("T", url, force=True, today=TODAY, manifest_dir=tmp_path)
    assert again["counts"] == manifest["counts"]
