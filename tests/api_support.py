"""Seed data and helpers for the API tests: two departments, the office, a plan with a
node tree, items, a report, an indicator with values, and tokens for each role."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.conftest import make_department, make_user
from tracker.extensions import db

TODAY = date(2026, 11, 27)


@dataclass
class Seed:
    office_dept: object
    dept_a: object
    dept_b: object
    office: object
    admin: object
    leader: object
    liaison_a: object
    liaison_b: object
    plan: object
    section: object
    item_a: object  # led by A, co-owned by B
    item_b: object  # led by B
    item_overdue: object  # led by A, due yesterday
    report_a: object  # item_a's draft for the period in focus
    indicator: object  # A's floor indicator
    value_verified: object
    value_submitted: object
    tokens: dict = field(default_factory=dict)

    def auth(self, who: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def seed_api(app, monkeypatch, today=None) -> Seed:
    """Everything the API tests read and change; committed, tokens created. The pages' and
    the API's clock is pinned to `today` (TRACKER_TODAY)."""
    today = today or TODAY
    monkeypatch.setitem(app.config, "TRACKER_TODAY", today.isoformat())
    from tracker.api.tokens import create_token
    from tracker.models import (
        Indicator,
        IndicatorValue,
        Plan,
        PlanNode,
        Report,
        WorkItem,
    )
    from tracker.periods import ensure_periods, focus_period

    office_dept = make_department("质量办", kind="office")
    dept_a = make_department("市发改委")
    dept_b = make_department("市经信局")
    office = make_user("office", office_dept)
    admin = make_user("admin", office_dept)
    leader = make_user("leader", office_dept)
    liaison_a = make_user("liaison", dept_a)
    liaison_b = make_user("liaison", dept_b)

    plan = Plan(
        title="绍兴市测试“十四五”规划",
        doc_number="绍政发〔2021〕1号",
        start_year=2021,
        end_year=2025,
        source_sha256="0" * 64,
    )
    db.session.add(plan)
    db.session.flush()
    chapter = PlanNode(plan_id=plan.id, kind="chapter", number="三", title="重点任务", code="三")
    db.session.add(chapter)
    db.session.flush()
    section = PlanNode(
        plan_id=plan.id,
        parent_id=chapter.id,
        kind="section",
        number="（一）",
        title="提升质量",
        code="三.(一)",
        depth=1,
        position=1,
    )
    db.session.add(section)
    db.session.flush()
    task = PlanNode(
        plan_id=plan.id,
        parent_id=section.id,
        kind="task",
        number="1",
        title="加强监管",
        text="完善质量监管体系。",
        code="三.1",
        depth=2,
        position=2,
    )
    db.session.add(task)
    db.session.flush()

    def item(code, lead, due, co=()):
        row = WorkItem(
            plan_id=plan.id,
            code=code,
            title=f"任务{code}",
            lead_department_id=lead.id,
            start_date=date(2026, 1, 1),
            due_date=due,
            section_node_id=section.id,
            source_node_id=task.id,
        )
        row.co_departments = list(co)
        db.session.add(row)
        db.session.flush()
        return row

    item_a = item("三.1.(1)", dept_a, today + timedelta(days=30), co=[dept_b])
    item_b = item("三.1.(2)", dept_b, today + timedelta(days=60))
    item_overdue = item("三.1.(3)", dept_a, today - timedelta(days=1))

    ensure_periods(plan, today)
    period = focus_period(plan.id, today)
    report_a = Report(
        item_id=item_a.id,
        period_id=period.id,
        state="draft",
        narrative="进展顺利",
        progress=40,
        author_id=liaison_a.id,
    )
    db.session.add(report_a)

    indicator = Indicator(
        plan_id=plan.id,
        number=1,
        category="质量建设",
        name="制造业产品质量合格率",
        unit="%",
        baseline=96.0,
        baseline_text="96",
        target=96.0,
        target_text="不低于96",
        attribute="约束性",
        kind="floor",
        department_id=dept_a.id,
    )
    db.session.add(indicator)
    db.session.flush()
    value_verified = IndicatorValue(
        indicator_id=indicator.id,
        year=2023,
        value_text="97.1",
        value_number=97.1,
        state="verified",
    )
    value_submitted = IndicatorValue(
        indicator_id=indicator.id,
        year=2024,
        value_text="95.2",
        value_number=95.2,
        state="submitted",
    )
    db.session.add_all([value_verified, value_submitted])
    db.session.flush()

    seed = Seed(
        office_dept,
        dept_a,
        dept_b,
        office,
        admin,
        leader,
        liaison_a,
        liaison_b,
        plan,
        section,
        item_a,
        item_b,
        item_overdue,
        report_a,
        indicator,
        value_verified,
        value_submitted,
    )
    for who in ("office", "admin", "leader", "liaison_a", "liaison_b"):
        _token, text = create_token(None, getattr(seed, who), name=f"{who} token")
        seed.tokens[who] = text
    db.session.commit()
    return seed
