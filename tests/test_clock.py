"""The one clock: TRACKER_TODAY pins the day, the local day of an instant, the test pin, and
a walk over the source proving that nothing else in tracker/ reads the date."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tracker import clock

TRACKER = Path(__file__).resolve().parent.parent / "tracker"


def test_local_day_of_an_instant_is_the_shanghai_day():
    # 16:30 UTC is half past midnight the next day in Shanghai.
    assert clock.local_date(datetime(2026, 12, 31, 16, 30)) == date(2027, 1, 1)
    assert clock.local_date(datetime(2026, 12, 31, 15, 59)) == date(2026, 12, 31)
    aware = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    assert clock.local_date(aware) == date(2027, 1, 1)
    assert clock.local_date(None) is None


@pytest.mark.today("2027-01-04T23:30")
def test_the_test_pin_moves_the_whole_process_clock():
    assert clock.today() == date(2027, 1, 4) == date.today()
    assert clock.local_now().hour == 23
    assert clock.now().replace(second=0, microsecond=0) in (
        datetime(2027, 1, 4, 15, 30),
        datetime(2027, 1, 4, 15, 31),
    )


def test_default_day_is_stated(today):
    assert today == date(2026, 11, 27) == clock.today()


@pytest.mark.today("2026-06-30T09:15")
def test_tracker_today_pins_the_day_and_keeps_the_time_of_day(app, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_TODAY", "2031-02-10")
    first = clock.now()
    assert clock.today() == date(2031, 2, 10)
    assert clock.local_now().hour == 9 and clock.local_now().date() == date(2031, 2, 10)
    second = clock.now()
    assert first <= second  # instants keep their order within the pinned day
    monkeypatch.setitem(app.config, "TRACKER_TODAY", None)
    assert clock.today() == date(2026, 6, 30)


def test_tracker_today_outside_an_app_comes_from_the_environment(app, monkeypatch):
    monkeypatch.setenv("TRACKER_TODAY", "2030-03-03")
    from flask import has_app_context

    ctx = app.app_context()
    # The autouse fixture holds an app context; leave every one of them to test the bare path.
    import flask.globals

    saved = flask.globals._cv_app.set(None)  # noqa: SLF001 - no public way to leave a context
    try:
        assert not has_app_context()
        assert clock.today() == date(2030, 3, 3)
    finally:
        flask.globals._cv_app.reset(saved)
    del ctx


def test_timestamps_written_by_the_models_follow_the_pinned_day(app, factories, monkeypatch):
    from tracker.extensions import db

    monkeypatch.setitem(app.config, "TRACKER_TODAY", "2029-05-06")
    department = factories.department()
    db.session.flush()
    assert clock.local_date(department.created_at) == date(2029, 5, 6)


# Calls that read the machine's clock. `time.monotonic()` measures durations and is allowed.
_FORBIDDEN = {
    ("date", "today"),
    ("datetime", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("time", "time"),
    ("time", "time_ns"),
}


def _date_reads(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        reads_clock = (
            (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and (func.value.id, func.attr) in _FORBIDDEN
            )
            or (
                isinstance(func, ast.Name)
                and func.id in {"formatdate", "localtime", "gmtime"}
                and not node.args
            )
            or (isinstance(func, ast.Name) and func.id == "utcnow")
        )
        if reads_clock:
            found.append(f"{path.relative_to(TRACKER.parent)}:{node.lineno}")
    return found


def test_no_module_but_the_clock_reads_the_date():
    offenders = [
        hit
        for path in sorted(TRACKER.rglob("*.py"))
        if path.name != "clock.py" or path.parent != TRACKER
        for hit in _date_reads(path)
    ]
    assert offenders == []


def test_the_walk_finds_a_date_read():
    # The clock itself reads datetime.now: the walk must see it, or it proves nothing.
    assert _date_reads(TRACKER / "clock.py")
