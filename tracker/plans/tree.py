"""The plan tree flattened with source codes (三.1.(2), 专栏5), and rebuilt for display — pure."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from tracker.plans.indicator_table import Indicator as ParsedIndicator
from tracker.plans.parser import Node, ParsedPlan

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FlatNode:
    """One node of a parsed tree in document order, with the code that identifies it."""

    code: str
    parent_code: str | None
    kind: str
    number: str
    title: str
    text: str
    depth: int
    position: int
    responsibility: dict | None = None
    deadline: dict | None = None

    @property
    def label(self) -> str:
        return label(self.kind, self.number)


def node_code(node: Node, chapter: str | None, task: str | None, parent_code: str | None) -> str:
    """A short reference back to the source: 第一篇, 三, 三.(一), 三.1, 三.1.(2), 专栏5."""
    if node.kind == "part":
        return f"第{node.number}篇"
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


def flatten(nodes: list[Node]) -> list[FlatNode]:
    """The tree depth-first; codes stay unique by adding the section (then #2, #3) when needed.

    Codes are how a revised text is matched to the rows already stored, so this function is
    the single place that computes them.
    """
    flat: list[FlatNode] = []
    seen_codes: set[str] = set()

    def visit(node: Node, parent_code: str | None, depth: int, chapter, section, task):
        chapter = node.number if node.kind == "chapter" else chapter
        section = node.number if node.kind == "section" else section
        task = node.number if node.kind == "task" else task
        code = node_code(node, chapter, task, parent_code)
        if code in seen_codes and section and node.kind in ("task", "item"):
            code = code.replace(f"{chapter}.", f"{chapter}.({section}).", 1)
        suffix = 2
        unique = code
        while unique in seen_codes:
            unique, suffix = f"{code}#{suffix}", suffix + 1
        seen_codes.add(unique)
        flat.append(
            FlatNode(
                code=unique,
                parent_code=parent_code,
                kind=node.kind,
                number=node.number,
                title=node.title,
                text=node.text,
                depth=depth,
                position=len(flat),
                responsibility=node.responsibility,
                deadline=node.deadline,
            )
        )
        for child in node.children:
            visit(child, unique, depth + 1, chapter, section, task)

    for node in nodes:
        visit(node, None, 0, None, None, None)
    return flat


def node_from_dict(data: dict) -> Node:
    return Node(
        kind=data["kind"],
        number=str(data["number"]),
        title=data.get("title") or "",
        text=data.get("text") or "",
        children=[node_from_dict(child) for child in data.get("children") or []],
        responsibility=data.get("responsibility"),
        deadline=data.get("deadline"),
    )


def parsed_from_dict(data: dict) -> ParsedPlan:
    """The inverse of ``ParsedPlan.to_dict()`` (the JSON stored with a pending import)."""
    return ParsedPlan(
        title=data.get("title") or "",
        doc_number=data.get("doc_number"),
        nodes=[node_from_dict(node) for node in data.get("nodes") or []],
        indicators=[ParsedIndicator(**row) for row in data.get("indicators") or []],
        warnings=list(data.get("warnings") or []),
    )


@dataclass
class TreeEntry:
    """A node as the pages show it: stored rows and a pending import's nodes alike."""

    kind: str
    number: str
    title: str
    text: str
    code: str
    node_id: int | None = None
    item_count: int = 0
    first_item_id: int | None = None
    children: list[TreeEntry] = field(default_factory=list)
    responsibility: dict | None = None
    deadline: dict | None = None

    @property
    def label(self) -> str:
        return label(self.kind, self.number)

    @property
    def anchor(self) -> str:
        """The fragment that links to this node; a stored node keeps its id across revisions."""
        return f"node-{self.node_id}" if self.node_id else f"code-{self.code}"


def tree_from_flat(flat: list[FlatNode]) -> list[TreeEntry]:
    """Display entries for a parsed (not yet stored) plan."""
    roots: list[TreeEntry] = []
    by_code: dict[str, TreeEntry] = {}
    for node in flat:
        entry = TreeEntry(
            node.kind,
            node.number,
            node.title,
            node.text,
            node.code,
            responsibility=node.responsibility,
            deadline=node.deadline,
        )
        by_code[node.code] = entry
        parent = by_code.get(node.parent_code) if node.parent_code else None
        (parent.children if parent else roots).append(entry)
    return roots


def tree_from_rows(rows, item_counts: dict[int, tuple[int, int]] | None = None) -> list[TreeEntry]:
    """Display entries for stored nodes (any objects with id, parent_id and the node fields).

    ``rows`` must come in position order; a row whose parent is missing becomes a root, so
    nothing is ever hidden. ``item_counts`` maps a node id to (work items, first item id).
    """
    item_counts = item_counts or {}
    roots: list[TreeEntry] = []
    by_id: dict[int, TreeEntry] = {}
    for row in rows:
        by_id[row.id] = TreeEntry(
            row.kind,
            row.number,
            row.title,
            row.text,
            row.code,
            node_id=row.id,
            item_count=item_counts.get(row.id, (0, None))[0],
            first_item_id=item_counts.get(row.id, (0, None))[1],
            responsibility=getattr(row, "responsibility", None),
            deadline=getattr(row, "deadline", None),
        )
    for row in rows:
        parent = by_id.get(row.parent_id) if row.parent_id else None
        (parent.children if parent else roots).append(by_id[row.id])
    return roots


def label(kind: str, number: str) -> str:
    """The heading marker as printed: 三、 （一） 1． （1） 专栏5 (the one definition: pages,
    dashboards and spreadsheets all read it)."""
    if kind == "column":
        return f"专栏{number}"
    if kind == "part":
        return f"第{number}篇"
    return {"chapter": "{}、", "section": "（{}）", "task": "{}．", "item": "（{}）"}.get(
        kind, "{}"
    ).format(number)


def heading_text(kind: str, number: str, title: str) -> str:
    """A heading with its marker, as a dashboard row or a spreadsheet cell names it:
    （一）夯实质量基础, 三、重点任务, 专栏5 质量基础设施."""
    separator = " " if kind == "column" else ""
    return f"{label(kind, number)}{separator}{title}".strip()
