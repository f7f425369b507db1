"""Rule files and a scene for the assessment tests."""

from __future__ import annotations

from datetime import date, datetime

from tests.factories import make_department, make_item, make_period, make_plan, make_report
from tracker.assessment.operations import import_rules
from tracker.assessment.parsing import parse_rules
from tracker.extensions import db
from tracker.models import Letter

HEADER = "year_from,year_to,base,category,cap,event,points\n"

RULES_2025 = HEADER + (
    "2025,,100,报送,10,report_on_time,0.5\n"
    "2025,,100,报送,10,report_late,-1\n"
    "2025,,100,报送,10,report_missing,-3\n"
    "2025,,100,报送,10,report_returned,-0.5\n"
    "2025,,100,质量,5,grade_excellent,1\n"
    "2025,,100,质量,5,grade_poor,-1\n"
    "2025,,100,落实,20,item_completed_on_time,2\n"
    "2025,,100,落实,20,item_completed_late,-1\n"
    "2025,,100,落实,20,item_overdue,-2\n"
    "2025,,100,指标,,indicator_met,1\n"
    "2025,,100,指标,,indicator_not_met,-1\n"
    "2025,,100,指标,,binding_indicator_met,2\n"
    "2025,,100,指标,,binding_indicator_not_met,-4\n"
)


def store_rules(text: str = RULES_2025):
    created = import_rules(None, parse_rules(text), now=datetime(2025, 1, 2))
    db.session.flush()
    return created


def utc(day: date, hour: int = 2) -> datetime:
    """A naive UTC instant on `day` (10:00 in Shanghai at the default hour)."""
    return datetime(day.year, day.month, day.day, hour)


def scene():
    """Two departments, one plan with 2025's four quarters and 2026's first, reports of
    every kind. Returns a namespace of the rows."""
    plan = make_plan(start_year=2021, end_year=2025)
    a = make_department("甲局", name="绍兴市甲局")
    b = make_department("乙局", name="绍兴市乙局")
    make_department("办公室", kind="office", name="绍兴市督办办")
    q1 = make_period(plan, "2025Q1", date(2025, 1, 1), date(2025, 3, 31), date(2025, 4, 8))
    q2 = make_period(plan, "2025Q2", date(2025, 4, 1), date(2025, 6, 30), date(2025, 7, 7))
    make_period(plan, "2026Q1", date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 8))
    created = datetime(2024, 12, 1)
    a1 = make_item(plan, a, code="一.1", due=date(2025, 6, 30), created_at=created)
    a2 = make_item(plan, a, code="一.2", due=date(2025, 9, 30), created_at=created)
    b1 = make_item(plan, b, code="二.1", due=date(2025, 3, 31), created_at=created)
    # a1: Q1 on time and graded excellent, Q2 late and returned once.
    make_report(
        a1,
        q1,
        "verified",
        quality_grade="excellent",
        revisions=[(utc(date(2025, 4, 3)), "verified")],
    )
    make_report(
        a1,
        q2,
        "verified",
        revisions=[(utc(date(2025, 7, 9)), "returned"), (utc(date(2025, 7, 10)), "verified")],
    )
    # a2: Q1 missing, Q2 on time (graded poor).
    make_report(
        a2, q2, "verified", quality_grade="poor", revisions=[(utc(date(2025, 7, 1)), "verified")]
    )
    # b1: Q1 on time; completed on its due date (local), so it owes no Q2 report.
    make_report(b1, q1, "verified", revisions=[(utc(date(2025, 4, 1)), "verified")])
    b1.status = "completed"
    b1.completed_at = datetime(2025, 3, 31, 15)  # 23:00 on 31 March in Shanghai
    a1.status = "completed"
    a1.completed_at = datetime(2025, 7, 1, 2)  # a day after its due date
    # Letters (issue #18): 甲局 a yellow and a red one; 乙局's orange one was cancelled.
    yellow = make_letter(a, "yellow", date(2025, 5, 10), items=[a2])
    red = make_letter(a, "red", date(2025, 8, 1), items=[a2])
    make_letter(b, "orange", date(2025, 6, 1), state="cancelled")
    db.session.flush()
    return type(
        "Scene",
        (),
        dict(plan=plan, a=a, b=b, a1=a1, a2=a2, b1=b1, q1=q1, q2=q2, yellow=yellow, red=red),
    )


_serials = iter(range(1, 10_000))


def make_letter(department, level: str, issued_on: date, *, state: str = "issued", items=()):
    """A supervision letter row as the letters area (#18) stores it."""
    serial = next(_serials)
    letter = Letter(
        year=issued_on.year,
        level=level,
        serial=serial,
        number=f"〔{issued_on.year}〕{level}第{serial}号",
        department_id=department.id,
        state=state,
        reasons=[],
        issued_on=issued_on,
        reply_due=issued_on,
        dedupe_key=f"test:{serial}",
    )
    letter.items = list(items)
    db.session.add(letter)
    db.session.flush()
    return letter
