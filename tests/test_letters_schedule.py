"""The 序时进度 rules of the letters (issue 16's light, read set-based): yellow → 催办单,
red → 督办单, red at the end of the last quarter and still red → 约谈/问责通知."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from tests.conftest import make_department, make_user
from tests.letters_support import run
from tracker.extensions import db
from tracker.letters.facts import schedule_lights

pytestmark = pytest.mark.today("2026-11-27")


def item_at(plan, dept, period, code: str, progress: int, **fields):
    """An open item running through 2026 whose verified progress is `progress`%."""
    item = factories.make_item(
        plan,
        dept,
        code=code,
        start_date=fields.pop("start", date(2026, 1, 1)),
        due=fields.pop("due", date(2026, 12, 31)),
        progress=progress,
    )
    factories.make_report(item, period, "verified", progress=progress)
    return item


@pytest.fixture
def lights():
    office = make_department("督查办", kind="office")
    make_user("office", office)
    dept = make_department("发改委")
    make_user("liaison", dept)
    plan = factories.make_plan("规划")
    # Q3 reported and verified (no lateness), so only the schedule speaks.
    q3 = factories.make_period(
        plan, "2026Q3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 13)
    )
    items = {
        "green": item_at(plan, dept, q3, "一.1", 92),
        "yellow": item_at(plan, dept, q3, "一.2", 75),  # ~90% expected: 15 behind
        "red_now": item_at(plan, dept, q3, "一.3", 55),  # 35 behind now, ~20 on 09-30
        "red_long": item_at(plan, dept, q3, "一.4", 20),  # far behind on 09-30 too
        "overdue": item_at(plan, dept, q3, "一.5", 95, due=date(2026, 11, 20)),
    }
    db.session.commit()
    return items


def test_the_lights_are_read_in_one_query(lights):
    found = schedule_lights(date(2026, 11, 27))
    assert lights["green"].id not in found
    assert found[lights["yellow"].id] == {
        "light": "yellow",
        "light_period": "2026Q4",
        "red_last_period": False,
    }
    assert found[lights["red_now"].id]["light"] == "red"
    assert found[lights["red_now"].id]["red_last_period"] is False
    assert found[lights["red_long"].id]["red_last_period"] is True
    assert found[lights["overdue"].id]["light"] == "red"  # open past due is red


def test_schedule_letters(runner, lights):
    letters = run(runner)
    assert [(x["level"], x["items"]) for x in letters] == [
        ("red", ["一.4"]),
        ("orange", ["一.3", "一.5"]),
        ("yellow", ["一.2"]),
    ]
    assert run(runner) == []
