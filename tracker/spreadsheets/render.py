"""The office's tables as .xlsx (任务分解表, 进展情况表, 主要指标) — pure, no database.

The layout, the date cells and the formula neutralisation come from ``tracker.documents.xlsx``;
this module only says which columns each table has and how wide they may grow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from tracker.documents.xlsx import (
    PERCENT_FORMAT,
    add_sheet,
    body_row,
    fill,
    finish,
    group_row,
    header_row,
    new_workbook,
    title_row,
    to_bytes,
    write_table,
)

DECOMPOSITION_HEADERS = (
    "序号",
    "章节",
    "重点任务",
    "具体内容",
    "牵头单位",
    "配合单位",
    "完成时限",
    "进展情况",
)
# (min, max) widths in Excel character units; CJK characters count double.
_DECOMPOSITION_WIDTHS = (
    (8, 14),
    (12, 22),
    (16, 30),
    (30, 60),
    (10, 16),
    (12, 26),
    (12, 16),
    (24, 50),
)


# --- 任务分解表 --------------------------------------------------------------------------


@dataclass
class DecompositionRow:
    code: str
    section: str
    title: str
    description: str
    lead: str
    co: str
    due: date | None
    progress: str


@dataclass
class Group:
    label: str
    rows: list[DecompositionRow] = field(default_factory=list)
    position: int = 0


def render_decomposition(title: str, groups: Sequence[Group], subtitle: str | None = None) -> bytes:
    """序号 | 章节 | 重点任务 | 具体内容 | 牵头单位 | 配合单位 | 完成时限 | 进展情况, by section.

    序号 carries the item's code, so the same file can be edited and uploaded again.
    """
    workbook = new_workbook()
    ws = add_sheet(workbook, "任务分解表")
    columns = len(DECOMPOSITION_HEADERS)
    header = title_row(ws, title, columns, subtitle)
    header_row(ws, header, DECOMPOSITION_HEADERS)
    row = header + 1
    for group in groups:
        if group.label:
            group_row(ws, row, group.label, columns)
            row += 1
        for item in group.rows:
            body_row(
                ws,
                row,
                (
                    item.code,
                    item.section,
                    item.title,
                    item.description,
                    item.lead,
                    item.co,
                    item.due,
                    item.progress,
                ),
            )
            row += 1
    finish(ws, _DECOMPOSITION_WIDTHS, header + 1)
    return to_bytes(workbook)


# --- 进展情况表 --------------------------------------------------------------------------

PROGRESS_HEADERS = (
    "序号",
    "重点任务",
    "牵头单位",
    "配合单位",
    "完成时限",
    "报告期",
    "进展情况",
    "存在问题",
    "下步计划",
    "需协调事项",
    "进度",
    "序时进度",
    "实际进度",
    "状态",
    "办理状态",
    "审核时间",
    "备注",
)
_PROGRESS_WIDTHS = (
    (8, 14),
    (16, 30),
    (10, 16),
    (12, 26),
    (12, 16),
    (8, 10),
    (30, 60),
    (16, 40),
    (16, 40),
    (16, 40),
    (6, 8),
    (8, 10),
    (8, 10),
    (8, 12),
    (8, 12),
    (12, 16),
    (6, 10),
)


@dataclass
class ProgressRow:
    code: str
    title: str
    lead: str
    co: str
    due: date | None
    period: str
    narrative: str
    progress: int | None
    status: str
    verified_on: date | None
    light: str | None = None  # good / warn / bad: fills the 状态 (schedule class) cell
    # 序时进度 today (tracker/schedule.py): expected and actual progress, and the class
    # (超进度 / 达进度 / 欠进度, or why there is none yet).
    expected: int | None = None
    actual: int | None = None
    schedule: str = ""
    problems: str = ""  # 存在问题, 下步计划, 需协调事项 of the structured report
    next_steps: str = ""
    support_needed: str = ""
    on_behalf: bool = False  # 代报: the office entered the report (备注 says so)


def render_progress(title: str, rows: Sequence[ProgressRow], subtitle: str | None = None) -> bytes:
    """Each item with its latest verified report for the chosen period, and where it
    stands against time today (序时进度, 实际进度, 状态)."""
    workbook = new_workbook()
    ws = add_sheet(workbook, "进展情况表")
    first = write_table(
        ws,
        title=title,
        subtitle=subtitle,
        headers=PROGRESS_HEADERS,
        rows=[
            (
                item.code,
                item.title,
                item.lead,
                item.co,
                item.due,
                item.period,
                item.narrative,
                item.problems,
                item.next_steps,
                item.support_needed,
                None if item.progress is None else item.progress / 100,
                None if item.expected is None else item.expected / 100,
                None if item.actual is None else item.actual / 100,
                item.schedule,
                item.status,
                item.verified_on,
                "代报" if item.on_behalf else "",
            )
            for item in rows
        ],
        widths=_PROGRESS_WIDTHS,
        formats={11: PERCENT_FORMAT, 12: PERCENT_FORMAT, 13: PERCENT_FORMAT},
    )
    for offset, item in enumerate(rows):
        fill(ws, first + offset, 14, item.light)
    return to_bytes(workbook)


# --- 主要指标 ----------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    number: int
    category: str
    name: str
    unit: str
    baseline: str
    target: str
    attribute: str
    values: dict[int, float | str | None]
    fills: dict[int, str]  # year → good / warn / bad
    status: str
    warning: str


def render_indicators(
    title: str,
    years: Sequence[int],
    rows: Sequence[IndicatorRow],
    baseline_year: int,
    target_year: int,
    subtitle: str | None = None,
) -> bytes:
    """The plan's indicators with their verified yearly values, status and 预警."""
    workbook = new_workbook()
    ws = add_sheet(workbook, "主要指标")
    headers = (
        "序号",
        "类别",
        "指标",
        "单位",
        f"{baseline_year}年基期值",
        f"{target_year}年目标值",
        "属性",
        *(f"{year}年" for year in years),
        "状态",
        "预警",
    )
    widths = [(6, 8), (8, 12), (20, 40), (6, 10), (8, 14), (8, 14), (8, 10)]
    widths += [(8, 12)] * len(years) + [(8, 14), (6, 10)]
    first = write_table(
        ws,
        title=title,
        subtitle=subtitle,
        headers=headers,
        rows=[
            (
                item.number,
                item.category,
                item.name,
                item.unit,
                item.baseline,
                item.target,
                item.attribute,
                *(item.values.get(year) for year in years),
                item.status,
                item.warning,
            )
            for item in rows
        ],
        widths=widths,
    )
    first_year_column = 8
    for offset, item in enumerate(rows):
        for index, year in enumerate(years):
            fill(ws, first + offset, first_year_column + index, item.fills.get(year))
    return to_bytes(workbook)
