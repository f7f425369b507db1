"""Plan operations: turning a parsed plan into Plan, PlanNode and Indicator rows."""

from __future__ import annotations

import hashlib
import re

from tracker.audit import record_event
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.models import Indicator, Plan, PlanNode
from tracker.plans.parser import Node, ParsedPlan

# 十四五 → the 14th five-year plan, 2021–2025. The 1st began in 1953; three years of
# readjustment (1963–1965) separate the 2nd from the 3rd, so the nth starts in 1951 + 5n.
_FIVE_YEAR_RE = re.compile(r"[“\"]?十([一二三四五六七八九])五[”\"]?")
_CN_DIGITS = "一二三四五六七八九"
_YEAR_SPAN_RE = re.compile(r"((?:19|20)\d{2})\s*[—\-–－~～至到]\s*((?:19|20)\d{2})")


def source_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def infer_period(title: str, text: str = "") -> tuple[int, int] | None:
    """The plan period from "十四五" in the title, or an explicit "2021—2025" span."""
    match = _FIVE_YEAR_RE.search(title or "")
    if match:
        number = 10 + _CN_DIGITS.index(match.group(1)) + 1
        start = 1951 + 5 * number
        return start, start + 4
    match = _YEAR_SPAN_RE.search(title or "") or _YEAR_SPAN_RE.search(text[:3000])
    if match:
        start, end = int(match.group(1)), int(match.group(2))
        if start <= end <= start + 15:
            return start, end
    return None


def node_code(node: Node, chapter: str | None, task: str | None, parent_code: str | None) -> str:
    """A short reference back to the source: 三, 三.(一), 三.1, 三.1.(2), 专栏5."""
    if node.kind == "chapter":
        return node.number
    if node.kind == "column":
        return f"专栏{node.number}"
    if node.kind == "section":
        return f"{chapter}.({node.number})" if chapter else f"({node.number})"
    if node.kind == "task":
        return f"{chapter}.{node.number}" if chapter else node.number
    # Items: under their task, or (inside a 专栏 or a section without tasks) their parent.
    base = (
        f"{chapter}.{task}"
        if task and parent_code and not parent_code.startswith("专栏")
        else parent_code or ""
    )
    return f"{base}.({node.number})" if base else f"({node.number})"


def _add_nodes(plan: Plan, nodes: list[Node]) -> list[PlanNode]:
    """Insert the tree depth-first; codes stay unique by adding the section when needed."""
    rows: list[PlanNode] = []
    seen_codes: set[str] = set()

    def visit(node: Node, parent: PlanNode | None, depth: int, chapter, section, task):
        chapter = node.number if node.kind == "chapter" else chapter
        section = node.number if node.kind == "section" else section
        task = node.number if node.kind == "task" else task
        code = node_code(node, chapter, task, parent.code if parent else None)
        if code in seen_codes and section and node.kind in ("task", "item"):
            code = code.replace(f"{chapter}.", f"{chapter}.({section}).", 1)
        suffix = 2
        unique = code
        while unique in seen_codes:
            unique, suffix = f"{code}#{suffix}", suffix + 1
        seen_codes.add(unique)
        row = PlanNode(
            plan=plan,
            parent=parent,
            kind=node.kind,
            number=node.number,
            title=node.title,
            text=node.text,
            code=unique,
            depth=depth,
            position=len(rows),
        )
        rows.append(row)
        for child in node.children:
            visit(child, row, depth + 1, chapter, section, task)

    for node in nodes:
        visit(node, None, 0, None, None, None)
    db.session.add_all(rows)
    return rows


def _indicator_number(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _indicator_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def build_indicator(plan: Plan, parsed) -> Indicator:
    return Indicator(
        plan=plan,
        number=parsed.number,
        category=parsed.category or "",
        name=parsed.name,
        unit=parsed.unit,
        baseline=_indicator_number(parsed.baseline),
        baseline_text=_indicator_text(parsed.baseline),
        target=_indicator_number(parsed.target),
        target_text=_indicator_text(parsed.target),
        attribute=parsed.attribute or "预期性",
        cumulative=bool(parsed.cumulative),
        kind=parsed.kind or "target",
    )


def import_plan(
    actor,
    parsed: ParsedPlan,
    source_text: str,
    *,
    title: str | None = None,
    period: tuple[int, int] | None = None,
) -> Plan:
    """Create a plan with its node tree and indicators; the caller commits."""
    title = (title or parsed.title or "").strip()
    if not title:
        raise ValidationFailed({"title": "a title is required"})
    if not parsed.nodes:
        raise ValidationFailed({"file": "no headings"})
    period = period or infer_period(title, source_text)
    if period is None:
        raise ValidationFailed({"period": "period unknown"})
    plan = Plan(
        title=title,
        doc_number=parsed.doc_number,
        start_year=period[0],
        end_year=period[1],
        source_text=source_text,
        source_sha256=source_digest(source_text),
        imported_by_id=getattr(actor, "id", None),
    )
    db.session.add(plan)
    _add_nodes(plan, parsed.nodes)
    db.session.add_all(build_indicator(plan, indicator) for indicator in parsed.indicators)
    db.session.flush()
    record_event(
        actor,
        "plan.imported",
        plan,
        after={
            "title": title,
            "nodes": len(plan.nodes),
            "indicators": len(parsed.indicators),
            "sha256": plan.source_sha256,
        },
    )
    return plan
