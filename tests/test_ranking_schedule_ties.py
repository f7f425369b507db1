"""The department rankings (dashboard, 通报's 'most in arrears') rank by calendar figures;
序时进度's red, then yellow item counts break their ties."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from tracker.bulletins.behind import BehindDepartment, BehindSchedule
from tracker.bulletins.data import Bulletin, BulletinLine
from tracker.dashboard import queries
from tracker.dashboard.queries import Tally
from tracker.dashboard.reporting import ReportingStats


def test_the_bulletin_breaks_ties_by_red_then_yellow_items():
    behind = BehindSchedule(date(2026, 11, 27))
    behind.departments = [
        BehindDepartment(1, "甲", items=3, red=1),
        BehindDepartment(2, "乙", items=2, red=2),
        BehindDepartment(3, "丙", items=3, red=2),
    ]
    bulletin = Bulletin(
        plan=None,
        period=SimpleNamespace(deadline=date(2026, 10, 10)),
        today=date(2026, 11, 27),
        as_of=date(2026, 11, 27),
        issue=4,
        issuer="",
        behind=behind,
    )
    for position, (key, name, overdue) in enumerate(
        [(1, "甲", 1), (2, "乙", 1), (3, "丙", 1), (4, "丁", 2)], start=1
    ):
        bulletin.lines.append(BulletinLine(position, name, ReportingStats(key, overdue=overdue)))
    # 丁 has the most overdue items; then 丙 (2 red, 1 yellow) before 乙 (2 red) before 甲.
    assert [line.name for line in bulletin.lagging] == ["丁", "丙", "乙"]


def test_the_dashboard_breaks_ties_by_red_then_yellow_items(monkeypatch):
    def tally(overdue, red, yellow):
        t = Tally(total=5, overdue=overdue)
        t.lights.update(red=red, yellow=yellow)
        return t

    tallies = {1: tally(1, 1, 3), 2: tally(1, 2, 0), 3: tally(1, 2, 1), 4: tally(0, 5, 0)}
    monkeypatch.setattr(queries, "tallies_by", lambda *args: tallies)
    monkeypatch.setattr(queries, "departments_by_id", lambda ids: {i: f"局{i}" for i in ids})
    ranked = queries.department_buckets(1, date(2026, 11, 27), 14)
    assert [b.key for b in ranked] == [3, 2, 1, 4]
