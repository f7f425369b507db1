"""Work items, their owners and deadlines, reporting periods, reports and evidence."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.extensions import db
from tracker.models.base import TimestampMixin, VersionedMixin, one_of
from tracker.workflow import ExtensionState, ItemStatus, QualityGrade, ReviewState, Subject

item_co_department = Table(
    "item_co_department",
    db.metadata,
    Column("item_id", ForeignKey("work_item.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id"), primary_key=True),
    # A department's co-owned items from the index alone (the item list counts and pages
    # them for its liaisons; with (department_id) only, each entry was a row lookup too).
    Index("ix_item_co_department_department_item", "department_id", "item_id"),
)

_REVIEW_STATES = one_of("state", ReviewState)


_LIVE = {
    "sqlite_where": text("retired_at IS NULL"),
    "postgresql_where": text("retired_at IS NULL"),
}
_RETIRED = {
    "sqlite_where": text("retired_at IS NOT NULL"),
    "postgresql_where": text("retired_at IS NOT NULL"),
}


def is_closed(status: str, retired_at) -> bool:
    """Completed or retired: nothing more is reported or chased."""
    return status == "completed" or retired_at is not None


class WorkItem(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "work_item"
    __table_args__ = (
        CheckConstraint(one_of("status", ItemStatus), name="status"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
        CheckConstraint("priority BETWEEN 1 AND 3", name="priority"),
        UniqueConstraint("plan_id", "code"),
        Index("ix_work_item_lead_due", "lead_department_id", "due_date"),
        Index("ix_work_item_status_due", "status", "due_date"),
        # Live items (retired_at IS NULL) are indexed by partial indexes: each retired item
        # has its own retired_at, so SQLite's statistics made `retired_at IS NULL` look like
        # 77 rows of 10,000 and a (retired_at, …) index won every plan it appeared in.
        # Live items in list order (… ORDER BY plan_id, id): a list page reads 25 index
        # entries instead of sorting every item (42 ms → 0.2 ms at bench M).
        Index("ix_work_item_live_plan", "plan_id", "retired_at", **_LIVE),
        # One department's live items, counted from the index alone, in list order (the
        # item list by department: its count 3.3 → 0.05 ms).
        Index("ix_work_item_lead_live", "lead_department_id", "plan_id", "retired_at", **_LIVE),
        # Open / overdue / due-soon counts and items by status, from the index alone (office
        # home's counts by status 10.7 → 0.4 ms, overdue by department 3.8 → 0.5 ms).
        Index(
            "ix_work_item_live_status",
            "status",
            "due_date",
            "lead_department_id",
            "retired_at",
            **_LIVE,
        ),
        Index("ix_work_item_retired_status", "status", "retired_at", **_RETIRED),
        # One plan's items in lead-department order: the dashboards' per-department GROUP BYs
        # (reporting per period) otherwise walked every item by lead department (57 ms at
        # bench M, SQLite) to read one plan's tenth of them.
        Index("ix_work_item_plan_lead", "plan_id", "lead_department_id"),
        # A department's items are found by id (led ∪ co-owned, item_predicates); their state
        # and due date then come from this index instead of each item's whole row (a liaison
        # home's counts: ~3–7 → ~1 ms each at bench M, SQLite).
        Index(
            "ix_work_item_id_state",
            "id",
            "status",
            "retired_at",
            "due_date",
            "lead_department_id",
            "plan_id",
        ),
        # Everything the 序时进度 light (schedule_query.light_case) and the dashboards' tallies
        # read of a live item: counting lights over every item then reads this narrow index
        # instead of the ~1 KB rows (descriptions): office home's light counts 19 → 6 ms,
        # the list's `light=` count 9 → 4 ms at bench M, SQLite.
        Index(
            "ix_work_item_live_schedule",
            "plan_id",
            "status",
            "due_date",
            "start_date",
            "schedule_basis",
            "schedule_actual",
            "schedule_grey_days",
            "progress",
            "lead_department_id",
            "section_node_id",
            "source_node_id",
            "retired_at",
            **_LIVE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    source_node_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_node.id", ondelete="SET NULL"), index=True
    )
    # The top-level section the item sits in, kept for filtering and dashboards.
    section_node_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_node.id", ondelete="SET NULL"), index=True
    )
    code: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    deliverable: Mapped[str] = mapped_column(Text, default="")
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    # 序时进度 runs from here to the due date (tracker/schedule.py); set when the item is made.
    start_date: Mapped[date | None] = mapped_column()
    due_date: Mapped[date | None] = mapped_column()
    original_due_date: Mapped[date | None] = mapped_column()
    priority: Mapped[int] = mapped_column(default=2)
    indicator_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicator.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    progress: Mapped[int] = mapped_column(default=0)
    completed_at: Mapped[datetime | None] = mapped_column()
    retired_at: Mapped[datetime | None] = mapped_column()  # ix_work_item_live_plan
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Facts behind the 序时进度 light that live in other tables, stored so a page can light
    # thousands of items without a subquery each; kept by tracker.schedule_facts on every
    # write of their inputs (never set by hand). None of them depends on the date.
    schedule_actual: Mapped[int] = mapped_column(default=0, server_default="0")
    schedule_basis: Mapped[str] = mapped_column(
        String(10), default="linear", server_default="linear"
    )
    # The reporting period's length in days while nothing is verified yet (the grey window);
    # NULL once a report or a milestone is verified.
    schedule_grey_days: Mapped[int | None] = mapped_column()

    plan = relationship("Plan")
    source_node = relationship("PlanNode", foreign_keys=[source_node_id])
    section_node = relationship("PlanNode", foreign_keys=[section_node_id])
    lead_department = relationship("Department", foreign_keys=[lead_department_id])
    co_departments = relationship(
        "Department", secondary=item_co_department, order_by="Department.id"
    )
    indicator = relationship("Indicator")
    reports: Mapped[list[Report]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Report.period_id"
    )

    @property
    def is_closed(self) -> bool:
        return is_closed(self.status, self.retired_at)

    @property
    def lead_name(self) -> str | None:
        """The lead department's short name (None: no owner yet)."""
        return self.lead_department.short_name if self.lead_department else None

    @property
    def co_names(self) -> tuple[str, ...]:
        return tuple(department.short_name for department in self.co_departments)

    def is_overdue(self, today: date) -> bool:
        return self.due_date is not None and not self.is_closed and self.due_date < today

    def subject(self, state: str | None = None) -> Subject:
        """What the pure permission rules need to know about this item."""
        return Subject(
            lead_department_id=self.lead_department_id,
            co_department_ids=frozenset(d.id for d in self.co_departments),
            state=state,
            closed=self.is_closed,
        )


class ReportingPeriod(db.Model):
    __tablename__ = "reporting_period"
    __table_args__ = (
        UniqueConstraint("plan_id", "label"),
        CheckConstraint("end_date >= start_date", name="dates"),
        Index("ix_reporting_period_plan_end", "plan_id", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(20))  # 2026Q4 / 2026-11
    start_date: Mapped[date] = mapped_column()
    end_date: Mapped[date] = mapped_column()
    deadline: Mapped[date] = mapped_column(index=True)


class Report(VersionedMixin, TimestampMixin, db.Model):
    """The lead department's progress report for one item and one period."""

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("item_id", "period_id"),
        CheckConstraint(_REVIEW_STATES, name="state"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
        Index("ix_report_state_submitted", "state", "submitted_at"),
        # "Latest verified / returned" lists (ORDER BY reviewed_at DESC LIMIT n): without it
        # every verified report was joined and sorted (190–370 ms at bench M, SQLite).
        Index("ix_report_state_reviewed", "state", "reviewed_at"),
        CheckConstraint(
            "quality_grade IS NULL OR " + one_of("quality_grade", QualityGrade), name="grade"
        ),
        # The focus period's reports by state, from the index alone (homes' counts by
        # report state 11 → 3.5 ms at bench M, SQLite).
        Index("ix_report_period_state", "period_id", "state", "item_id"),
        # "Has this item a verified report?" (the stored 序时进度 facts): without it SQLite
        # walked ix_report_state_submitted through every verified report of the city, per
        # item (bench M: refreshing all items 499 s → under a second).
        Index("ix_report_item_state", "item_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("reporting_period.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="draft")
    narrative: Mapped[str] = mapped_column(Text, default="")
    # The structured report: 存在问题, 下步计划, 需协调事项 (each optional).
    problems: Mapped[str] = mapped_column(Text, default="", server_default="")
    next_steps: Mapped[str] = mapped_column(Text, default="", server_default="")
    support_needed: Mapped[str] = mapped_column(Text, default="", server_default="")
    progress: Mapped[int] = mapped_column(default=0)
    completes: Mapped[bool] = mapped_column(default=False)
    # 代报: the office entered it for the lead department (author_id is the office user).
    on_behalf: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column()
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    review_comment: Mapped[str | None] = mapped_column(Text)
    # The department head's sign-off (tracker/signoff), when the department has an approver.
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[datetime | None] = mapped_column()
    # The reviewer's quality grade (优/良/中/差, tracker/workflow QualityGrade), given when
    # verifying; scored by the assessment rules (issue #19). NULL: verified without a grade.
    quality_grade: Mapped[str | None] = mapped_column(String(12))
    is_demo: Mapped[bool] = mapped_column(default=False)

    item: Mapped[WorkItem] = relationship(back_populates="reports")
    period = relationship("ReportingPeriod")
    author = relationship("User", foreign_keys=[author_id])
    reviewer = relationship("User", foreign_keys=[reviewer_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    revisions: Mapped[list[ReportRevision]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportRevision.number"
    )
    attachments = relationship(
        "Attachment", primaryjoin="Attachment.report_id == Report.id", viewonly=True
    )


class ReportRevision(db.Model):
    """A snapshot taken at every submission, with the review that answered it."""

    __tablename__ = "report_revision"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    narrative: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="", server_default="")
    next_steps: Mapped[str] = mapped_column(Text, default="", server_default="")
    support_needed: Mapped[str] = mapped_column(Text, default="", server_default="")
    progress: Mapped[int] = mapped_column(default=0)
    completes: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime] = mapped_column(default=clock.now)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    outcome: Mapped[str | None] = mapped_column(String(12))  # verified / returned
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column()

    report: Mapped[Report] = relationship(back_populates="revisions")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    reviewer = relationship("User", foreign_keys=[reviewer_id])


class Contribution(db.Model):
    """A co-department's (or the lead's) comment on an item, with evidence."""

    __tablename__ = "contribution"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    department = relationship("Department")
    author = relationship("User")


class Attachment(db.Model):
    """Evidence. Stored under a random name outside the web root; the original name is data."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_item.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("report.id", ondelete="CASCADE"), index=True
    )
    contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("contribution.id", ondelete="CASCADE"), index=True
    )
    indicator_value_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicator_value.id", ondelete="CASCADE"), index=True
    )
    # Evidence of a reply to a supervision letter (tracker/letters).
    letter_id: Mapped[int | None] = mapped_column(
        ForeignKey("letter.id", ondelete="CASCADE"), index=True
    )
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class ExtensionRequest(db.Model):
    """延期申请: the lead asks for a later due date; the office decides with a reason."""

    __tablename__ = "extension_request"
    __table_args__ = (CheckConstraint(one_of("state", ExtensionState), name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text)
    previous_due_date: Mapped[date | None] = mapped_column()
    requested_due_date: Mapped[date] = mapped_column()
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    item = relationship("WorkItem")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
