"""`flask demo` shows every 序时进度 light and both bases, on the default day and others."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from werkzeug.security import generate_password_hash

from tracker.extensions import db
from tracker.models import Milestone, MilestonePlan, WorkItem


@pytest.fixture(autouse=True)
def fast_hash(monkeypatch):
    import tracker.admin.operations as admin_operations

    # The demo creates ~45 accounts; a fast hash keeps this test quick.
    monkeypatch.setattr(
        admin_operations, "hash_password", lambda p: generate_password_hash(p, "pbkdf2:sha256:1")
    )


def _load(app, now):
    from tracker.demo import load_demo

    with app.test_request_context():
        result = load_demo(now=now)
        db.session.commit()
    return result


@pytest.mark.parametrize(
    "now",
    [
        pytest.param(datetime(2026, 11, 27, 2), marks=pytest.mark.today("2026-11-27")),
        pytest.param(datetime(2027, 3, 15, 2), marks=pytest.mark.today("2027-03-15")),
        pytest.param(datetime(2026, 8, 3, 2), marks=pytest.mark.today("2026-08-03")),
    ],
)
def test_every_light_appears_in_the_demo(app, now):
    from sqlalchemy import func, select

    from tracker.schedule_query import light_case, schedule_for_items

    result = _load(app, now)
    assert any(m.startswith("schedule: milestone plans on") for m in result.messages)
    with app.app_context():
        items = db.session.query(WorkItem).all()
        statuses = schedule_for_items(items, now.date())
        lights = Counter(s.light for s in statuses.values())
        assert set(lights) == {"green", "yellow", "red", "grey", "done"}, lights
        assert {s.basis for s in statuses.values()} == {"milestones", "linear"}
        # The SQL light agrees on the demo too.
        light = light_case(now.date())
        counted = dict(db.session.execute(select(light, func.count()).group_by(light)).all())
        assert counted == dict(lights)
        plans = Counter(p.state for p in db.session.query(MilestonePlan))
        assert plans == {"verified": 2, "submitted": 1}
        claims = Counter(m.state for m in db.session.query(Milestone))
        assert claims["verified"] == 1 and claims["submitted"] == 1


@pytest.mark.today("2026-11-27")
def test_the_demo_step_runs_once(app):
    now = datetime(2026, 11, 27, 2)
    _load(app, now)
    with app.app_context():
        counts = (db.session.query(WorkItem).count(), db.session.query(Milestone).count())
    result = _load(app, now)
    assert "schedule: the demo has milestone plans already" in result.messages
    with app.app_context():
        assert (db.session.query(WorkItem).count(), db.session.query(Milestone).count()) == counts
