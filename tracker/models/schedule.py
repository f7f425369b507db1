"""Milestone plans (形象进度计划) of work items and their milestones, reviewed by the office."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import TimestampMixin, VersionedMixin, one_of
from tracker.workflow import DIRECT_REVIEW_STATES, ReviewState

_REVIEW_STATES = one_of("state", DIRECT_REVIEW_STATES)


class MilestonePlan(VersionedMixin, TimestampMixin, db.Model):
    """An item's milestone plan: proposed by the lead's liaison, approved (verified) by the
    office through tracker.transitions. Only the verified, not superseded plan (the plan in
    force) drives the expected progress. A revision is a new row (revision + 1) reviewed the
    same way; verifying it sets the old one's `superseded_at` (kept as history)."""

    __tablename__ = "milestone_plan"
    __table_args__ = (
        CheckConstraint(_REVIEW_STATES, name="state"),
        # Two liaisons proposing a revision at once: one row per number, the other fails.
        UniqueConstraint("item_id", "revision"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(default=1)
    superseded_at: Mapped[datetime | None] = mapped_column()
    state: Mapped[str] = mapped_column(String(12), default="draft")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column()
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    review_comment: Mapped[str | None] = mapped_column(Text)

    item = relationship("WorkItem")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="Milestone.position"
    )

    @classmethod
    def in_force(cls):
        """SQL: the plan drives the schedule (approved and not replaced by a revision)."""
        return and_(cls.state == ReviewState.VERIFIED.value, cls.superseded_at.is_(None))


class Milestone(VersionedMixin, db.Model):
    """One step of a milestone plan. Its `state` is the claim that it has been reached:
    draft (not claimed) → submitted (the liaison says it was reached on `reached_on`) →
    verified (the office agrees: its weight counts toward the actual progress) / returned."""

    __tablename__ = "milestone"
    __table_args__ = (
        CheckConstraint(_REVIEW_STATES, name="state"),
        CheckConstraint("weight >= 1 AND weight <= 100", name="weight"),
        # The set query reads an item's milestones by item (tracker/schedule_query.py).
        Index("ix_milestone_item_state", "item_id", "state"),
        Index("ix_milestone_state_submitted", "state", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("milestone_plan.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(300))
    planned_date: Mapped[date] = mapped_column()
    weight: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(String(12), default="draft")
    reached_on: Mapped[date | None] = mapped_column()
    submitted_at: Mapped[datetime | None] = mapped_column()
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column()
    review_comment: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[MilestonePlan] = relationship(back_populates="milestones")
    item = relationship("WorkItem", viewonly=True)
