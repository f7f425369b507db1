"""Plan operations: turning a parsed plan into Plan, PlanNode and Indicator rows."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, text, update

from tracker.audit import record_event
from tracker.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from tracker.extensions import db
from tracker.models import Indicator, Plan, PlanImport, PlanNode
from tracker.plans.corrections import apply_corrections
from tracker.plans.diff import indicator_fields
from tracker.plans.parser import Node, ParsedPlan
from tracker.plans.revision import RevisionResult, revise_plan
from tracker.plans.tree import (
    flatten,
    node_code,  # noqa: F401  (it lived here first; keep it importable)
    parsed_from_dict,
)
from tracker.workflow import is_office

logger = logging.getLogger(__name__)

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


def _add_nodes(plan: Plan, nodes: list[Node]) -> list[PlanNode]:
    """Insert the tree depth-first, with the codes `flatten` gives (三.1.(2), 专栏5)."""
    rows: list[PlanNode] = []
    by_code: dict[str, PlanNode] = {}
    for node in flatten(nodes):
        row = PlanNode(
            plan=plan,
            parent=by_code.get(node.parent_code) if node.parent_code else None,
            kind=node.kind,
            number=node.number,
            title=node.title,
            text=node.text,
            code=node.code,
            depth=node.depth,
            position=node.position,
            responsibility=node.responsibility,
            deadline=node.deadline,
        )
        by_code[node.code] = row
        rows.append(row)
    db.session.add_all(rows)
    return rows


def build_indicator(plan: Plan, parsed) -> Indicator:
    return Indicator(plan=plan, **indicator_fields(parsed))


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


# ------------------------------------------------------------- uploads, revisions, archive

_PERIOD_RE = re.compile(r"\s*((?:19|20)\d{2})\s*[-—–－~～至到]\s*((?:19|20)\d{2})\s*(?:年)?\s*")
# pg_advisory_xact_lock key serialising plan imports ("PLAN" in ASCII).
_IMPORT_LOCK_KEY = 0x504C414E
# A plan period longer than this is a typo, not a plan (the longest 远景 run 15 years).
_MAX_PERIOD_YEARS = 15


@dataclass
class ApplyResult:
    plan: Plan
    created: bool
    revision: RevisionResult | None = None


def require_office(actor) -> None:
    """Only the office and admins import, revise and archive plans (None: the CLI/demo)."""
    if actor is not None and not is_office(actor):
        raise PermissionDenied()


def parse_period(text: str | None) -> tuple[int, int]:
    """'2021-2025' (also 2021—2025, 2021至2025) → (2021, 2025); anything else is refused."""
    match = _PERIOD_RE.fullmatch(text or "")
    if match:
        start, end = int(match.group(1)), int(match.group(2))
        if start <= end <= start + _MAX_PERIOD_YEARS:
            return start, end
    raise ValidationFailed({"period": _("Give the period as two years, e.g. 2021-2025.")})


def find_identical_plan(sha256: str) -> Plan | None:
    """A plan imported from exactly this text (re-importing it changes nothing)."""
    return db.session.scalar(
        select(Plan).where(Plan.source_sha256 == sha256).order_by(Plan.id).limit(1)
    )


def find_plan_by_title(title: str) -> Plan | None:
    """The plan a text with this title revises: the latest one with the same title."""
    title = (title or "").strip()
    if not title:
        return None
    return db.session.scalar(
        select(Plan).where(Plan.title == title).order_by(Plan.id.desc()).limit(1)
    )


def stage_import(
    actor, *, filename: str, source_text: str, parsed: ParsedPlan, target: Plan | None
) -> PlanImport:
    """Keep a parsed upload until the office confirms it; nothing in the plan changes yet."""
    require_office(actor)
    if not parsed.nodes:
        raise ValidationFailed({"file": _("No headings were recognised in the text.")})
    staged = PlanImport(
        created_by_id=getattr(actor, "id", None),
        filename=(filename or "")[:255],
        source_text=source_text,
        source_sha256=source_digest(source_text),
        parsed_json=parsed.to_dict(),
        target_plan_id=target.id if target else None,
        # The office's corrections of the plan's last import are replayed on its revision.
        corrections=list(target.corrections or []) if target else [],
    )
    db.session.add(staged)
    db.session.flush()
    record_event(
        actor,
        "plan_import.staged",
        staged,
        after={
            "filename": staged.filename,
            "sha256": staged.source_sha256,
            "target_plan_id": staged.target_plan_id,
            "nodes": len(flatten(parsed.nodes)),
            "indicators": len(parsed.indicators),
            "warnings": len(parsed.warnings),
        },
    )
    return staged


def apply_import(
    actor,
    staged: PlanImport,
    *,
    title: str,
    period: tuple[int, int],
    base_sha256: str | None,
    now: datetime,
) -> ApplyResult:
    """Create the plan, or revise its target in place, in the caller's one transaction.

    `base_sha256` is the target's text the preview was compared with: if the plan changed
    since, the preview is stale. Applying the same staged import twice is refused.
    """
    require_office(actor)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationFailed({"title": _("A title of 1 to 200 characters is required.")})
    _serialize_plan_imports()
    marked = db.session.execute(
        update(PlanImport)
        .where(PlanImport.id == staged.id, PlanImport.applied_at.is_(None))
        .values(applied_at=now)
    )
    if marked.rowcount != 1:
        raise InvalidTransition(_("This upload has been applied already."))
    identical = find_identical_plan(staged.source_sha256)
    if identical is not None:
        raise InvalidTransition(
            _("This text is already imported as “%(title)s”: nothing to do.", title=identical.title)
        )
    corrected = apply_corrections(parsed_from_dict(staged.parsed_json), staged.corrections)
    parsed = corrected.parsed
    if staged.target_plan_id is None:
        plan = import_plan(actor, parsed, staged.source_text, title=title, period=period)
        staged.target_plan_id = plan.id
        result = ApplyResult(plan, created=True)
    else:
        plan = db.session.get(Plan, staged.target_plan_id, with_for_update=True)
        if plan is None:
            raise NotFound()
        if plan.is_archived:
            raise InvalidTransition(
                _("“%(title)s” is archived and read-only; unarchive it first.", title=plan.title)
            )
        if base_sha256 is not None and plan.source_sha256 != base_sha256:
            raise StaleVersion(
                _("The plan was changed after this preview was made; look at the changes again.")
            )
        revision = revise_plan(
            actor,
            plan,
            parsed,
            staged.source_text,
            staged.source_sha256,
            title=title,
            period=period,
        )
        result = ApplyResult(plan, created=False, revision=revision)
    plan.corrections = corrected.applied
    record_event(
        actor,
        "plan_import.applied",
        staged,
        after={
            "plan_id": plan.id,
            "created": result.created,
            "sha256": staged.source_sha256,
            "corrections": len(corrected.applied),
        },
    )
    db.session.flush()
    return result


def _serialize_plan_imports() -> None:
    """One import applies at a time (PostgreSQL; SQLite serialises writers anyway).

    Without it, two uploads of the same new text confirmed at once would both find no
    identical plan and create two. Imports are rare, so one lock for all of them is enough;
    it is released when the transaction ends.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK_KEY})


def discard_import(actor, staged: PlanImport) -> None:
    """Drop an upload that will not be applied."""
    require_office(actor)
    if staged.applied_at is not None:
        raise InvalidTransition(_("This upload has been applied already."))
    record_event(actor, "plan_import.discarded", staged, before={"filename": staged.filename})
    db.session.delete(staged)
    db.session.flush()


def archive_plan(actor, plan: Plan) -> None:
    """A finished plan: read-only, still readable, listed apart from the active ones."""
    require_office(actor)
    if plan.is_archived:
        raise InvalidTransition(_("The plan is archived already."))
    _set_status(actor, plan, "archived", "plan.archived")


def unarchive_plan(actor, plan: Plan) -> None:
    require_office(actor)
    if not plan.is_archived:
        raise InvalidTransition(_("The plan is not archived."))
    _set_status(actor, plan, "active", "plan.unarchived")


def _set_status(actor, plan: Plan, status: str, action: str) -> None:
    before = plan.status
    plan.status = status
    record_event(actor, action, plan, before={"status": before}, after={"status": status})
    db.session.flush()
