"""Rows for the notification tests, created directly with the models (no other area's code)."""

from __future__ import annotations

import json
from datetime import date

from tests import factories
from tests.conftest import make_department, make_user
from tests.factories import make_period  # noqa: F401  (re-exported for the notify tests)
from tracker.extensions import db
from tracker.models import OutboxMessage, Plan, Report

_n = {"item": 0}


def make_plan(**fields) -> Plan:
    return factories.make_plan(**fields)


def make_item(department, due: date | None, *, plan=None, code=None, title=None, **fields):
    """An item led by `department`, due on `due` (never extended)."""
    _n["item"] += 1
    return factories.make_item(
        plan,
        department,
        due=due,
        original_due_date=due,
        code=code or f"三.{_n['item']}.(1)",
        title=title or f"推进质量提升行动{_n['item']}",
        **fields,
    )


def make_report(item, period, state: str) -> Report:
    return factories.make_report(item, period, state, review_comment=None)


def department_with_liaisons(short_name: str, *emails: str | None, **fields):
    department = make_department(short_name, **fields)
    users = [make_user("liaison", department, email=email) for email in emails]
    return department, users


def office(*emails: str):
    department = make_department("市质量强市办", kind="office")
    users = [make_user("office", department, email=email) for email in emails]
    return department, users


def cli(runner, *args):
    """Run `flask notify …` after committing what the test created."""
    db.session.commit()
    result = runner.invoke(args=["notify", *args])
    db.session.expire_all()
    return result


def cli_json(runner, *args) -> list[dict]:
    result = cli(runner, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def outbox_keys() -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(db.select(OutboxMessage.dedupe_key)))
