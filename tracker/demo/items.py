"""The demo's work items: plausible owners for every Shaoxing item, and the plan's story.

Every row is demo data (`is_demo`, texts marked （演示）). The story is told relative to
the `now` the demo is loaded at, without moving the plan's own dates (2021–2025): the
plan period is over, most items were verified and closed (销号), some are overdue, some
have approved extensions into the next years, one extension waits for a decision and one
was refused, and the period in focus has reports in every state. Each featured liaison
(市发改委, 市市场监管局, 市经信局) and the office find overdue, due-soon, submitted,
returned and verified items on their first screen. A handful of items are linked to the
indicator they serve (标准 → the standards indicators, 品牌 → the brand ones, …). Idempotent:
it assigns only items without a lead, links only items without an indicator, and tells the
story only while the plan has no reports at all.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import exists, select

from tracker import clock
from tracker.demo.plan import DEMO_PLAN_TITLE, import_demo_plan
from tracker.demo.story import Story, at
from tracker.extensions import db
from tracker.items.generate import generate_items_from_plan
from tracker.items.operations import assign_item, update_item
from tracker.models import Indicator, Plan, Report, User, WorkItem
from tracker.periods import ensure_periods

logger = logging.getLogger(__name__)


# (keywords in the title, else the text) → lead department, co-departments. First match.
OWNER_RULES: list[tuple[tuple[str, ...], str, tuple[str, ...]]] = [
    (("装配式", "建筑", "工程质量"), "jsj", ("zrzyj", "jtj")),
    (("服务业",), "fgw", ("swj", "wglyj")),
    (("产业结构", "能源"), "fgw", ("jxj", "sthjj")),
    (("五水共治", "碧水"), "sthjj", ("slj",)),
    (("净土",), "sthjj", ("zrzyj", "nyncj")),
    (("无废", "环境", "生态"), "sthjj", ("jsj", "fgw")),
    (("农产品", "农业"), "nyncj", ("scjgj",)),
    (("食品药品", "药品"), "scjgj", ("wjw",)),
    (("消费",), "scjgj", ("swj", "xbw")),
    (("品字标",), "scjgj", ("jxj",)),
    (("品牌",), "jxj", ("scjgj", "swj")),
    (("制造业", "智造", "数字化"), "jxj", ("kjj",)),
    (("科技创新",), "kjj", ("jxj", "scjgj")),
    (("知识产权",), "scjgj", ("kjj",)),
    (("压力容器", "特种设备", "安全监管"), "scjgj", ("yjj",)),
    (("信用",), "scjgj", ("fgw",)),
    (("依法",), "scjgj", ("sfj", "gaj")),
    (("质量文化",), "scjgj", ("xcb", "jyj")),
    (("社会责任",), "scjgj", ("zgh",)),
    (("社会监督",), "scjgj", ("xbw",)),
    (("标杆", "标准"), "scjgj", ("jxj",)),
]
DEFAULT_OWNERS = ("scjgj", ("fgw",))
# (keywords in the item's title) → a word of the indicator's name. First match wins; items
# matching nothing stay unlinked, as most of a real plan's items would.
INDICATOR_RULES: list[tuple[tuple[str, ...], str]] = [
    (("品字标",), "品牌企业"),  # 新增“品字标”品牌企业
    (("绍兴建筑", "工程质量"), "优质工程"),  # 新增“鲁班奖”“国家优质工程奖”等国家级优质工程
    (("装配式",), "装配式建筑"),  # 装配式建筑占新建建筑比例
    (("标准化服务",), "标准化技术委员会"),
    (("先进标准",), "领跑者"),  # 新增企业标准“领跑者”
    (("标准",), "国际标准"),  # 为主新制（修）订国际标准、国家标准
    (("品牌",), "商标品牌"),  # 新增产业集群商标品牌
    (("知识产权", "专利"), "发明专利"),  # 每万人高价值发明专利拥有量
    (("无废城市",), "无废城市"),  # 完成全域“无废城市”建设
]
# Words in the text that bring another unit in as co-department.
TEXT_CO = [
    ("金融", "jrb"),
    ("税", "swuj"),
    ("海关", "hg"),
    ("出口", "hg"),
    ("统计", "tjj"),
    ("人才", "rsj"),
    ("财政", "czj"),
    ("大数据", "dsjj"),
    ("医保", "ybj"),
]


def owners_for(title: str, text: str) -> tuple[str, list[str]]:
    """A plausible lead and co-departments (demo codes) from an item's words."""
    lead, co = None, ()
    for source in (title or "", text or ""):
        for keywords, rule_lead, rule_co in OWNER_RULES:
            if any(k in source for k in keywords):
                lead, co = rule_lead, rule_co
                break
        if lead:
            break
    if lead is None:
        lead, co = DEFAULT_OWNERS
    extra = [code for word, code in TEXT_CO if word in (text or "")]
    cos = [c for c in dict.fromkeys([*co, *extra]) if c != lead][:3]
    return lead, cos


def indicator_for(title: str, indicators) -> int | None:
    """The id of the indicator (id, name) a title's keywords point to, or None."""
    for keywords, word in INDICATOR_RULES:
        if any(k in (title or "") for k in keywords):
            return next((i.id for i in indicators if word in i.name), None)
    return None


def link_indicators(plan: Plan, now: datetime) -> int:
    """Link the plan's unlinked items to the indicator they serve, through the real edit
    (audited, version-guarded) as the system: closed items may be linked too."""
    indicators = db.session.execute(
        select(Indicator.id, Indicator.name).where(Indicator.plan_id == plan.id)
    ).all()
    unlinked = db.session.scalars(
        select(WorkItem)
        .where(
            WorkItem.plan_id == plan.id,
            WorkItem.indicator_id.is_(None),
            WorkItem.retired_at.is_(None),
        )
        .order_by(WorkItem.id)
    ).all()
    linked = 0
    for item in unlinked:
        indicator_id = indicator_for(item.title, indicators)
        if indicator_id is None:
            continue
        update_item(
            None,
            item,
            expected_version=None,
            title=item.title,
            code=item.code,
            description=item.description,
            deliverable=item.deliverable,
            due_date=item.due_date,
            priority=item.priority,
            indicator_id=indicator_id,
            now=now,
        )
        linked += 1
    return linked


def _find_plan(result, departments, now):
    plan = db.session.scalar(
        select(Plan).where(Plan.title == DEMO_PLAN_TITLE).order_by(Plan.id).limit(1)
    )
    if plan is not None:
        return plan
    return import_demo_plan(result, departments, now)


def load_items_demo(result, departments, now: datetime | None = None) -> None:
    """The demo step: items with owners, periods through today, and the reporting story."""
    now = now or clock.now()
    today = clock.today(now)
    plan = _find_plan(result, departments, now)
    if plan is None:
        return
    start = at(date(plan.start_year, 1, 10))
    created = generate_items_from_plan(None, plan, is_demo=True, now=start)
    ensure_periods(plan, today)
    office = db.session.scalar(select(User).where(User.username == "office"))
    items = db.session.scalars(
        select(WorkItem).where(WorkItem.plan_id == plan.id).order_by(WorkItem.id)
    ).all()
    assigned = 0
    for item in items:
        if item.lead_department_id is not None or item.retired_at is not None:
            continue
        lead, cos = owners_for(item.title, item.description)
        item.is_demo = True
        assign_item(
            office,
            item,
            expected_version=None,
            lead_department_id=departments[lead].id,
            co_department_ids=[departments[c].id for c in cos if c in departments],
            now=start + timedelta(days=5),
        )
        assigned += 1
    linked = link_indicators(plan, start + timedelta(days=5))
    result.messages.append(
        f"work items: {len(created)} created, {assigned} assigned to demo owners, "
        f"{linked} linked to indicators (演示数据)"
    )
    has_reports = db.session.scalar(
        select(exists().where(Report.item_id == WorkItem.id, WorkItem.plan_id == plan.id))
    )
    if has_reports:
        result.messages.append("work items: the plan has reports already; story not replayed")
        return
    Story(plan, departments, office, now).tell(result)
