"""The figures of a 通报 for one reporting period: per department and ranked."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from tracker.bulletins.behind import BehindSchedule, behind_schedule
from tracker.dashboard.queries import departments_by_id
from tracker.dashboard.reporting import (
    ReportingStats,
    as_of_day,
    period_name,
    rank,
    reporting_stats,
)
from tracker.extensions import db
from tracker.models import Department, Plan, Report, ReportingPeriod, WorkItem
from tracker.periods import deadline_passed, not_reported_label

logger = logging.getLogger(__name__)

RANKING_SIZE = 3
# The 通报 quotes at most this many reports' 存在问题 / 需协调事项 (the rest are on the site).
ISSUE_LIMIT = 30


@dataclass
class BulletinIssue:
    """A verified report of the period that names problems or asks for coordination."""

    code: str
    title: str
    department: str
    problems: str
    support_needed: str
    on_behalf: bool


@dataclass
class BulletinLine:
    position: int
    name: str
    stats: ReportingStats


@dataclass
class Bulletin:
    plan: Plan
    period: ReportingPeriod
    today: date
    as_of: date
    issue: int  # the how-manieth period of its year: 第N期
    issuer: str
    lines: list[BulletinLine] = field(default_factory=list)
    total: ReportingStats = field(default_factory=lambda: ReportingStats(0))
    behind: BehindSchedule | None = None  # 欠进度 items and departments, as of today
    issues: list[BulletinIssue] = field(default_factory=list)

    @property
    def period_name(self) -> str:
        return period_name(self.period.label)

    @property
    def year(self) -> int:
        return self.period.start_date.year

    @property
    def deadline_passed(self) -> bool:
        return deadline_passed(self.period, self.today)

    @property
    def not_reported_label(self) -> str:
        """未报送, or 尚未报送（截止日未到） while the deadline is ahead."""
        return not_reported_label(self.period, self.today)

    def _arrears(self, stats: ReportingStats) -> int:
        """Missing reports count against a department only once the deadline has passed."""
        return stats.missing if self.deadline_passed else 0

    @property
    def best(self) -> list[BulletinLine]:
        """Who reported everything on time, best first (at most three)."""
        return [line for line in self.lines if line.stats.due][:RANKING_SIZE]

    @property
    def lagging(self) -> list[BulletinLine]:
        """Who has the most overdue items or missing reports (at most three); before the
        deadline a report not yet written is no arrear."""
        behind = [line for line in self.lines if line.stats.overdue or self._arrears(line.stats)]
        lights = {d.department_id: (d.red, d.items - d.red) for d in self._behind_departments()}

        def key(line):
            # Calendar figures first; 序时进度's red, then yellow items break their ties.
            red, yellow = lights.get(line.stats.department_id, (0, 0))
            return (-line.stats.overdue, -self._arrears(line.stats), -red, -yellow, line.name)

        return sorted(behind, key=key)[:RANKING_SIZE]

    def _behind_departments(self):
        return self.behind.departments if self.behind is not None else []


def period_issue(period: ReportingPeriod) -> int:
    """The bulletin's number within its year: 〔2026〕第3期 for the third quarter."""
    return int(
        db.session.scalar(
            select(func.count(ReportingPeriod.id)).where(
                ReportingPeriod.plan_id == period.plan_id,
                ReportingPeriod.start_date >= date(period.start_date.year, 1, 1),
                ReportingPeriod.start_date <= period.start_date,
            )
        )
        or 1
    )


def issuer_name() -> str:
    """The leading-group office, as the department marked as the office is called."""
    name = db.session.scalar(
        select(Department.name).where(Department.is_office).order_by(Department.id).limit(1)
    )
    return name or ""


def build_bulletin(period: ReportingPeriod, today: date, timezone: str) -> Bulletin:
    """Per department: items due, on time, late, missing, returned, overdue; ranked."""
    stats = reporting_stats(period, today, timezone)
    names = departments_by_id(stats)
    bulletin = Bulletin(
        plan=db.session.get(Plan, period.plan_id),
        period=period,
        today=today,
        as_of=as_of_day(period, today),
        issue=period_issue(period),
        issuer=issuer_name(),
        behind=behind_schedule(period.plan_id, today),
    )
    for position, line in enumerate(rank(stats), start=1):
        bulletin.lines.append(BulletinLine(position, names.get(line.department_id, ""), line))
        for name in ("due", "on_time", "late", "missing", "returned", "verified", "overdue"):
            setattr(bulletin.total, name, getattr(bulletin.total, name) + getattr(line, name))
    bulletin.issues = period_issues(period)
    return bulletin


def period_issues(period: ReportingPeriod) -> list[BulletinIssue]:
    """存在问题 and 需协调事项 of the period's verified reports, by item code (one query)."""
    rows = db.session.execute(
        select(
            WorkItem.code,
            WorkItem.title,
            Department.short_name,
            Report.problems,
            Report.support_needed,
            Report.on_behalf,
        )
        .join(WorkItem, WorkItem.id == Report.item_id)
        .outerjoin(Department, Department.id == WorkItem.lead_department_id)
        .where(
            Report.period_id == period.id,
            Report.state == "verified",
            (Report.problems != "") | (Report.support_needed != ""),
        )
        .order_by(WorkItem.code, WorkItem.id)
        .limit(ISSUE_LIMIT)
    ).all()
    return [
        BulletinIssue(row[0], row[1], row[2] or "", row[3] or "", row[4] or "", bool(row[5]))
        for row in rows
    ]


def bulletin_periods(plan_id: int, today: date) -> list[ReportingPeriod]:
    """Periods that have begun, newest first (a bulletin of the future says nothing)."""
    return list(
        db.session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.plan_id == plan_id, ReportingPeriod.start_date <= today)
            .order_by(ReportingPeriod.start_date.desc())
        )
    )
