"""What a revised plan text changes: nodes matched by code, indicators by number — pure."""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field

from tracker.plans.tree import FlatNode

logger = logging.getLogger(__name__)

# Fields of a node that, when they differ, make it "changed" (moving it counts too).
NODE_FIELDS = ("kind", "number", "title", "text", "parent_code")
INDICATOR_FIELDS = (
    "category",
    "name",
    "unit",
    "baseline",
    "baseline_text",
    "target",
    "target_text",
    "attribute",
    "cumulative",
    "kind",
)
# Beyond this many characters an inline character diff costs more than it helps.
_MAX_INLINE_DIFF_CHARS = 6000


def _number(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def indicator_fields(parsed) -> dict:
    """A parsed indicator row as the columns it is stored in (and compared by)."""
    return {
        "number": parsed.number,
        "category": parsed.category or "",
        "name": parsed.name,
        "unit": parsed.unit,
        "baseline": _number(parsed.baseline),
        "baseline_text": _text(parsed.baseline),
        "target": _number(parsed.target),
        "target_text": _text(parsed.target),
        "attribute": parsed.attribute or "预期性",
        "cumulative": bool(parsed.cumulative),
        "kind": parsed.kind or "target",
    }


def stored_indicator_fields(row) -> dict:
    """The same shape read back from a stored Indicator."""
    return {"number": row.number, **{name: getattr(row, name) for name in INDICATOR_FIELDS}}


@dataclass
class NodeChange:
    code: str
    before: FlatNode
    after: FlatNode
    fields: list[str]

    @property
    def text_segments(self) -> list[tuple[str, str]]:
        """The body text as (op, text) runs: 'equal', 'delete' or 'insert'."""
        return inline_diff(self.before.text, self.after.text)

    @property
    def title_segments(self) -> list[tuple[str, str]]:
        return inline_diff(self.before.title, self.after.title)


@dataclass
class IndicatorChange:
    number: int
    name: str
    fields: dict[str, tuple[object, object]]


@dataclass
class PlanDiff:
    added: list[FlatNode] = field(default_factory=list)
    removed: list[FlatNode] = field(default_factory=list)
    changed: list[NodeChange] = field(default_factory=list)
    indicators_added: list[dict] = field(default_factory=list)
    indicators_removed: list[dict] = field(default_factory=list)
    indicators_changed: list[IndicatorChange] = field(default_factory=list)
    plan_fields: dict[str, tuple[object, object]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.indicators_added
            or self.indicators_removed
            or self.indicators_changed
            or self.plan_fields
        )

    def summary(self) -> dict:
        """Counts and codes, small enough for an audit event."""
        return {
            "nodes_added": [node.code for node in self.added],
            "nodes_removed": [node.code for node in self.removed],
            "nodes_changed": [change.code for change in self.changed],
            "indicators_added": [row["number"] for row in self.indicators_added],
            "indicators_removed": [row["number"] for row in self.indicators_removed],
            "indicators_changed": [change.number for change in self.indicators_changed],
            "plan_fields": sorted(self.plan_fields),
        }


def compare_nodes(
    old: list[FlatNode], new: list[FlatNode]
) -> tuple[list[FlatNode], list[FlatNode], list[NodeChange]]:
    """Added, removed and changed nodes; a node is the same node when its code is the same."""
    old_by_code = {node.code: node for node in old}
    new_codes = {node.code for node in new}
    added = [node for node in new if node.code not in old_by_code]
    removed = [node for node in old if node.code not in new_codes]
    changed = []
    for node in new:
        before = old_by_code.get(node.code)
        if before is None:
            continue
        fields = [name for name in NODE_FIELDS if getattr(before, name) != getattr(node, name)]
        if fields:
            changed.append(NodeChange(node.code, before, node, fields))
    return added, removed, changed


def compare_indicators(
    old: list[dict], new: list[dict]
) -> tuple[list[dict], list[dict], list[IndicatorChange]]:
    """Added, removed and changed indicator rows, matched by their number (序号)."""
    old_by_number = {row["number"]: row for row in old}
    new_numbers = {row["number"] for row in new}
    added = [row for row in new if row["number"] not in old_by_number]
    removed = [row for row in old if row["number"] not in new_numbers]
    changed = []
    for row in new:
        before = old_by_number.get(row["number"])
        if before is None:
            continue
        fields = {
            name: (before.get(name), row.get(name))
            for name in INDICATOR_FIELDS
            if before.get(name) != row.get(name)
        }
        if fields:
            changed.append(IndicatorChange(row["number"], row["name"], fields))
    return added, removed, changed


def compare(
    old_nodes: list[FlatNode],
    new_nodes: list[FlatNode],
    old_indicators: list[dict],
    new_indicators: list[dict],
    old_fields: dict | None = None,
    new_fields: dict | None = None,
) -> PlanDiff:
    """Everything applying the new version would change."""
    added, removed, changed = compare_nodes(old_nodes, new_nodes)
    ind_added, ind_removed, ind_changed = compare_indicators(old_indicators, new_indicators)
    old_fields, new_fields = old_fields or {}, new_fields or {}
    plan_fields = {
        name: (old_fields.get(name), value)
        for name, value in new_fields.items()
        if old_fields.get(name) != value
    }
    return PlanDiff(added, removed, changed, ind_added, ind_removed, ind_changed, plan_fields)


def inline_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Character runs marked equal / delete / insert (Chinese has no spaces to split on)."""
    if before == after:
        return [("equal", after)] if after else []
    if len(before) + len(after) > _MAX_INLINE_DIFF_CHARS:
        return [("delete", before), ("insert", after)]
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    runs: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("equal", before[a1:a2]))
            continue
        if a2 > a1:
            runs.append(("delete", before[a1:a2]))
        if b2 > b1:
            runs.append(("insert", after[b1:b2]))
    return runs
