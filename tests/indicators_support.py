"""Small factories for the indicator tests: a plan with indicators, and yearly values."""

from __future__ import annotations

from tests import factories
from tracker.extensions import db
from tracker.models import Indicator, IndicatorValue, Plan

# (number, category, name, unit, baseline, target, attribute, kind) — the sample plan's shapes.
SAMPLE_INDICATORS = [
    (1, "质量建设", "制造业产品质量合格率", "%", 96.56, 96.0, "约束性", "floor"),
    (6, "质量建设", "服务业增加值", "亿元", 3070.0, 4300.0, "预期性", "target"),
    (9, "质量建设", "完成全域“无废城市”建设", None, None, "完成", "预期性", "milestone"),
    (11, "标准建设", "新制（修）订国际、国家标准", "个", 56.0, 100.0, "预期性", "cumulative"),
    (18, "品牌建设", "质量奖获奖企业累计数全省排名", None, 2.0, 3.0, "预期性", "rank"),
    (20, "创新驱动", "R&D经费支出占 GDP比重", "%", 2.8, 3.3, "约束性", "target"),
]


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def make_plan(
    title: str = "绍兴市质量发展“十四五”规划",
    *,
    start_year: int = 2021,
    end_year: int = 2025,
    indicators=SAMPLE_INDICATORS,
    status: str = "active",
) -> Plan:
    plan = factories.make_plan(title, start_year=start_year, end_year=end_year, status=status)
    for number, category, name, unit, baseline, target, attribute, kind in indicators:
        db.session.add(
            Indicator(
                plan=plan,
                number=number,
                category=category,
                name=name,
                unit=unit,
                baseline=baseline,
                baseline_text=_text(baseline),
                target=target if isinstance(target, float) else None,
                target_text=_text(target),
                attribute=attribute,
                cumulative=kind == "cumulative",
                kind=kind,
            )
        )
    db.session.flush()
    return plan


def indicator(plan: Plan, number: int) -> Indicator:
    return next(i for i in plan.indicators if i.number == number)


def add_value(ind: Indicator, year: int, value, state: str = "verified", **fields):
    number = None if isinstance(value, str) else float(value)
    row = IndicatorValue(
        indicator=ind,
        year=year,
        value_text=value if isinstance(value, str) else _text(float(value)),
        value_number=number,
        state=state,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row
