"""The weekly digests: one per department with something to say, one city-wide for the office."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.indicators.labels import STATUS_LABELS
from tracker.indicators.queries import binding_warnings
from tracker.item_predicates import due_soon_days
from tracker.models import Plan, Report, ReportingPeriod, WorkItem
from tracker.notify.deadlines import open_items_filter
from tracker.notify.messages import (
    Directory,
    MessageDraft,
    Planned,
    Skipped,
    item_url,
    load_directory,
)
from tracker.notify.rendering import mail_locale
from tracker.notify.rules import digest_week, parse_day_of_week
from tracker.notify.schedule_news import newly_behind
from tracker.periods import not_reported_label

logger = logging.getLogger(__name__)


@dataclass
class DepartmentDigest:
    department_id: int
    overdue: list[dict] = field(default_factory=list)
    due_soon: list[dict] = field(default_factory=list)
    returned: list[dict] = field(default_factory=list)
    # Per period: items still without a submitted report, worded by the deadline rule.
    unreported: list[dict] = field(default_factory=list)
    # 序时进度: items newly turned yellow or red since the last digest (schedule_news.py).
    newly_behind: list[dict] = field(default_factory=list)

    @property
    def has_news(self) -> bool:
        return bool(self.overdue or self.due_soon or self.returned or self.newly_behind)

    @property
    def item_codes(self) -> list[str]:
        rows = self.overdue + self.due_soon + self.returned + self.newly_behind
        codes = [row["code"] for row in rows]
        return list(dict.fromkeys(codes))


def _item_columns():
    return (
        WorkItem.id,
        WorkItem.code,
        WorkItem.title,
        WorkItem.due_date,
        WorkItem.lead_department_id,
    )


def collect_department_digests(today: date) -> dict[int, DepartmentDigest]:
    """Overdue items, items due soon and returned reports, by lead department (3 queries)."""
    soon_until = today + timedelta(days=due_soon_days())
    digests: dict[int, DepartmentDigest] = {}

    def digest_of(department_id: int) -> DepartmentDigest:
        return digests.setdefault(department_id, DepartmentDigest(department_id))

    items = db.session.execute(
        select(*_item_columns())
        .join(Plan, Plan.id == WorkItem.plan_id)
        .where(open_items_filter(), WorkItem.due_date <= soon_until)
        .order_by(WorkItem.due_date, WorkItem.code)
    ).all()
    for row in items:
        entry = {
            "code": row.code,
            "title": row.title,
            "due": row.due_date,
            "url": item_url(row.id),
            "days_overdue": (today - row.due_date).days,
        }
        target = digest_of(row.lead_department_id)
        (target.overdue if row.due_date < today else target.due_soon).append(entry)

    returned = db.session.execute(
        select(
            *_item_columns(),
            ReportingPeriod.label,
            Report.reviewed_at,
            Report.review_comment,
        )
        .join(WorkItem, WorkItem.id == Report.item_id)
        .join(Plan, Plan.id == WorkItem.plan_id)
        .join(ReportingPeriod, ReportingPeriod.id == Report.period_id)
        .where(Report.state == "returned", open_items_filter())
        .order_by(Report.reviewed_at, WorkItem.code)
    ).all()
    for row in returned:
        digest_of(row.lead_department_id).returned.append(
            {
                "code": row.code,
                "title": row.title,
                "url": item_url(row.id),
                "period": row.label,
                "reason": row.review_comment or "",
            }
        )
    _collect_unreported(today, digest_of)
    return digests


# The period in focus and any whose deadline passed within the last week.
UNREPORTED_LOOKBACK_DAYS = 7


def _collect_unreported(today: date, digest_of) -> None:
    """Open items still owing a report for a recent period, counted by lead department
    (1 query); each count says 未报送 or 尚未报送（截止日未到） by tracker/periods.py's rule."""
    written = (
        select(Report.id)
        .where(
            Report.item_id == WorkItem.id,
            Report.period_id == ReportingPeriod.id,
            Report.state.in_(("submitted", "verified")),
        )
        .exists()
    )
    rows = db.session.execute(
        select(
            WorkItem.lead_department_id,
            ReportingPeriod.id,
            ReportingPeriod.label,
            ReportingPeriod.deadline,
            func.count(WorkItem.id).label("owing"),
        )
        .join(Plan, Plan.id == WorkItem.plan_id)
        .join(ReportingPeriod, ReportingPeriod.plan_id == WorkItem.plan_id)
        .where(
            open_items_filter(),
            ReportingPeriod.start_date <= today,
            ReportingPeriod.deadline >= today - timedelta(days=UNREPORTED_LOOKBACK_DAYS),
            ~written,
        )
        .group_by(
            WorkItem.lead_department_id,
            ReportingPeriod.id,
            ReportingPeriod.label,
            ReportingPeriod.deadline,
        )
        .order_by(ReportingPeriod.deadline, ReportingPeriod.label)
    ).all()
    for row in rows:
        digest_of(row.lead_department_id).unreported.append(
            {
                "period": row.label,
                "deadline": row.deadline,
                "count": row.owing,
                "label": not_reported_label(row, today, lazy=True),
            }
        )


def unreachable_departments(directory: Directory) -> list[dict]:
    """Departments leading open items with no active liaison who has an email (1 query)."""
    rows = db.session.execute(
        select(WorkItem.lead_department_id, func.count(WorkItem.id))
        .join(Plan, Plan.id == WorkItem.plan_id)
        .where(open_items_filter())
        .group_by(WorkItem.lead_department_id)
    ).all()
    result = []
    for department_id, count in rows:
        if not directory.liaisons_of(department_id):
            result.append({"department": directory.short_name(department_id), "open": count})
    return sorted(result, key=lambda row: row["department"] or "")


def indicator_warnings(today: date) -> list[dict]:
    """Binding indicators whose latest verified year raises a 预警 (the office's section)."""
    try:
        rows = binding_warnings(today)
    except Exception:  # the digest must still go out without this section
        logger.exception("binding_warnings(%s) failed; the office digest omits the section", today)
        return []
    return [
        {
            "name": row["name"],
            "year": row["year"],
            "department": row.get("department"),
            # Kept lazy: the digest is rendered later, in the readers' language.
            "status": STATUS_LABELS.get(row["status"], row["status"]),
        }
        for row in rows
    ]


def _department_draft(digest: DepartmentDigest, week: date, today: date, directory: Directory):
    department = directory.short_name(digest.department_id)
    dedupe_key = f"digest:dept:{digest.department_id}:{week.isoformat()}"
    to = directory.digest_readers.get(digest.department_id, [])
    if not to:
        return Skipped(dedupe_key, department, "nobody in the department receives the digest")
    figures = dict(
        department=department,
        overdue=len(digest.overdue),
        soon=len(digest.due_soon),
        returned=len(digest.returned),
    )
    if digest.newly_behind:  # 序时进度: say it in the subject too
        subject = _(
            "[Plan Tracker] Weekly digest for %(department)s: %(overdue)s overdue, "
            "%(soon)s due soon, %(returned)s returned, %(behind)s newly behind schedule",
            behind=len(digest.newly_behind),
            **figures,
        )
    else:
        subject = _(
            "[Plan Tracker] Weekly digest for %(department)s: %(overdue)s overdue, "
            "%(soon)s due soon, %(returned)s returned",
            **figures,
        )
    return MessageDraft(
        kind="digest",
        dedupe_key=dedupe_key,
        to=to,
        cc=[],
        department_id=digest.department_id,
        department=department,
        subject=subject,
        items=digest.item_codes,
        template="digest_department",
        context={"digest": digest, "today": today, "week": week},
    )


def _office_draft(digests, week: date, today: date, directory: Directory):
    rows = []
    for digest in digests.values():
        if digest.has_news:
            rows.append(
                {
                    "department": directory.short_name(digest.department_id),
                    "overdue": len(digest.overdue),
                    "due_soon": len(digest.due_soon),
                    "returned": len(digest.returned),
                    "newly_behind": len(digest.newly_behind),
                    "overdue_codes": [row["code"] for row in digest.overdue],
                }
            )
    rows.sort(key=lambda row: (-row["overdue"], row["department"] or ""))
    unreachable = unreachable_departments(directory)
    warnings = indicator_warnings(today)
    behind = [
        dict(row, department=directory.short_name(digest.department_id))
        for digest in digests.values()
        for row in digest.newly_behind
    ]
    behind.sort(key=lambda row: (row["light"] != "red", row["code"]))
    dedupe_key = f"digest:office:{week.isoformat()}"
    if not (rows or unreachable or warnings):
        return None
    if not directory.office_digest:
        return Skipped(dedupe_key, None, "no office user receives the digest")
    overdue_total = sum(row["overdue"] for row in rows)
    subject = _(
        "[Plan Tracker] City-wide weekly digest: %(overdue)s overdue items in "
        "%(departments)s departments",
        overdue=overdue_total,
        departments=sum(1 for row in rows if row["overdue"]),
    )
    codes = [code for row in rows for code in row["overdue_codes"]]
    return MessageDraft(
        kind="digest",
        dedupe_key=dedupe_key,
        to=directory.office_digest,
        cc=[],
        department_id=None,
        department=None,
        subject=subject,
        items=list(dict.fromkeys(codes)),
        template="digest_office",
        context={
            "rows": rows,
            "unreachable": unreachable,
            "warnings": warnings,
            "newly_behind": behind,
            "today": today,
            "week": week,
            "totals": {
                "overdue": overdue_total,
                "due_soon": sum(row["due_soon"] for row in rows),
                "returned": sum(row["returned"] for row in rows),
                "newly_behind": len(behind),
            },
        },
    )


def plan_digests(today: date, directory: Directory | None = None) -> Planned:
    """This week's digests if they are due on `today`; nothing when there is nothing to say."""
    week = digest_week(today, parse_day_of_week(current_app.config["DIGEST_DAY_OF_WEEK"]))
    if week is None:
        return Planned([], [])
    directory = directory or load_directory()
    digests = collect_department_digests(today)
    for row in newly_behind(today, week):
        department_id = row["department_id"]
        digests.setdefault(department_id, DepartmentDigest(department_id)).newly_behind.append(row)
    drafts: list[MessageDraft] = []
    skipped: list[Skipped] = []
    with mail_locale():
        for department_id in sorted(digests):
            digest = digests[department_id]
            department = directory.departments.get(department_id)
            if not digest.has_news or department is None or department.is_office:
                continue  # the office's own items are in the city-wide digest
            result = _department_draft(digest, week, today, directory)
            (skipped if isinstance(result, Skipped) else drafts).append(result)
        office = _office_draft(digests, week, today, directory)
        if office is not None:
            (skipped if isinstance(office, Skipped) else drafts).append(office)
    return Planned(drafts, skipped)
