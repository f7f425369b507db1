"""The indicator demo step: departments and values for the Shaoxing plan, every status shown."""

import os
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tracker.demo import DemoResult, load_departments
from tracker.demo.indicators import DEMO_PLAN_TITLE, department_code_for, load_indicator_demo
from tracker.extensions import db
from tracker.indicators.queries import binding_warnings, status_grid
from tracker.models import Indicator, IndicatorValue, Plan
from tracker.plans.operations import import_plan
from tracker.plans.parser import parse_plan

NOW = datetime(2026, 11, 27, 2, 0)
pytestmark = pytest.mark.today(NOW.date().isoformat())
CANDIDATES = [
    Path(os.environ.get("PLAN_SAMPLES_DIR", "/work/shared/plans"))
    / "shaoxing-quality-14th-fyp.txt",
    Path(__file__).resolve().parent.parent / "tracker" / "demo" / "shaoxing-quality-14th-fyp.txt",
]


def _plan_text() -> str:
    for path in CANDIDATES:
        if path.exists():
            return path.read_text(encoding="utf-8")
    pytest.skip("the Shaoxing plan text is not available here")


@pytest.fixture
def departments():
    return load_departments()


def _import_demo_plan():
    text = _plan_text()
    return import_plan(None, parse_plan(text), text, title=DEMO_PLAN_TITLE, period=(2021, 2025))


def test_without_the_demo_plan_the_step_does_nothing(departments):
    result = DemoResult()
    load_indicator_demo(result, departments, NOW)
    assert db.session.scalar(select(func.count()).select_from(IndicatorValue)) == 0
    assert result.messages == []


def test_departments_by_keyword():
    assert department_code_for("农产品质量安全检测合格率") == "nyncj"
    assert department_code_for("装配式建筑占新建建筑比例") == "jsj"
    assert department_code_for("R&D经费支出占 GDP比重") == "kjj"
    assert department_code_for("新增“品字标浙江制造”标准") == "scjgj"


def test_demo_shows_every_status_a_warning_and_each_review_state(departments, factories):
    office = factories.user("office", departments["zqb"], username="office")
    factories.user("liaison", departments["scjgj"], username="liaison-scjgj")
    plan = _import_demo_plan()
    load_indicator_demo(DemoResult(), departments, NOW)
    db.session.flush()
    indicators = db.session.scalars(select(Indicator).where(Indicator.plan_id == plan.id)).all()
    assert all(i.department_id for i in indicators)
    by_number = {i.number: i for i in indicators}
    assert by_number[2].department_id == departments["nyncj"].id
    assert by_number[20].department_id == departments["kjj"].id

    grid = status_grid(plan, date(2026, 11, 27))
    seen = {cell.status.value for row in grid.rows for cell in row.cells}
    expected = {"met", "not_met", "on_track", "behind", "far_behind", "done", "not_yet"}
    assert expected <= seen
    assert grid.warnings  # at least one binding indicator raises 预警
    assert any(w["number"] == 8 for w in binding_warnings(date(2026, 11, 27)))

    values = db.session.scalars(select(IndicatorValue)).all()
    assert all(v.is_demo for v in values)
    states_2025 = {v.state for v in values if v.year == 2025}
    assert {"draft", "submitted", "returned", "verified"} <= states_2025
    returned = next(v for v in values if v.state == "returned")
    assert returned.review_comment and returned.reviewer_id == office.id
    scjgj_ids = {i.id for i in indicators if i.department_id == departments["scjgj"].id}
    assert all(v.author_id for v in values if v.indicator_id in scjgj_ids)


def test_demo_is_idempotent_and_keeps_the_office_changes(departments):
    plan = _import_demo_plan()
    load_indicator_demo(DemoResult(), departments, NOW)
    count = db.session.scalar(select(func.count()).select_from(IndicatorValue))
    first = db.session.scalar(select(Indicator).where(Indicator.plan_id == plan.id))
    first.department_id = departments["fgw"].id
    db.session.flush()
    result = DemoResult()
    load_indicator_demo(result, departments, NOW)
    assert db.session.scalar(select(func.count()).select_from(IndicatorValue)) == count
    assert first.department_id == departments["fgw"].id
    assert "0 demo values added" in result.messages[0]


def test_demo_loaded_earlier_in_time_only_fills_past_years(departments):
    _import_demo_plan()
    load_indicator_demo(DemoResult(), departments, datetime(2023, 5, 1))
    years = set(db.session.scalars(select(IndicatorValue.year)))
    assert years == {2021, 2022}
    assert db.session.scalar(select(Plan.title)) == DEMO_PLAN_TITLE
