"""Coordination requests (协调事项): what a verified report asked the leadership to help with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.extensions import db
from tracker.models.base import one_of
from tracker.workflow import CoordinationState, Subject


class CoordinationRequest(db.Model):
    """One 需协调事项, opened when its report is verified; the office resolves it with a note.

    Other features (a leader's instruction on it, say) attach by `coordination_request.id`
    and read `subject()` for the permission rules."""

    __tablename__ = "coordination_request"
    __table_args__ = (
        CheckConstraint(one_of("state", CoordinationState), name="state"),
        # The list filters by state and department and sorts by opening time.
        Index("ix_coordination_state_created", "state", "created_at"),
        Index("ix_coordination_department_state", "department_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"), index=True)
    # One request per report: verifying is final, so a report opens at most one.
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default=CoordinationState.OPEN.value)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    resolved_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    item = relationship("WorkItem")
    report = relationship("Report")
    department = relationship("Department")
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])

    def subject(self) -> Subject:
        """The owner department is the lead: office and leaders see it (RULES)."""
        return Subject(lead_department_id=self.department_id)
