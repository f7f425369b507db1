"""A small scene for the letter tests: an office, two departments with liaisons, two plans
whose latest report deadlines passed 4 and 13 working days before 2026-11-27."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from tests import factories
from tests.conftest import make_department, make_user
from tracker.extensions import db

TODAY = date(2026, 11, 27)  # a Friday
NOW = datetime(2026, 11, 27, 2, 0)


@dataclass
class LetterScene:
    office: object
    office_user: object
    dept: object
    other: object
    liaison: object
    other_liaison: object
    leader: object
    yellow_item: object  # its report is 4 working days late
    orange_item: object  # its report is 13 working days late
    fine_item: object  # reported
    period_a: object
    period_b: object


def scene() -> LetterScene:
    office = make_department("督查办", kind="office")
    office_user = make_user("office", office, email="office@office.example")
    dept = make_department("发改委", head_email="head@fgw.example")
    other = make_department("住建局")
    liaison = make_user("liaison", dept, email="a@fgw.example")
    other_liaison = make_user("liaison", other, email="b@zjj.example")
    leader = make_user("leader", office)
    plan_a = factories.make_plan("规划甲")
    plan_b = factories.make_plan("规划乙")
    period_a = factories.make_period(
        plan_a, "2026-10", date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 23)
    )
    period_b = factories.make_period(
        plan_b, "2026-10", date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 10)
    )
    yellow_item = factories.make_item(plan_a, dept, code="一.1")
    fine_item = factories.make_item(plan_a, dept, code="一.2")
    factories.make_report(fine_item, period_a, "submitted")
    orange_item = factories.make_item(plan_b, dept, code="二.1")
    db.session.commit()
    return LetterScene(
        office,
        office_user,
        dept,
        other,
        liaison,
        other_liaison,
        leader,
        yellow_item,
        orange_item,
        fine_item,
        period_a,
        period_b,
    )


def run(runner, day: str = "2026-11-27", *extra: str) -> list[dict]:
    result = runner.invoke(args=["letters", "run", "--date", day, "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def bearer(user) -> dict:
    """An API token for `user`, as request headers (committed)."""
    from tracker.api.tokens import create_token

    _token, secret = create_token(None, user, name="letters test")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def issued(runner, s: LetterScene):
    """Run on 2026-11-27 and return the (orange, yellow) letters, fresh from the database."""
    from sqlalchemy import select

    from tracker.models import Letter

    run(runner)
    db.session.expire_all()
    return tuple(db.session.scalars(select(Letter).order_by(Letter.id)).all())
