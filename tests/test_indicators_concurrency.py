"""Races on PostgreSQL: two reviewers, two liaisons, two editors at once — exactly one wins.

SQLite serialises writers and would hide these, so they run on PostgreSQL only. Both threads
load their objects first, meet at a barrier, then act and commit.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tests.concurrency import race_pair as race
from tests.indicators_support import add_value, indicator, make_plan
from tracker.extensions import db
from tracker.models import AuditEvent, Indicator, IndicatorValue, User

pytestmark = [pytest.mark.postgres_only, pytest.mark.today("2026-11-27")]
NOW = datetime(2026, 11, 27, 3, 0)
TODAY = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _postgres(is_postgres):
    if not is_postgres:
        pytest.skip("races need PostgreSQL (SQLite serialises writers)")


@pytest.fixture
def scene(app, factories):
    with app.test_request_context():
        plan = make_plan()
        department = factories.department("市市场监管局")
        ind = indicator(plan, 1)
        ind.department = department
        db.session.flush()
        ids = {
            "plan": plan.id,
            "indicator": ind.id,
            "value": add_value(ind, 2023, 97.0, state="submitted").id,
            "liaison": factories.user("liaison", department).id,
            "liaison2": factories.user("liaison", department).id,
            "office": factories.user("office").id,
            "office2": factories.user("office").id,
        }
        db.session.commit()
    db.session.remove()
    return ids


@pytest.mark.parametrize("second_action", ["verify", "return"])
def test_two_reviewers_one_value_exactly_one_wins(app, scene, second_action):
    from tracker.indicators.operations import return_value, verify_value

    def load(user_key):
        def loader():
            row = db.session.get(IndicatorValue, scene["value"])
            row.indicator.plan  # noqa: B018 (load before the barrier)
            row.indicator.department  # noqa: B018
            return db.session.get(User, scene[user_key]), row

        return loader

    def verify(user, row):
        verify_value(user, row, now=NOW, expected_version=1)

    def give_back(user, row):
        return_value(user, row, reason="请补充", now=NOW, expected_version=1)

    second = verify if second_action == "verify" else give_back
    outcomes = race(app, (load("office"), verify), (load("office2"), second))
    assert sorted(outcomes.values()) in (
        ["invalid_transition", "won"],
        ["stale_version", "won"],
    ), outcomes
    with app.app_context():
        row = db.session.get(IndicatorValue, scene["value"])
        assert row.version == 2
        events = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.in_(["indicator_value.verified", "indicator_value.returned"]))
        )
        assert events == 1


def test_two_liaisons_report_the_same_year_exactly_one_row(app, scene):
    from tracker.indicators.operations import report_value

    def load(user_key):
        def loader():
            ind = db.session.get(Indicator, scene["indicator"])
            ind.plan  # noqa: B018
            return db.session.get(User, scene[user_key]), ind

        return loader

    def report(user, ind):
        report_value(user, ind, year=2024, value="97.5", today=TODAY)

    outcomes = race(app, (load("liaison"), report), (load("liaison2"), report))
    assert sorted(outcomes.values()) == ["validation_failed", "won"], outcomes
    with app.app_context():
        rows = db.session.scalars(select(IndicatorValue).where(IndicatorValue.year == 2024)).all()
        assert len(rows) == 1


def test_two_editors_of_one_indicator_the_first_save_survives(app, scene):
    from tracker.indicators.operations import update_indicator

    def load(user_key):
        def loader():
            return db.session.get(User, scene[user_key]), db.session.get(
                Indicator, scene["indicator"]
            )

        return loader

    def rename(name):
        def act(user, ind):
            update_indicator(user, ind, expected_version=1, name=name)

        return act

    outcomes = race(app, (load("office"), rename("甲")), (load("office2"), rename("乙")))
    assert sorted(outcomes.values()) == ["stale_version", "won"], outcomes
    with app.app_context():
        ind = db.session.get(Indicator, scene["indicator"])
        assert ind.version == 2 and ind.name in ("甲", "乙")
