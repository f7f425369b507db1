"""Rows for the notification tests, created directly with the models (no other area's code)."""

from __future__ import annotations

import json
from datetime import date

from tests.conftest import make_department, make_user
from tracker.extensions import db
from tracker.models import OutboxMessage, Plan, Report, ReportingPeriod, WorkItem

_n = {"item": 0}


def make_plan(**fields) -> Plan:
    plan = Plan(
        title=fields.pop("title", "绍兴市质量发展“十四五”规划"),
        start_year=fields.pop("start_year", 2021),
        end_year=fields.pop("end_year", 2025),
        source_sha256=fields.pop("source_sha256", "0" * 64),
        **fields,
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def make_item(department, due: date | None, *, plan=None, code=None, title=None, **fields):
    _n["item"] += 1
    item = WorkItem(
        plan=plan or make_plan(),
        code=code or f"三.{_n['item']}.(1)",
        title=title or f"推进质量提升行动{_n['item']}",
        lead_department_id=department.id if department is not None else None,
        due_date=due,
        original_due_date=due,
        status=fields.pop("status", "in_progress"),
        **fields,
    )
    db.session.add(item)
    db.session.flush()
    return item


def make_period(plan, label: str, start: date, end: date, deadline: date) -> ReportingPeriod:
    period = ReportingPeriod(
        plan_id=plan.id, label=label, start_date=start, end_date=end, deadline=deadline
    )
    db.session.add(period)
    db.session.flush()
    return period


def make_report(item, period, state: str) -> Report:
    report = Report(item_id=item.id, period_id=period.id, state=state, review_comment=None)
    db.session.add(report)
    db.session.flush()
    return report


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
