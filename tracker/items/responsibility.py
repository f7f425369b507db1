"""Departments and due dates for work items from a plan node's responsibility and deadline notes.

A node's note names departments exactly as the plan writes them (省工业和信息化厅); they are
matched against department names and aliases. A note that names no lead (（责任单位：A、B）)
makes its first unit the lead. A node without a note of its own takes the nearest
ancestor's (a （X） paragraph's note covers the tasks under it). Names that match no
department are reported so the office can create the department or add the name as an alias.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Department, DepartmentAlias

logger = logging.getLogger(__name__)


@dataclass
class Assignment:
    """Who a node's work item goes to, and by when; ``unknown`` names matched nothing."""

    lead_department_id: int | None = None
    co_department_ids: list[int] = field(default_factory=list)
    due_date: date | None = None
    unknown: list[str] = field(default_factory=list)


def _key(name: str) -> str:
    return re.sub(r"\s+", "", name or "")


def department_index() -> dict[str, int]:
    """Every active department's name and alias → its id (two queries)."""
    index: dict[str, int] = {}
    for dept_id, name in db.session.execute(
        select(Department.id, Department.name).where(Department.active.is_(True))
    ):
        index[_key(name)] = dept_id
    for dept_id, alias in db.session.execute(
        select(DepartmentAlias.department_id, DepartmentAlias.alias)
        .join(Department, Department.id == DepartmentAlias.department_id)
        .where(Department.active.is_(True))
    ):
        index.setdefault(_key(alias), dept_id)
    return index


def inherited(node, by_id: dict, attribute: str):
    """The node's own note, else its nearest ancestor's (None if there is none)."""
    while node is not None:
        value = getattr(node, attribute, None)
        if value:
            return value
        node = by_id.get(node.parent_id) if node.parent_id is not None else None
    return None


def assignment_for(node, by_id: dict, index: dict[str, int]) -> Assignment:
    """Lead, co-departments and due date of the node's work item, from its notes."""
    result = Assignment()
    responsibility = inherited(node, by_id, "responsibility")
    if responsibility:
        leads = list(responsibility.get("lead") or [])
        cos = list(responsibility.get("co") or [])
        if not leads and cos:
            leads, cos = cos[:1], cos[1:]
        lead_ids = _resolve(leads, index, result.unknown)
        co_ids = lead_ids[1:] + _resolve(cos, index, result.unknown)
        result.lead_department_id = lead_ids[0] if lead_ids else None
        result.co_department_ids = [
            dept for dept in dict.fromkeys(co_ids) if dept != result.lead_department_id
        ]
    deadline = inherited(node, by_id, "deadline")
    if deadline and deadline.get("date"):
        try:
            result.due_date = date.fromisoformat(deadline["date"])
        except (TypeError, ValueError):
            logger.info("unreadable deadline date %r on node %s", deadline, node.id)
    return result


def _resolve(names: list[str], index: dict[str, int], unknown: list[str]) -> list[int]:
    found = []
    for name in names:
        dept_id = index.get(_key(name))
        if dept_id is None:
            if name not in unknown:
                unknown.append(name)
        else:
            found.append(dept_id)
    return found


def unknown_names(nodes, index: dict[str, int]) -> list[str]:
    """Every name in the nodes' responsibility notes that matches no department, in order.

    ``nodes`` are anything with a ``responsibility`` dict (stored rows or flattened nodes).
    """
    unknown: list[str] = []
    for node in nodes:
        responsibility = getattr(node, "responsibility", None) or {}
        names = list(responsibility.get("lead") or []) + list(responsibility.get("co") or [])
        for name in names:
            if _key(name) not in index and name not in unknown:
                unknown.append(name)
    return unknown
