"""Bulk create/update of work items from an uploaded 任务分解表: preview first, then apply
everything in one transaction or nothing (the caller commits once, or rolls back)."""

from __future__ import annotations

import hashlib
import logging
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from tracker import clock
from tracker.audit import record_event
from tracker.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.items.operations import assign_item, create_item, update_item
from tracker.models import Department, DepartmentAlias, Plan, PlanNode, SpreadsheetImport, WorkItem
from tracker.plans.tree import heading_text
from tracker.spreadsheets.reader import Limits, read_sheet
from tracker.spreadsheets.rows import Context, ParsedRow, Problem, interpret_rows
from tracker.workflow import is_office

logger = logging.getLogger(__name__)

PREVIEW_LIFETIME = timedelta(hours=24)
CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


def _require_office(actor) -> None:
    if not is_office(actor):
        raise PermissionDenied(_("Only the leading-group office may import task tables."))


def _key(name: str) -> str:
    return "".join(name.split())


def department_resolver():
    """name → department id for every spelling (name, short name, alias): two queries, then
    a dictionary, so a table of thousands of rows costs no more than one of ten."""
    lookup: dict[str, int] = {}
    inactive: set[int] = set()
    for department in db.session.scalars(select(Department)):
        lookup[_key(department.name)] = department.id
        lookup[_key(department.short_name)] = department.id
        if not department.active:
            inactive.add(department.id)
    for alias, department_id in db.session.execute(
        select(DepartmentAlias.alias, DepartmentAlias.department_id)
    ):
        lookup.setdefault(_key(alias), department_id)
    return lookup, inactive


def section_resolver(plan_id: int):
    """Section text (（一）夯实质量基础 / 夯实质量基础 / 专栏5) → the plan's node id."""
    lookup: dict[str, int] = {}
    for node in db.session.scalars(
        select(PlanNode).where(
            PlanNode.plan_id == plan_id, PlanNode.kind.in_(("section", "column"))
        )
    ):
        for text in (heading_text(node.kind, node.number, node.title), node.title, node.code):
            if text:
                lookup.setdefault(_key(text), node.id)
    return lambda text: lookup.get(_key(text))


def _problem_json(problem: Problem) -> dict:
    return {"column": problem.column, "code": problem.code, "params": problem.params}


def _entry(parsed: ParsedRow) -> dict:
    return {
        "row": parsed.row,
        "code": parsed.code,
        "title": parsed.title,
        "action": ERROR if parsed.errors else CREATE,
        "errors": [_problem_json(p) for p in parsed.errors],
        "notes": [_problem_json(p) for p in parsed.notes],
        "changes": {},
        "values": {
            "title": parsed.title,
            "title_derived": parsed.title_derived,
            "description": parsed.description,
            "lead_department_id": parsed.lead_id,
            "co_department_ids": sorted(parsed.co_ids),
            "due_date": parsed.due.isoformat() if parsed.due else None,
            "due_text": parsed.due_text,
            "section_node_id": parsed.section_node_id,
        },
    }


def _compare(entry: dict, item: WorkItem, names: dict[int, str]) -> None:
    """Fill `changes` (field → [before, after] as shown) and decide update or unchanged.

    Blank cells leave a field as it is: an upload never erases what it does not mention."""
    values = entry["values"]
    changes = {}

    def differ(field, before, after, show=lambda v: v):
        if after is None or after == "" or before == after:
            return
        changes[field] = [show(before), show(after)]

    if not values["title_derived"]:
        differ("title", item.title, values["title"])
    differ("description", item.description, values["description"])
    differ("due_date", item.due_date.isoformat() if item.due_date else None, values["due_date"])
    differ(
        "lead_department_id",
        item.lead_department_id,
        values["lead_department_id"],
        lambda v: names.get(v, "—") if v else "—",
    )
    current_co = sorted(d.id for d in item.co_departments)
    if values["lead_department_id"] is not None and current_co != values["co_department_ids"]:
        changes["co_department_ids"] = [
            "、".join(names.get(d, "?") for d in current_co) or "—",
            "、".join(names.get(d, "?") for d in values["co_department_ids"]) or "—",
        ]
    differ("section_node_id", item.section_node_id, values["section_node_id"])
    entry["changes"] = changes
    entry["action"] = UPDATE if changes else UNCHANGED
    entry["item_id"], entry["item_version"] = item.id, item.version


def preview_upload(
    actor,
    plan: Plan,
    data: bytes,
    filename: str,
    *,
    today: date,
    limits: Limits | None = None,
) -> SpreadsheetImport:
    """Read the upload and store what confirming it would do; nothing else is written.

    Raises SpreadsheetRejected for a file that is refused as a whole."""
    _require_office(actor)
    if plan.is_archived:
        raise ValidationFailed(_("The plan is archived; its items cannot be changed."))
    sheet = read_sheet(data, limits)
    lookup, inactive = department_resolver()

    def resolve(name: str) -> int | None:
        return lookup.get(_key(name))

    context = Context(
        resolve_department=resolve,
        resolve_section=section_resolver(plan.id),
        default_year=today.year,
        plan_end=date(plan.end_year, 12, 31),
    )
    parsed_rows = interpret_rows(sheet, context)
    names = {d.id: d.short_name for d in db.session.scalars(select(Department))}
    codes = [p.code for p in parsed_rows if p.code]
    existing = (
        {
            item.code: item
            for item in db.session.scalars(
                select(WorkItem)
                .options(selectinload(WorkItem.co_departments))
                .where(WorkItem.plan_id == plan.id, WorkItem.code.in_(codes))
            )
        }
        if codes
        else {}
    )
    entries = []
    for parsed in parsed_rows:
        for department_id in {parsed.lead_id, *parsed.co_ids} & inactive:
            parsed.errors.append(
                Problem("lead", "inactive_department", {"name": names.get(department_id, "")})
            )
        entry = _entry(parsed)
        item = existing.get(parsed.code)
        if item is not None and not parsed.errors:
            if item.retired_at is not None:
                entry["action"] = ERROR
                entry["errors"].append(
                    {"column": "code", "code": "retired_item", "params": {"code": item.code}}
                )
            else:
                _compare(entry, item, names)
        entries.append(entry)
    counts = {key: 0 for key in (CREATE, UPDATE, UNCHANGED, ERROR)}
    for entry in entries:
        counts[entry["action"]] += 1
    preview = {
        "sheet": sheet.sheet,
        "header_row": sheet.header_row,
        "columns": {key: list(value) for key, value in sheet.columns.items()},
        "counts": counts,
        "rows": entries,
        "names": {str(k): v for k, v in names.items()},
    }
    upload = SpreadsheetImport(
        created_by_id=actor.id,
        plan_id=plan.id,
        filename=(filename or "")[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        preview_json=preview,
    )
    db.session.add(upload)
    db.session.flush()
    record_event(actor, "spreadsheet.previewed", upload, after={"file": upload.filename, **counts})
    db.session.flush()
    logger.info("spreadsheet %s previewed: %s", upload.id, counts)
    return upload


def load_import(actor, import_id: int) -> SpreadsheetImport:
    _require_office(actor)
    upload = db.session.get(SpreadsheetImport, import_id)
    if upload is None:
        raise NotFound()
    return upload


def can_apply(upload: SpreadsheetImport, now: datetime) -> bool:
    counts = upload.preview_json.get("counts", {})
    return (
        upload.applied_at is None
        and not counts.get(ERROR)
        and (counts.get(CREATE) or counts.get(UPDATE))
        and now - upload.created_at <= PREVIEW_LIFETIME
    )


def apply_import(actor, upload: SpreadsheetImport, *, now: datetime | None = None) -> dict:
    """Create and update every previewed item, or raise and let the caller roll back.

    An item changed since the preview raises StaleVersion; two confirmations of the same
    preview cannot both apply (the first claims it with a conditional UPDATE)."""
    now = now or clock.now()
    _require_office(actor)
    preview = upload.preview_json
    counts = preview.get("counts", {})
    if counts.get(ERROR):
        raise ValidationFailed(_("Fix the rows with errors and upload the file again."))
    if now - upload.created_at > PREVIEW_LIFETIME:
        raise InvalidTransition(_("This preview has expired; upload the file again."))
    claimed = db.session.execute(
        update(SpreadsheetImport)
        .where(SpreadsheetImport.id == upload.id, SpreadsheetImport.applied_at.is_(None))
        .values(applied_at=now, applied_by_id=actor.id)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise InvalidTransition(_("This upload has already been applied."))
    plan = db.session.get(Plan, upload.plan_id)
    if plan is None or plan.is_archived:
        raise InvalidTransition(_("The plan is archived; its items cannot be changed."))
    ids = [e["item_id"] for e in preview["rows"] if e["action"] == UPDATE]
    items = (
        {
            item.id: item
            for item in db.session.scalars(
                select(WorkItem)
                .options(selectinload(WorkItem.co_departments))
                .where(WorkItem.id.in_(ids))
            )
        }
        if ids
        else {}
    )
    created = updated = 0
    for entry in preview["rows"]:
        if entry["action"] == CREATE:
            _create(actor, plan, entry, now)
            created += 1
        elif entry["action"] == UPDATE:
            item = items.get(entry["item_id"])
            if item is None:
                raise InvalidTransition(
                    _(
                        "Work item %(code)s no longer exists; upload the file again.",
                        code=entry["code"],
                    )
                )
            _update(actor, item, entry, now)
            updated += 1
    result = {"created": created, "updated": updated}
    record_event(actor, "spreadsheet.applied", upload, after={"file": upload.filename, **result})
    db.session.flush()
    return result


def _due(values: dict) -> date | None:
    return date.fromisoformat(values["due_date"]) if values.get("due_date") else None


def _create(actor, plan: Plan, entry: dict, now: datetime) -> WorkItem:
    values = entry["values"]
    return create_item(
        actor,
        plan,
        code=entry["code"],
        title=values["title"],
        description=values["description"] or "",
        lead_department_id=values["lead_department_id"],
        co_department_ids=values["co_department_ids"],
        due_date=_due(values),
        section_node_id=values["section_node_id"],
        now=now,
    )


def _update(actor, item: WorkItem, entry: dict, now: datetime) -> None:
    values, changes = entry["values"], entry["changes"]
    detail_fields = {"title", "description", "due_date", "section_node_id"}
    version = entry["item_version"]
    if detail_fields & changes.keys():
        update_item(
            actor,
            item,
            expected_version=version,
            title=values["title"] if "title" in changes else item.title,
            code=item.code,
            description=values["description"] if "description" in changes else item.description,
            deliverable=item.deliverable,
            due_date=_due(values) if "due_date" in changes else item.due_date,
            priority=item.priority,
            indicator_id=item.indicator_id,
            section_node_id=values["section_node_id"] if "section_node_id" in changes else None,
            now=now,
        )
        version = None  # update_item moved it on; assign from the version it left
    if {"lead_department_id", "co_department_ids"} & changes.keys():
        assign_item(
            actor,
            item,
            expected_version=version,
            lead_department_id=values["lead_department_id"],
            co_department_ids=values["co_department_ids"],
            now=now,
        )
