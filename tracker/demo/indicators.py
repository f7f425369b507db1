"""Demo indicator data for the Shaoxing plan: responsible departments and yearly values.

Values are plausible, not real (every row is flagged `is_demo`), and chosen so that each
status appears: met / not met (floors), on track / behind / far behind (target values and
cumulative counts), met / not met (the rank), done / not yet (milestones), with at least one
binding (约束性) warning. For the last year one value each is left in draft, submitted and
returned, so the review flow has something to show. Idempotent: existing values and
assignments are never touched.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from tracker import clock
from tracker.demo.plan import DEMO_PLAN_TITLE
from tracker.extensions import db
from tracker.indicators.specs import spec_for
from tracker.indicators.status import validate_value
from tracker.models import Indicator, IndicatorValue, Plan, User
from tracker.workflow import ReviewState

logger = logging.getLogger(__name__)


# Keyword in the indicator's name → demo department code (tracker/demo/departments.json).
# First match wins; anything else goes to 市市场监管局, which hosts the office.
DEPARTMENT_RULES = [
    ("农产品", "nyncj"),  # 市农业农村局
    ("药", "scjgj"),
    ("食品", "scjgj"),
    ("装配式建筑", "jsj"),  # 市建设局
    ("鲁班奖", "jsj"),
    ("工程", "jsj"),
    ("服务业", "fgw"),  # 市发改委
    ("空气", "sthjj"),  # 市生态环境局
    ("无废城市", "sthjj"),
    ("生态文明", "sthjj"),
    ("产业集群", "jxj"),  # 市经信局
    ("R&D", "kjj"),  # 市科技局
    ("高新技术企业", "kjj"),
    ("专利", "scjgj"),
    ("知识产权", "scjgj"),
    ("质量", "scjgj"),
    ("标准", "scjgj"),
    ("品牌", "scjgj"),
]
DEFAULT_DEPARTMENT = "scjgj"

# Indicator number → verified values for 2021 … 2025 (cumulative kinds: the year's addition).
DEMO_SERIES: dict[int, list] = {
    1: [96.8, 97.1, 96.9, 97.3, 97.5],  # floor 96: met every year
    2: [98.7, 98.9, 98.4, 98.8, 99.0],
    3: [100, 99.8, 99.9, 100, 99.7],
    4: [98.6, 98.9, 98.3, 98.8, 98.9],
    5: [33.0, 35.5, 37.8, 39.2, 40.6],  # floor 40, binding: not met until 2025 (submitted)
    6: [3350, 3560, 3780, 3990, 4150],  # 3070 → 4300: behind in the end
    7: [23.1, 23.5, 23.9, 24.2, 24.5],  # 22.6 → 28.6: far behind
    8: [93.2, 91.5, 88.7, 91.0, 89.6],  # floor 90, binding: not met in 2025 → 预警
    9: ["未完成", "未完成", "完成", "完成", "完成"],  # milestone: done in 2023
    10: ["未完成", "未完成", "未完成", "未完成", "未完成"],  # not yet
    11: [22, 21, 19, 20, 23],  # [100]: on track
    12: [30, 32, 35, 30, 28],  # [200]: behind
    13: [5, 4, 3, 3, 3],  # [40]: far behind
    14: [0, 1, 0, 1, 1],  # [3]: on track
    15: [2, 2, 2, 2, 2],
    16: [1, 2, 2, 2, 2],  # [10]: behind
    17: [35, 40, 42, 45, 48],
    18: [2, 3, 4, 3, 2],  # 前三: not met in 2023
    19: [3, 3, 2, 3, 4],
    20: [2.9, 3.0, 3.1, 3.2, 3.35],  # 2.8 → 3.3: on track
    21: [420, 520, 650, 800, 900],  # [3700]: behind; 2025 returned
    22: [8.9, 10.6, 12.5, 14.8, 17.8],  # 7.1 → 17: on track
    23: ["未完成", "未完成", "未完成", "未完成", "未完成"],  # not yet; 2025 in draft
}
# The last year's value of these indicators waits in the review flow instead of counting.
LAST_YEAR_STATES = {23: ReviewState.DRAFT, 5: ReviewState.SUBMITTED, 21: ReviewState.RETURNED}
RETURN_REASON = "请补充市统计局核定口径的数据来源，并附高新技术企业认定名单。"
NOTE = "演示数据：数值为模拟，仅用于展示。"


def department_code_for(name: str) -> str:
    return next((code for word, code in DEPARTMENT_RULES if word in name), DEFAULT_DEPARTMENT)


def _user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def _instant(year: int, month: int, day: int, now: datetime) -> datetime:
    return min(datetime(year, month, day, 2, 0), now)


def load_indicator_demo(result, departments: dict, now: datetime | None = None) -> None:
    """The demo step: assign departments and add the demo values (only what is missing)."""
    now = now or clock.now()
    plan = db.session.scalar(select(Plan).where(Plan.title == DEMO_PLAN_TITLE))
    if plan is None:
        logger.info("demo plan not imported: no indicator demo data")
        return
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.plan_id == plan.id).order_by(Indicator.number)
    ).all()
    existing = {
        (row.indicator_id, row.year)
        for row in db.session.execute(
            select(IndicatorValue.indicator_id, IndicatorValue.year).where(
                IndicatorValue.indicator_id.in_([i.id for i in indicators])
            )
        )
    }
    office = _user("office")
    last_year = min(plan.end_year, now.year - 1)
    assigned = added = 0
    for indicator in indicators:
        if indicator.department_id is None:
            department = departments.get(department_code_for(indicator.name))
            if department is not None:
                indicator.department_id = department.id
                assigned += 1
        code = next((c for c, d in departments.items() if d.id == indicator.department_id), None)
        author = _user(f"liaison-{code}") if code else None
        series = DEMO_SERIES.get(indicator.number, [])
        for year, value in zip(range(plan.start_year, plan.end_year + 1), series, strict=False):
            if year > last_year or (indicator.id, year) in existing:
                continue
            state = (
                LAST_YEAR_STATES.get(indicator.number, ReviewState.VERIFIED)
                if year == last_year
                else ReviewState.VERIFIED
            )
            db.session.add(_demo_value(indicator, year, value, state, author, office, now))
            added += 1
    db.session.flush()
    result.messages.append(
        f"indicators: {assigned} assigned to departments, {added} demo values added (DEMO DATA)"
    )


def _demo_value(indicator, year, value, state, author, office, now) -> IndicatorValue:
    parsed = validate_value(spec_for(indicator), str(value))
    is_text = isinstance(parsed, str)
    number = None if is_text else float(parsed)
    text = parsed if is_text else (str(int(number)) if number.is_integer() else repr(number))
    row = IndicatorValue(
        indicator_id=indicator.id,
        year=year,
        value_text=text,
        value_number=number,
        note=NOTE,
        state=state.value,
        author_id=author.id if author else None,
        is_demo=True,
    )
    if state is not ReviewState.DRAFT:
        row.submitted_at = _instant(year + 1, 2, 20, now)
    if state in (ReviewState.VERIFIED, ReviewState.RETURNED):
        row.reviewer_id = office.id if office else None
        row.reviewed_at = _instant(year + 1, 3, 5, now)
    if state is ReviewState.RETURNED:
        row.review_comment = RETURN_REASON
    return row
