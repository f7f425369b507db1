"""Factories for the work-item tests: plans, items, periods and reports in any state.

Everything goes through the real operations, so the rows look exactly like production's.
"""

from __future__ import annotations

import io
import os
from datetime import date, datetime
from pathlib import Path

import pytest

from tests import factories
from tests.conftest import make_department, make_user
from tracker.extensions import db

PLANS = Path(os.environ.get("PLAN_SAMPLES_DIR", "/work/shared/plans"))
SHAOXING = PLANS / "shaoxing-quality-14th-fyp.txt"
ANHUI = PLANS / "anhui-climate-15th-fyp.txt"

TODAY = date(2026, 11, 27)  # the focus period is 2026Q4 (Q3's deadline has passed)
NOW = datetime(2026, 11, 27, 2, 0)  # 10:00 in Shanghai

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def import_sample(path: Path = SHAOXING, title: str | None = None):
    return factories.plan_from_text(path.read_text(encoding="utf-8"), title)


def make_plan(title: str = "测试规划", start_year: int = 2021, end_year: int = 2025):
    """A small plan: chapter 三、重点任务 › section （一） › task 1 › items （1）（2） + 专栏1."""
    from tracker.models import PlanNode

    plan = factories.make_plan(title, start_year=start_year, end_year=end_year, source_text="")
    chapter = PlanNode(
        plan=plan, kind="chapter", number="三", title="重点任务", code="三", position=0
    )
    section = PlanNode(
        plan=plan,
        parent=chapter,
        kind="section",
        number="一",
        title="标准",
        code="三.(一)",
        position=1,
        depth=1,
    )
    task = PlanNode(
        plan=plan,
        parent=section,
        kind="task",
        number="1",
        title="推进标准强市建设",
        code="三.1",
        position=2,
        depth=2,
    )
    item1 = PlanNode(
        plan=plan,
        parent=task,
        kind="item",
        number="1",
        title="强化标准创新",
        text="正文一。",
        code="三.1.(1)",
        position=3,
        depth=3,
    )
    item2 = PlanNode(
        plan=plan,
        parent=task,
        kind="item",
        number="2",
        title="提升标准制订水平",
        text="正文二。",
        code="三.1.(2)",
        position=4,
        depth=3,
    )
    column = PlanNode(
        plan=plan,
        parent=item2,
        kind="column",
        number="1",
        title="标准国际化专项行动",
        text="到2025年，主导制定国际标准5项。",
        code="专栏1",
        position=5,
        depth=4,
    )
    db.session.add_all([chapter, section, task, item1, item2, column])
    db.session.flush()
    return plan


def make_item(plan=None, lead=None, co=(), *, due=date(2026, 12, 31), code=None, **fields):
    from tracker.items.operations import create_item

    plan = plan or make_plan()
    return create_item(
        None,
        plan,
        title=fields.pop("title", "测试事项"),
        code=code,
        lead_department_id=lead.id if lead is not None else None,
        co_department_ids=[d.id for d in co],
        due_date=due,
        **fields,
    )


def periods(plan, today: date = TODAY):
    from tracker.periods import ensure_periods

    return {p.label: p for p in ensure_periods(plan, today)}


def make_report(item, author, period, state: str = "draft", *, office=None, now=NOW, **fields):
    """A report driven through the real operations into `state`."""
    from tracker.items.reports import create_report, submit_report
    from tracker.review.operations import return_report, verify_report

    report = create_report(
        author,
        item,
        period,
        narrative=fields.pop("narrative", "本期推进情况：已完成调研。"),
        progress=fields.pop("progress", 40),
        completes=fields.pop("completes", False),
        sections=fields.pop("sections", None),
        now=now,
    )
    if state == "draft":
        return report
    submit_report(author, report, expected_version=report.version, now=now)
    if state == "submitted":
        return report
    office = office or make_user("office")
    if state == "returned":
        return_report(
            office, report, expected_version=report.version, reason="请补充证明材料", now=now
        )
    elif state == "verified":
        verify_report(office, report, expected_version=report.version, now=now)
    return report


class Scene:
    """A lead and a co department with liaisons, another department, office, admin, leader,
    one plan with periods through TODAY and one item owned by lead (co: co)."""

    def __init__(self, suffix: str = ""):
        s = suffix
        self.lead_dept = make_department(f"牵头局{s}")
        self.co_dept = make_department(f"配合局{s}")
        self.other_dept = make_department(f"无关局{s}")
        self.lead = make_user("liaison", self.lead_dept, username=f"lead{s}")
        self.co = make_user("liaison", self.co_dept, username=f"co{s}")
        self.other = make_user("liaison", self.other_dept, username=f"other{s}")
        self.office_dept = make_department(f"督办室{s}", kind="office")
        self.office = make_user("office", self.office_dept, username=f"office{s}")
        self.office2 = make_user("office", self.office_dept, username=f"office2{s}")
        self.admin = make_user("admin", self.office_dept, username=f"admin{s}")
        self.leader = make_user("leader", make_department(f"市政府{s}"), username=f"leader{s}")
        self.plan = make_plan()
        self.periods = periods(self.plan)
        self.focus = self.periods["2026Q4"]
        self.item = make_item(self.plan, self.lead_dept, [self.co_dept], code="三.1.(1)")
        db.session.flush()

    def users(self):
        return {
            "admin": self.admin,
            "office": self.office,
            "lead": self.lead,
            "co": self.co,
            "other": self.other,
            "leader": self.leader,
        }


def upload(name: str, data: bytes):
    """What the test client sends for a file field."""
    return (io.BytesIO(data), name)


@pytest.fixture(autouse=True)
def in_request(app):
    """Services speak the user's language, which Flask-Babel looks up in a request."""
    with app.test_request_context():
        yield


@pytest.fixture(autouse=True)
def pinned_today(app, monkeypatch):
    """Pages see TODAY, whatever the real date (import this fixture to use it)."""
    monkeypatch.setitem(app.config, "TRACKER_TODAY", TODAY)
