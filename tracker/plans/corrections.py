"""The office's corrections to a parse, replayed on the parsed plan before it is imported — pure.

A correction names a node by its code (三.(一).2, 专栏3) and the title the node had when the
correction was made, so a later revision of the same plan replays it only where that node
still exists with that title; the others are reported as no longer applying. Operations:
rename a node, change its kind, delete residue, merge a node into the one before it, split a
paragraph off into a new node, move a node (a 专栏) under another one, and edit an indicator
row. A correction that does not apply changes nothing: a parser miss never blocks the office.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from tracker.plans.builder import Node, split_run_in_title
from tracker.plans.parser import ParsedPlan
from tracker.plans.tree import flatten

NODE_OPS = ("rename", "kind", "delete", "merge", "split", "move")
OPS = (*NODE_OPS, "indicator")
KINDS = ("part", "chapter", "section", "task", "item", "column")
INDICATOR_FIELDS = ("name", "category", "unit", "baseline", "target", "attribute")
MAX_VALUE_CHARS = 1000
# "move" to this code puts the node at the top level (after the last root).
TOP_LEVEL = "/"


@dataclass
class Corrected:
    """The corrected parse, and which corrections applied or no longer apply."""

    parsed: ParsedPlan
    applied: list[dict] = field(default_factory=list)
    stale: list[dict] = field(default_factory=list)


def make_correction(parsed: ParsedPlan, op: str, code: str, value: str) -> dict | None:
    """A correction for ``parsed`` as the office asked for it, or None if it cannot apply.

    The node's current title is recorded so a revision replays it only on the same node.
    """
    op, code, value = (op or "").strip(), (code or "").strip(), (value or "").strip()
    if op not in OPS or not code or len(value) > MAX_VALUE_CHARS:
        return None
    correction = {"op": op, "code": code, "value": value}
    if op in NODE_OPS:
        found = _index(parsed.nodes).get(code)
        if found is None:
            return None
        correction["title"] = found[0].title
    elif op == "indicator":
        field_name, _, new_value = value.partition("=")
        if field_name.strip() not in INDICATOR_FIELDS:
            return None
        correction["value"] = f"{field_name.strip()}={new_value.strip()}"
    trial = apply_corrections(parsed, [correction])
    return correction if trial.applied else None


def apply_corrections(parsed: ParsedPlan, corrections: list[dict] | None) -> Corrected:
    """Replay ``corrections`` in order on a copy of ``parsed``."""
    result = Corrected(copy.deepcopy(parsed))
    for correction in corrections or []:
        try:
            ok = _apply(result.parsed, correction)
        except (KeyError, TypeError, ValueError, AttributeError):
            ok = False
        (result.applied if ok else result.stale).append(correction)
    return result


def _index(nodes: list[Node]) -> dict[str, tuple[Node, list[Node]]]:
    """Code → (node, the list that holds it), codes as flatten() computes them."""
    refs: list[tuple[Node, list[Node]]] = []

    def visit(siblings: list[Node]) -> None:
        for node in siblings:
            refs.append((node, siblings))
            visit(node.children)

    visit(nodes)
    return {flat.code: ref for flat, ref in zip(flatten(nodes), refs, strict=True)}


def _apply(parsed: ParsedPlan, correction: dict) -> bool:
    op, code, value = correction["op"], correction["code"], correction.get("value") or ""
    if op == "indicator":
        return _edit_indicator(parsed, code, value)
    index = _index(parsed.nodes)
    if code not in index:
        return False
    node, siblings = index[code]
    if "title" in correction and node.title != correction["title"]:
        return False  # the text changed under this node: the correction no longer fits
    if op == "rename":
        if not value:
            return False
        node.title = value
    elif op == "kind":
        if value not in KINDS:
            return False
        node.kind = value
    elif op == "delete":
        position = siblings.index(node)
        siblings[position : position + 1] = node.children
    elif op == "merge":
        return _merge(parsed, node, siblings)
    elif op == "split":
        return _split(node, siblings, value)
    elif op == "move":
        if value == TOP_LEVEL:
            siblings.remove(node)
            parsed.nodes.append(node)
            return True
        target = index.get(value)
        if target is None or target[0] is node or _contains(node, target[0]):
            return False
        siblings.remove(node)
        target[0].children.append(node)
    return True


def _merge(parsed: ParsedPlan, node: Node, siblings: list[Node]) -> bool:
    """Into the node before it in document order: its title and text become text there."""
    order = [ref[0] for ref in _index(parsed.nodes).values()]
    position = order.index(node)
    if position == 0:
        return False
    previous = order[position - 1]
    if _contains(node, previous):
        return False
    parts = [previous.text, node.title, node.text]
    previous.text = "\n".join(part for part in parts if part)
    siblings.remove(node)
    previous.children.extend(node.children)
    return True


def _split(node: Node, siblings: list[Node], phrase: str) -> bool:
    """The text from ``phrase`` on becomes a new node of the same kind right after it."""
    position = node.text.find(phrase) if phrase else -1
    if position < 0:
        return False
    rest = node.text[position:]
    node.text = node.text[:position].rstrip()
    title, text = split_run_in_title(rest)
    new = Node(node.kind, f"{node.number}-2", title=title, text=text)
    siblings.insert(siblings.index(node) + 1, new)
    return True


def _contains(ancestor: Node, node: Node) -> bool:
    return any(child is node or _contains(child, node) for child in ancestor.children)


def _edit_indicator(parsed: ParsedPlan, number: str, value: str) -> bool:
    field_name, _, new_value = value.partition("=")
    if field_name not in INDICATOR_FIELDS or not number.isdigit():
        return False
    row = next((r for r in parsed.indicators if r.number == int(number)), None)
    if row is None:
        return False
    if field_name == "attribute" and new_value not in ("约束性", "预期性"):
        return False
    if field_name in ("baseline", "target"):
        try:
            typed = float(new_value) if "." in new_value else int(new_value)
        except ValueError:
            typed = new_value or None
        setattr(row, field_name, typed)
    else:
        setattr(row, field_name, new_value or None if field_name == "unit" else new_value)
    return True
