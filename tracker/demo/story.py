"""The demo plan's story: reports, reviews, extensions and contributions from 2021 to `now`.

Told by tracker.demo.items once the items have owners (see its docstring for the plot).
"""

from __future__ import annotations

import io
import logging
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from tracker import clock
from tracker.extensions import db
from tracker.items.deadlines import decide_extension, request_extension
from tracker.items.reports import (
    add_contribution,
    attach_evidence,
    create_report,
    save_draft,
    submit_report,
)
from tracker.models import Plan, ReportingPeriod, User, WorkItem
from tracker.periods import focus_period
from tracker.review.operations import return_report, verify_report

logger = logging.getLogger(__name__)

FEATURED = ("fgw", "scjgj", "jxj")  # the liaisons `flask demo` prints
PHRASES = [
    "召开专题推进会，明确责任分工和时间节点",
    "印发配套实施方案，分解年度目标",
    "组织开展专项检查和跟踪评估",
    "推动重点项目落地并建立工作台账",
    "开展业务培训和宣传活动",
    "会同配合单位完成阶段性评估",
]
RETURN_REASONS = [
    "佐证材料不全，请补充会议纪要或文件扫描件。（演示）",
    "进度与上季度报告不一致，请核实后说明原因。（演示）",
    "未说明下一步计划和完成时限，请补充。（演示）",
]


def at(day: date, hour: int = 2) -> datetime:
    """A naive UTC instant on `day` (hour 2 UTC = 10:00 in Shanghai)."""
    return datetime.combine(day, time(hour, 0))


class Story:
    """Reports, reviews, extensions and contributions, from 2021 up to `now`."""

    def __init__(self, plan: Plan, departments: dict, office: User, now: datetime):
        self.plan = plan
        self.now = now
        self.today = clock.today(now)
        self.office = office
        self.office2 = db.session.scalar(select(User).where(User.username == "office2")) or office
        self.code_of = {d.id: code for code, d in departments.items()}
        self.liaisons = {
            u.department_id: u
            for u in db.session.scalars(
                select(User).where(User.role == "liaison", User.username.like("liaison-%"))
            )
        }
        self.periods = list(
            db.session.scalars(
                select(ReportingPeriod)
                .where(ReportingPeriod.plan_id == plan.id, ReportingPeriod.start_date <= self.today)
                .order_by(ReportingPeriod.start_date)
            )
        )
        self.focus = focus_period(plan.id, self.today)
        index = self.periods.index(self.focus)
        self.previous = self.periods[index - 1]
        self.history = [
            p
            for p in self.periods
            if p.label.endswith("Q4") and p.end_date < self.previous.start_date
        ] or self.periods[: max(0, index - 1)][-3:]
        self.counter = 0

    # -------------------------------------------------------------- helpers

    def _phrase(self) -> str:
        self.counter += 1
        return PHRASES[self.counter % len(PHRASES)]

    def _author(self, item: WorkItem) -> User:
        return self.liaisons[item.lead_department_id]

    def _report(
        self,
        item,
        period,
        state,
        progress,
        *,
        completes=False,
        when=None,
        text=None,
        evidence=None,
    ):
        """One report through the real operations: drafted, submitted, reviewed."""
        author = self._author(item)
        written = when or at(period.end_date + timedelta(days=2))
        narrative = text or (
            f"{period.label}：{item.lead_department.short_name}围绕“{item.title}”"
            f"{self._phrase()}，累计完成{progress}%。（演示）"
        )
        report = create_report(
            author,
            item,
            period,
            narrative=narrative,
            progress=progress,
            completes=completes,
            sections=self._sections(state),
            now=written,
            is_demo=True,
        )
        if evidence:
            name, body = evidence
            attach_evidence(author, report, [FileStorage(io.BytesIO(body), name)], now=written)
        if state == "draft":
            return report
        submitted = written + timedelta(hours=3)
        submit_report(author, report, expected_version=None, now=submitted)
        if state == "submitted":
            return report
        # Never in the future, never before the submission.
        reviewed = max(
            min(written + timedelta(days=4), self.now - timedelta(hours=1)),
            submitted + timedelta(hours=1),
        )
        if state == "returned":
            reason = RETURN_REASONS[self.counter % len(RETURN_REASONS)]
            return_report(self.office, report, expected_version=None, reason=reason, now=reviewed)
        else:
            verify_report(self.office, report, expected_version=None, now=reviewed)
        return report

    def _sections(self, state: str) -> dict:
        """存在问题 / 下步计划 on every third report; now and then a 需协调事项, which opens a
        coordination request once verified."""
        sections = {}
        if self.counter % 3 == 0:
            sections["problems"] = "部分项目前期手续办理进度偏慢。（演示）"
            sections["next_steps"] = "加快推进项目审批和资金拨付。（演示）"
        if self.counter % 11 == 0 and state == "verified":
            sections["support_needed"] = "请市级层面协调解决项目用地指标。（演示）"
        return sections

    def _history(self, item, until_start: date, top: int) -> None:
        """Yearly verified reports before `until_start`, progress climbing towards `top`."""
        periods = [p for p in self.history if p.end_date < until_start]
        for k, period in enumerate(periods):
            progress = max(5, round(top * (k + 1) / (len(periods) + 1)))
            self._report(item, period, "verified", progress)

    def _extend(self, item, new_due: date, approve: bool = True, asked: date | None = None):
        asked = asked or min(self.today - timedelta(days=30), date(self.plan.end_year, 12, 10))
        request = request_extension(
            self._author(item),
            item,
            requested_due_date=new_due,
            reason=f"受项目审批和资金到位进度影响，申请延期至{new_due.isoformat()}。（演示）",
            now=at(asked),
        )
        if approve is None:
            return request
        decide_extension(
            self.office,
            request,
            approve=approve,
            comment="同意延期，请按新时限推进。（演示）"
            if approve
            else "延期理由不充分，请按原时限加快推进。（演示）",
            now=at(asked + timedelta(days=5)),
        )
        return request

    def _evidence(self, report, name: str, body: bytes) -> None:
        attach_evidence(
            self._author(report.item),
            report,
            [FileStorage(io.BytesIO(body), name)],
            now=self._focus_time(2),
        )

    # -------------------------------------------------------------- the story

    def tell(self, result) -> None:
        items = db.session.scalars(
            select(WorkItem)
            .where(WorkItem.plan_id == self.plan.id, WorkItem.retired_at.is_(None))
            .order_by(WorkItem.id)
        ).all()
        by_dept: dict[str, list[WorkItem]] = {}
        for item in items:
            by_dept.setdefault(self.code_of.get(item.lead_department_id, "?"), []).append(item)
        open_roles: dict[int, str] = {}
        for code in FEATURED:
            for role, item in zip("ABC", by_dept.get(code, []), strict=False):
                open_roles[item.id] = role
        for role, item in zip("DE", by_dept.get("scjgj", [])[3:], strict=False):
            open_roles[item.id] = role
        for code, role in (("jsj", "F"), ("sthjj", "G"), ("kjj", "H")):
            if by_dept.get(code):
                open_roles[by_dept[code][0].id] = role
        closing = [p for p in self.periods if p.start_date >= date(self.plan.end_year - 2, 10, 1)]
        closing = [p for p in closing if p.end_date < self.focus.start_date] or [self.previous]
        closed = 0
        for n, item in enumerate(items):
            role = open_roles.get(item.id)
            if role is None:
                period = closing[n % len(closing)]
                self._history(item, period.start_date, 80)
                self._report(
                    item,
                    period,
                    "verified",
                    100,
                    completes=True,
                    text=f"“{item.title}”各项任务已全部完成，{self._phrase()}，申请销号。（演示）",
                    evidence=("完成情况说明.pdf", _demo_pdf(item.code)) if n % 7 == 0 else None,
                )
                closed += 1
            else:
                self._open_item(item, role)
        result.messages.append(
            f"work items: story to {self.today.isoformat()}: {closed} closed, "
            f"{len(open_roles)} open (focus period {self.focus.label})"
        )

    def _open_item(self, item: WorkItem, role: str) -> None:
        top = {"A": 60, "B": 75, "C": 70, "D": 50, "E": 40, "F": 65, "G": 45, "H": 55}[role]
        self._history(item, self.previous.start_date, top)
        self._report(item, self.previous, "verified", top + 5)
        if role == "A":  # overdue, the extension was refused, this period's report returned
            self._extend(item, date(self.today.year + 1, 6, 30), approve=False)
            report = self._focus_report(item, "returned", top + 8)
            self._contribute(item)
        elif role == "B":  # extension approved: due in nine days; resubmitted after a return
            self._extend(item, self.today + timedelta(days=9))
            report = self._focus_report(item, "returned", top + 10)
            save_draft(
                self._author(item),
                report,
                expected_version=None,
                narrative=report.narrative + "\n已补充会议纪要和验收报告扫描件。（演示）",
                progress=top + 12,
                completes=False,
                now=self._focus_time(2),
            )
            self._evidence(report, "验收报告.pdf", _demo_pdf(item.code))
            submit_report(
                self._author(item), report, expected_version=None, now=self._focus_time(2)
            )
            self._contribute(item)
        elif role == "C":  # extended into the year after next, this period verified
            self._extend(item, date(self.today.year + 1, 6, 30))
            self._report(
                item,
                self.focus,
                "verified",
                top + 15,
                when=self._focus_time(10),
                evidence=("阶段成果.txt", "阶段成果清单（演示）\n".encode()),
            )
        elif role == "D":  # overdue, a draft in progress
            self._focus_report(item, "draft", top + 5)
        elif role == "E":  # overdue, an extension request waiting for the office
            self._extend(
                item,
                date(self.today.year + 1, 3, 31),
                approve=None,
                asked=self.today - timedelta(days=3),
            )
        elif role == "F":  # extended well ahead, submitted
            self._extend(item, date(self.today.year + 1, 3, 31))
            self._focus_report(item, "submitted", top + 10)
        elif role == "H":  # extended into next weeks, a draft
            self._extend(item, self.today + timedelta(days=40))
            self._focus_report(item, "draft", top + 5)
        # role G: overdue, nothing written yet this period

    def _focus_time(self, days_ago: int) -> datetime:
        day = max(self.focus.start_date, self.today - timedelta(days=days_ago))
        return at(day, 1)

    def _focus_report(self, item, state, progress):
        return self._report(item, self.focus, state, progress, when=self._focus_time(10))

    def _contribute(self, item: WorkItem) -> None:
        for department in item.co_departments[:1]:
            liaison = self.liaisons.get(department.id)
            if liaison is not None:
                add_contribution(
                    liaison,
                    item,
                    body=f"{department.short_name}已按分工完成本季度配合任务，相关数据已报送牵头单位。（演示）",
                    now=self._focus_time(6),
                )


def _demo_pdf(label: str) -> bytes:
    """A tiny valid PDF saying it is demo evidence."""
    text = f"Demo evidence {label}".encode("ascii", "replace")
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 100]>>endobj\n"
        b"% " + text + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
