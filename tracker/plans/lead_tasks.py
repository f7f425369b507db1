"""Unnumbered tasks: sections that list their tasks as paragraphs opening with a short title."""

from __future__ import annotations

import re

from tracker.plans.headings import label, split_run_in_title, starts_with_lead_phrase

# Sections whose lead-phrase paragraphs are principles or context, never tasks
# (基本原则: 坚持创新驱动。…).
_NOT_TASKS_RE = re.compile(r"(?:原则|指导思想|目标|形势|背景|意义|现状|基础)$")


def _opens_with_title(paragraph: str) -> bool:
    """A short sentence of its own, then the body: 加强技术攻关。组织实施…"""
    return starts_with_lead_phrase(paragraph) and bool(split_run_in_title(paragraph)[1])


def lead_phrase_tasks(nodes: list, paragraphs_of: dict[int, list[str]]) -> list[str]:
    """Unnumbered tasks: a section whose paragraphs open with their own short title
    (加强关键核心技术攻关。…) and that has no numbered tasks lists its tasks that way.

    Two such paragraphs at least, and at least half of the paragraphs from the first
    of them on, or they are ordinary prose that happens to start with a short sentence.
    Moves those paragraphs out of ``paragraphs_of`` (node id → paragraphs) into new task
    nodes and returns a warning per section so the office checks them on the preview.
    """
    warnings: list[str] = []
    for node in nodes:
        warnings += lead_phrase_tasks(node.children, paragraphs_of)
        if (
            node.kind not in ("chapter", "section")
            or any(child.kind != "column" for child in node.children)
            or _NOT_TASKS_RE.search(node.title.strip())
        ):
            continue
        paragraphs = paragraphs_of.get(id(node), [])
        leads = [i for i, text in enumerate(paragraphs) if _opens_with_title(text)]
        if len(leads) < 2 or 2 * len(leads) < len(paragraphs) - leads[0]:
            continue
        paragraphs_of[id(node)] = paragraphs[: leads[0]]
        tasks: list = []
        for text in paragraphs[leads[0] :]:
            if _opens_with_title(text) or not tasks:
                number = len(tasks) + 1
                task = type(node)("task", str(number), ordinal=number, style="lead")
                task.title, body = split_run_in_title(text)
                paragraphs_of[id(task)] = [body] if body else []
                tasks.append(task)
            else:
                paragraphs_of[id(tasks[-1])].append(text)
        node.children = tasks + node.children
        heading = label(node.style or "entry", node.number) + node.title
        warnings.append(
            f"{heading}: {len(tasks)} unnumbered tasks recognised by the short title each "
            "paragraph opens with; check them on the preview"
        )
    return warnings
