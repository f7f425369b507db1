"""Work items from an imported plan: one per leaf task or item of the key-task chapters and
one per 专栏, each coded back to its source (`三.1.(2)`, `专栏5`).

The key-task chapters are found without knowing the plan: chapters whose title says 任务
(重点任务, 主要任务) when there are any; otherwise every chapter that is not framing
(background, guiding ideas, overall goals, safeguards); failing that, the chapter with the
most structure. Shaoxing's 三、重点任务 gives 25 items + 9 leaf tasks + 12 专栏 = 46; the
Anhui plan, whose chapters hold only sections and 专栏 with numbered entries, gives one item
per leaf section and one per 专栏 (its entries stay in the description, to be split).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from tracker import clock
from tracker.access import require_role
from tracker.audit import audit
from tracker.extensions import db
from tracker.items.operations import create_item, next_free_code
from tracker.items.responsibility import assignment_for, department_index
from tracker.models import Plan, PlanNode, WorkItem
from tracker.periods import ensure_periods
from tracker.workflow import Action

logger = logging.getLogger(__name__)

TASK_WORD = "任务"
# Chapters that frame a plan rather than assign work.
FRAMING_WORDS = (
    "背景",
    "发展基础",
    "现实基础",
    "形势",
    "总体要求",
    "指导思想",
    "基本原则",
    "总体目标",
    "发展目标",
    "主要目标",
    "保障",
    "组织实施",
    "实施机制",
    "附则",
    "附件",
)
STRUCTURE_KINDS = ("section", "task", "item")


@dataclass(frozen=True)
class Candidate:
    """A node that becomes a work item, with the top section it belongs to."""

    node_id: int
    section_id: int | None


def key_chapter_ids(nodes) -> list[int]:
    """Ids of the chapters holding the plan's assignable work (see the module docstring)."""
    children = _children(nodes)
    chapters = [n for n in nodes if n.kind == "chapter" and n.parent_id is None]
    with_work = [c for c in chapters if children[c.id]]
    tasked = [c for c in with_work if TASK_WORD in (c.title or "")]
    if tasked:
        return [c.id for c in tasked]
    substantive = [c for c in with_work if not _framing(c)]
    if substantive:
        return [c.id for c in substantive]
    if with_work:
        return [max(with_work, key=lambda c: _count_descendants(c.id, children)).id]
    return []


def _framing(chapter) -> bool:
    return any(word in (chapter.title or "") for word in FRAMING_WORDS)


def _children(nodes) -> dict:
    children = defaultdict(list)
    for node in sorted(nodes, key=lambda n: n.position):
        children[node.parent_id].append(node)
    return children


def _count_descendants(node_id, children) -> int:
    return sum(1 + _count_descendants(c.id, children) for c in children[node_id])


def item_candidates(nodes) -> list[Candidate]:
    """The nodes that become items, in document order. A plan without chapters is treated
    as one big key-task chapter."""
    children = _children(nodes)
    roots = children[None]
    if any(n.kind == "chapter" for n in roots):
        starts = [(cid, None) for cid in key_chapter_ids(nodes)]
        start_nodes = [c for cid, _ in starts for c in children[cid]]
    else:
        start_nodes = roots
    found: list[Candidate] = []

    def visit(node, section_id):
        if node.kind == "section" and section_id is None:
            section_id = node.id
        if node.kind == "column":
            found.append(Candidate(node.id, section_id))
            return  # its numbered entries are part of the column's description
        structural = [c for c in children[node.id] if c.kind in STRUCTURE_KINDS]
        if node.kind in STRUCTURE_KINDS and not structural:
            found.append(Candidate(node.id, section_id))
        for child in children[node.id]:
            visit(child, section_id)

    for node in start_nodes:
        visit(node, None)
    return found


def column_description(column, children) -> str:
    """A 专栏's text followed by its numbered entries (Anhui writes them as items)."""
    parts = [column.text or ""]
    for entry in children[column.id]:
        line = f"（{entry.number}）{entry.title}"
        parts.append(f"{line}\n{entry.text}".strip() if entry.text else line)
    return "\n".join(p for p in parts if p).strip()


def title_for(node) -> str:
    title = (node.title or "").strip()
    if title:
        return title
    text = (node.text or "").strip()
    for stop in "。；;":
        if stop in text[:80]:
            return text[: text.index(stop)]
    return text[:60] or node.code


def generate_items_from_plan(
    actor,
    plan: Plan,
    *,
    due_date: date | None = None,
    is_demo: bool = False,
    now: datetime | None = None,
) -> list[WorkItem]:
    """Create the plan's default work items; nodes that already have an item are skipped,
    so running it again creates nothing. Also creates the reporting periods through today.
    Lead and co-departments come from the node's responsibility note (names matched against
    department names and aliases) and the due date from its deadline note; without a note
    the item starts without owners (the office assigns them) and is due at the plan's end."""
    now = now or clock.now()
    require_role(actor, Action.EDIT_ITEM)
    nodes = list(
        db.session.scalars(
            select(PlanNode).where(PlanNode.plan_id == plan.id).order_by(PlanNode.position)
        )
    )
    children = _children(nodes)
    by_id = {n.id: n for n in nodes}
    covered = set(
        db.session.scalars(
            select(WorkItem.source_node_id).where(
                WorkItem.plan_id == plan.id, WorkItem.source_node_id.is_not(None)
            )
        )
    )
    due = due_date or date(plan.end_year, 12, 31)
    index = department_index()
    created = []
    unknown: list[str] = []
    for candidate in item_candidates(nodes):
        if candidate.node_id in covered:
            continue
        node = by_id[candidate.node_id]
        description = (
            column_description(node, children) if node.kind == "column" else node.text or ""
        )
        assignment = assignment_for(node, by_id, index)
        unknown += [name for name in assignment.unknown if name not in unknown]
        created.append(
            create_item(
                None,
                plan,
                title=title_for(node),
                code=next_free_code(plan.id, node.code),
                description=description,
                lead_department_id=assignment.lead_department_id,
                co_department_ids=assignment.co_department_ids,
                due_date=assignment.due_date or due,
                section_node_id=candidate.section_id or _chapter_of(node, by_id),
                source_node_id=node.id,
                is_demo=is_demo,
                now=now,
            )
        )
    ensure_periods(plan, clock.today(now))
    audit(
        actor,
        "plan.items_generated",
        plan,
        now,
        after={
            "created": len(created),
            "codes": [i.code for i in created][:100],
            "unknown_departments": unknown[:100],
        },
    )
    db.session.flush()
    logger.info("generated %d work items for plan %s", len(created), plan.id)
    return created


def _chapter_of(node, by_id) -> int | None:
    while node.parent_id is not None:
        node = by_id[node.parent_id]
    return node.id if node.kind == "chapter" else None
