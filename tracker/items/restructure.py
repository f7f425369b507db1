"""Restructuring work items: split one into parts (a 专栏 with several targets), merge
several into one. Both keep the history: the items they replace are retired, not deleted."""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import gettext as _

from tracker import clock
from tracker.access import require
from tracker.audit import audit
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.items.access import item_subject
from tracker.items.operations import _set_co_departments, create_item, item_snapshot, next_free_code
from tracker.locking import claim
from tracker.models import WorkItem
from tracker.text import clean_text
from tracker.workflow import Action

logger = logging.getLogger(__name__)


def split_item(
    actor,
    item: WorkItem,
    *,
    expected_version: int | None,
    parts: list[dict],
    retire_original: bool = True,
    now: datetime | None = None,
) -> list[WorkItem]:
    """Split an item (a 专栏 with several targets) into parts coded `专栏5-1`, `专栏5-2`, …

    Each part is a dict with `title` and optionally `description`, `deliverable`,
    `due_date`. Parts inherit the owners, due date, source and section. The original is
    retired (its history stays) unless `retire_original` is False.
    """
    now = now or clock.now()
    require(actor, Action.EDIT_ITEM, item_subject(item), obj=f"item:{item.id}")
    parts = [p for p in parts if clean_text(p.get("title"))]
    if len(parts) < 2:
        raise ValidationFailed({"parts": _("Give at least two parts, each with a title.")})
    if retire_original and item.is_closed:
        raise ValidationFailed({"parts": _("The work item is closed; reopen it first.")})
    claim(WorkItem, item, expected_version, values={"updated_at": now})
    co_ids = [d.id for d in item.co_departments]
    created = []
    for part in parts:
        code = next_free_code(item.plan_id, f"{item.code}-{len(created) + 1}")
        created.append(
            create_item(
                None,
                item.plan,
                title=part["title"],
                code=code,
                description=part.get("description") or item.description,
                deliverable=part.get("deliverable") or "",
                lead_department_id=item.lead_department_id,
                co_department_ids=co_ids,
                due_date=part.get("due_date") or item.due_date,
                priority=item.priority,
                indicator_id=item.indicator_id,
                section_node_id=item.section_node_id,
                source_node_id=item.source_node_id,
                is_demo=item.is_demo,
                now=now,
            )
        )
    codes = [c.code for c in created]
    audit(
        actor,
        "item.split",
        item,
        now,
        after={"parts": codes},
        comment="→ " + "、".join(codes),
        item_id=item.id,
    )
    for part in created:
        audit(actor, "item.split_from", part, now, after={"from": item.code}, item_id=part.id)
    if retire_original:
        item.retired_at = now
        audit(
            actor,
            "item.retired",
            item,
            now,
            after={"retired_at": now.isoformat()},
            comment="→ " + "、".join(codes),
            item_id=item.id,
        )
    db.session.flush()
    return created


def merge_items(
    actor,
    target: WorkItem,
    others: list[WorkItem],
    *,
    expected_versions: dict[int, int],
    now: datetime | None = None,
) -> WorkItem:
    """Merge `others` into `target`: their owners join the target's co-departments and
    their text is appended; they are retired with a note pointing at the target."""
    now = now or clock.now()
    require(actor, Action.EDIT_ITEM, item_subject(target), obj=f"item:{target.id}")
    others = [o for o in others if o.id != target.id]
    if not others:
        raise ValidationFailed({"others": _("Choose at least one other item to merge.")})
    for other in others:
        require(actor, Action.RETIRE_ITEM, item_subject(other), obj=f"item:{other.id}")
        if other.plan_id != target.plan_id:
            raise ValidationFailed({"others": _("Only items of the same plan can be merged.")})
    claim(WorkItem, target, expected_versions.get(target.id), values={"updated_at": now})
    for other in others:
        claim(
            WorkItem,
            other,
            expected_versions.get(other.id),
            values={"retired_at": now, "updated_at": now},
        )
    before = item_snapshot(target)
    owners = {target.lead_department_id}
    co_ids = {d.id for d in target.co_departments}
    extra_text = []
    for other in others:
        co_ids |= {other.lead_department_id, *(d.id for d in other.co_departments)}
        extra_text.append(f"【{other.code}】{other.title}\n{other.description}".strip())
    co_ids -= owners | {None}
    target.description = clean_text("\n\n".join([target.description, *extra_text]))
    _set_co_departments(target, sorted(co_ids))
    db.session.flush()
    codes = [o.code for o in others]
    audit(
        actor,
        "item.merged",
        target,
        now,
        before={"co_department_ids": before["co_department_ids"]},
        after={"merged": codes, "co_department_ids": sorted(co_ids)},
        item_id=target.id,
    )
    for other in others:
        audit(
            actor,
            "item.retired",
            other,
            now,
            after={"retired_at": now.isoformat(), "merged_into": target.code},
            comment=f"→ {target.code}",
            item_id=other.id,
        )
    db.session.flush()
    return target
