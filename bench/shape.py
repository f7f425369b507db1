"""The fixed vocabulary of generated data: department names, the plan template, phrases.

Every generated plan copies the structure of the Shaoxing quality plan (chapters, sections
（一）…, tasks 1．…, items （1）…, 专栏N) and its 23 indicators, so pages see real shapes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

logger = logging.getLogger(__name__)

PLAN_FILE = (
    Path(__file__).resolve().parent.parent / "tracker" / "demo" / ("shaoxing-quality-14th-fyp.txt")
)

DISTRICTS = ["市", "越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]
BUREAUS = [
    "发改委",
    "经信局",
    "教育局",
    "科技局",
    "公安局",
    "民政局",
    "司法局",
    "财政局",
    "人社局",
    "自然资源和规划局",
    "生态环境局",
    "住建局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "商务局",
    "文广旅游局",
    "卫健委",
    "退役军人事务局",
    "应急管理局",
    "审计局",
    "国资委",
    "市场监管局",
    "体育局",
    "统计局",
    "医保局",
    "综合执法局",
    "大数据局",
    "金融办",
    "投促中心",
    "供销社",
    "气象局",
    "税务局",
    "海关",
    "邮政管理局",
    "消防救援支队",
    "烟草专卖局",
    "电力公司",
    "总工会",
    "团委",
    "妇联",
    "科协",
    "工商联",
    "贸促会",
    "档案馆",
    "残联",
    "人防办",
    "机关事务局",
    "信访局",
    "粮食物资局",
]
VERTICAL = {"税务局", "海关", "邮政管理局", "消防救援支队", "烟草专卖局", "气象局"}
NON_GOVERNMENT = {"电力公司", "总工会", "团委", "妇联", "科协", "工商联", "贸促会", "残联"}
TOPICS = [
    "质量发展",
    "科技创新",
    "数字经济",
    "生态环境保护",
    "综合交通",
    "教育事业",
    "卫生健康",
    "文化旅游",
    "农业农村现代化",
    "应急管理",
    "市场监管",
    "商务发展",
    "水利发展",
    "体育事业",
    "民政事业",
    "人才发展",
    "标准化",
    "知识产权",
    "营商环境",
    "城乡建设",
]
PHRASES = [
    "本季度按计划推进各项工作",
    "召开专题推进会议",
    "制定出台实施方案",
    "开展专项督查检查",
    "完成阶段性目标任务",
    "组织第三方评估",
    "推动重点项目落地",
    "加强部门协同配合",
    "建立工作台账并动态更新",
    "开展业务培训两期",
    "形成典型经验做法",
    "完成年度考核指标",
    "推进标准制修订工作",
    "落实资金保障",
    "召开联席会议研究问题",
    "对照清单逐项销号",
    "受疫情影响部分工作顺延",
    "已报送市政府审定",
    "启动下一阶段工作",
    "完善长效管理机制",
]
RETURN_REASONS = [
    "请补充量化数据和佐证材料。",
    "进度表述与上季度不一致，请核实。",
    "缺少牵头单位盖章文件。",
    "完成情况未对照年度目标说明。",
    "请说明延期原因及下步措施。",
]


@dataclass(frozen=True)
class TemplateNode:
    index: int
    parent_index: int | None
    kind: str
    number: str
    title: str
    text: str
    code: str
    depth: int
    # Where work items come from: 三、重点任务's leaf tasks and items, and every 专栏.
    assignable: bool
    section_index: int | None


@dataclass(frozen=True)
class TemplateIndicator:
    number: int
    category: str
    name: str
    unit: str | None
    baseline: float | None
    baseline_text: str | None
    target: float | None
    target_text: str | None
    attribute: str
    cumulative: bool
    kind: str


@dataclass(frozen=True)
class PlanTemplate:
    source_text: str
    nodes: tuple[TemplateNode, ...]
    indicators: tuple[TemplateIndicator, ...]

    @property
    def assignable(self) -> list[TemplateNode]:
        return [n for n in self.nodes if n.assignable]


def _code(kind, number, chapter, task, parent_code) -> str:
    if kind == "chapter":
        return number
    if kind == "column":
        return f"专栏{number}"
    if kind == "section":
        return f"{chapter}.({number})"
    if kind == "task":
        return f"{chapter}.{number}"
    return f"{chapter}.{task}.({number})" if task else f"{parent_code}.({number})"


def _number(value):
    try:
        return float(value), None
    except (TypeError, ValueError):
        return None, (str(value) if value not in (None, "") else None)


@lru_cache(maxsize=1)
def plan_template() -> PlanTemplate:
    """The Shaoxing plan parsed once: its nodes in document order and its indicators."""
    from tracker.plans.parser import parse_plan

    text = PLAN_FILE.read_text(encoding="utf-8")
    parsed = parse_plan(text)
    nodes: list[TemplateNode] = []
    seen: set[str] = set()

    def visit(node, parent, depth, chapter, task, section_index, key_chapter):
        chapter = node.number if node.kind == "chapter" else chapter
        task = node.number if node.kind == "task" else task
        key_chapter = ("任务" in (node.title or "")) if node.kind == "chapter" else key_chapter
        index = len(nodes)
        if node.kind == "section" and section_index is None:
            section_index = index
        code = _code(node.kind, node.number, chapter, task, parent.code if parent else "")
        unique, suffix = code, 2
        while unique in seen:
            unique, suffix = f"{code}#{suffix}", suffix + 1
        seen.add(unique)
        structural = [c for c in node.children if c.kind in ("task", "item")]
        assignable = key_chapter and (
            node.kind == "column" or (node.kind in ("task", "item") and not structural)
        )
        row = TemplateNode(
            index,
            parent.index if parent else None,
            node.kind,
            node.number,
            node.title or "",
            (node.text or "")[:2000],
            unique,
            depth,
            assignable,
            section_index,
        )
        nodes.append(row)
        for child in node.children:
            visit(child, row, depth + 1, chapter, task, section_index, key_chapter)

    for root in parsed.nodes:
        visit(root, None, 0, None, None, None, False)
    indicators = []
    for ind in parsed.indicators:
        baseline, baseline_text = _number(ind.baseline)
        target, target_text = _number(ind.target)
        indicators.append(
            TemplateIndicator(
                number=ind.number,
                category=ind.category or "",
                name=ind.name,
                unit=ind.unit,
                baseline=baseline,
                baseline_text=baseline_text,
                target=target,
                target_text=target_text,
                attribute=ind.attribute or "预期性",
                cumulative=bool(ind.cumulative),
                kind=ind.kind or "target",
            )
        )
    template = PlanTemplate(text, tuple(nodes), tuple(indicators))
    if not template.assignable:
        raise RuntimeError("the plan template has no assignable nodes: did the parser change?")
    return template


def department_names(count: int) -> list[tuple[str, str, str]]:
    """(name, short name, kind) for `count` departments; the first is the office."""
    names = [("绍兴市质量强市和标准化战略领导小组办公室", "市质量强市办", "office")]
    round_number = 0
    while len(names) < count:
        for district in DISTRICTS:
            for bureau in BUREAUS:
                if len(names) >= count:
                    break
                suffix = f"第{round_number + 1}分支" if round_number else ""
                short_suffix = str(round_number + 1) if round_number else ""
                kind = (
                    "vertical"
                    if bureau in VERTICAL
                    else "non_government"
                    if bureau in NON_GOVERNMENT
                    else "government"
                )
                names.append(
                    (
                        f"绍兴{district}{bureau}{suffix}",
                        f"{district}{bureau}{short_suffix}",
                        kind,
                    )
                )
        round_number += 1
    return names[:count]
