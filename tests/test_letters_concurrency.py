"""Letters under concurrency (PostgreSQL): two runs for the same day issue each letter once,
two hand-issued letters never share a number, a reply and a cancel cannot both win."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.concurrency import race, race_pair
from tests.letters_support import scene
from tracker.extensions import db
from tracker.models import Letter, OutboxMessage

pytestmark = [pytest.mark.postgres_only, pytest.mark.today("2026-11-27")]


@pytest.fixture(autouse=True)
def _postgres(is_postgres):
    if not is_postgres:
        pytest.skip("races need PostgreSQL (SQLite serialises writers)")


def test_two_runs_at_once_issue_each_letter_once(app):
    from datetime import date

    from tracker.letters.issue import run_letters

    scene()
    day = date(2026, 11, 27)
    outcomes = race(
        app, (lambda: (), lambda: run_letters(day)), (lambda: (), lambda: run_letters(day))
    )
    assert outcomes == ["won", "won"], outcomes
    db.session.expire_all()
    numbers = db.session.scalars(select(Letter.number).order_by(Letter.number)).all()
    assert numbers == ["〔2026〕催办第1号", "〔2026〕督办第1号"]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2


def test_hand_issued_letters_never_share_a_number(app):
    from tests import factories
    from tests.conftest import make_department, make_user
    from tracker.letters.operations import issue_letter

    office = make_user("office", make_department("督查办", kind="office"))
    dept = make_department("局")
    plan = factories.make_plan()
    items = [factories.make_item(plan, dept) for _ in range(4)]
    db.session.commit()
    ids = [item.id for item in items]

    def job(item_id):
        return (
            lambda: (),
            lambda: issue_letter(office_row(), level="yellow", item_ids=[item_id], note="催办"),
        )

    def office_row():
        from tracker.models import User

        return db.session.get(User, office.id)

    outcomes = race(app, *(job(i) for i in ids))
    assert outcomes == ["won"] * 4, outcomes
    db.session.expire_all()
    serials = sorted(db.session.scalars(select(Letter.serial)))
    assert serials == [1, 2, 3, 4]


def test_a_reply_and_a_cancel_cannot_both_win(app, runner):
    from tests.letters_support import issued
    from tracker.letters.operations import cancel_letter, reply_to_letter
    from tracker.models import User

    s = scene()
    orange, _ = issued(runner, s)

    def load(user_id):
        return lambda: (db.session.get(User, user_id), db.session.get(Letter, orange.id))

    result = race_pair(
        app,
        (
            load(s.liaison.id),
            lambda user, letter: reply_to_letter(user, letter, "已办", expected_version=1),
        ),
        (
            load(s.office_user.id),
            lambda user, letter: cancel_letter(user, letter, "误发", expected_version=1),
        ),
    )
    assert sorted(result.values()) in (
        ["conflict", "won"],
        ["invalid_transition", "won"],
        ["stale_version", "won"],
    ), result
    db.session.expire_all()
    assert db.session.get(Letter, orange.id).state in ("replied", "cancelled")
