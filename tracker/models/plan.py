"""Plans as issued: the node tree (chapters … 专栏), indicators and their yearly values."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.extensions import db
from tracker.models.base import TimestampMixin, VersionedMixin, one_of
from tracker.workflow import DIRECT_REVIEW_STATES

NODE_KINDS = ("part", "chapter", "section", "task", "item", "column")


class Plan(TimestampMixin, db.Model):
    __tablename__ = "plan"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'archived')", name="status"),
        CheckConstraint("frequency IN ('quarterly', 'monthly')", name="frequency"),
        CheckConstraint("end_year >= start_year", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    doc_number: Mapped[str | None] = mapped_column(String(100))
    start_year: Mapped[int] = mapped_column()
    end_year: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    frequency: Mapped[str] = mapped_column(String(16), default="quarterly")
    # Report deadline: this many working days after a period ends.
    report_deadline_working_days: Mapped[int] = mapped_column(default=5)
    source_text: Mapped[str] = mapped_column(Text, default="")
    source_sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The office's corrections to the parse (tracker/plans/corrections.py), replayed on the
    # next revision of the plan where the nodes still match.
    corrections: Mapped[list | None] = mapped_column(db.JSON)

    nodes: Mapped[list[PlanNode]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="PlanNode.position"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Indicator.number"
    )

    @property
    def baseline_year(self) -> int:
        return self.start_year - 1

    @property
    def is_archived(self) -> bool:
        return self.status == "archived"


class PlanNode(db.Model):
    """One heading of the plan with its own body text; `code` points back to the source."""

    __tablename__ = "plan_node"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('part', 'chapter', 'section', 'task', 'item', 'column')", name="kind"
        ),
        Index("ix_plan_node_plan_position", "plan_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_node.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    code: Mapped[str] = mapped_column(String(60))
    depth: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    # From the node's note （牵头单位：A；责任单位：B）: {"lead": [...], "co": [...], "raw": ...}
    # and its deadline {"raw": "6月底前", "date": "2022-06-30" or null}; names as written.
    responsibility: Mapped[dict | None] = mapped_column(db.JSON)
    deadline: Mapped[dict | None] = mapped_column(db.JSON)

    plan: Mapped[Plan] = relationship(back_populates="nodes")
    parent: Mapped[PlanNode | None] = relationship(remote_side="PlanNode.id")


class Indicator(VersionedMixin, TimestampMixin, db.Model):
    __tablename__ = "indicator"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        CheckConstraint(
            "kind IN ('floor', 'target', 'cumulative', 'rank', 'milestone')", name="kind"
        ),
        CheckConstraint("attribute IN ('约束性', '预期性')", name="attribute"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    # Indexed: the indicator list, the dashboards and the API filter by category.
    category: Mapped[str] = mapped_column(String(60), default="", index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(30))
    baseline: Mapped[float | None] = mapped_column()
    baseline_text: Mapped[str | None] = mapped_column(String(60))
    target: Mapped[float | None] = mapped_column()
    target_text: Mapped[str | None] = mapped_column(String(60))
    attribute: Mapped[str] = mapped_column(String(8), default="预期性")
    cumulative: Mapped[bool] = mapped_column(default=False)
    kind: Mapped[str] = mapped_column(String(12), default="target")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)

    plan: Mapped[Plan] = relationship(back_populates="indicators")
    department = relationship("Department")
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="IndicatorValue.year"
    )

    @property
    def binding(self) -> bool:
        return self.attribute == "约束性"


class IndicatorValue(VersionedMixin, TimestampMixin, db.Model):
    """A yearly value, reported by the responsible department and reviewed by the office."""

    __tablename__ = "indicator_value"
    __table_args__ = (
        UniqueConstraint("indicator_id", "year"),
        CheckConstraint(one_of("state", DIRECT_REVIEW_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column()
    value_text: Mapped[str] = mapped_column(String(60))
    value_number: Mapped[float | None] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(12), default="draft", index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column()
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    review_comment: Mapped[str | None] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(default=False)

    indicator: Mapped[Indicator] = relationship(back_populates="values")
    author = relationship("User", foreign_keys=[author_id])
    reviewer = relationship("User", foreign_keys=[reviewer_id])


class PlanImport(db.Model):
    """A parsed upload waiting for the office to confirm it (nothing is applied before)."""

    __tablename__ = "plan_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    source_text: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str] = mapped_column(String(64))
    parsed_json: Mapped[dict] = mapped_column(db.JSON)
    target_plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    applied_at: Mapped[datetime | None] = mapped_column()
    # Corrections made on the preview, applied with the import.
    corrections: Mapped[list | None] = mapped_column(db.JSON)
