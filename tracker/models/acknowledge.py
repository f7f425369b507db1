"""签收: each assignment of an item to a lead department, acknowledged or contested."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.extensions import db
from tracker.models.base import one_of
from tracker.workflow import AckState


class ItemAssignment(db.Model):
    """One (re)assignment of an item's lead: 签收 due by `ack_due`, or 申请调整牵头单位.

    Its `state` moves only through the review kernel (tracker.transitions, ACK_TRANSITIONS).
    """

    __tablename__ = "item_assignment"
    __table_args__ = (
        CheckConstraint(one_of("state", AckState), name="state"),
        # "Open assignments of a department, oldest due first" (homes and reminders).
        Index("ix_item_assignment_state_due", "state", "ack_due"),
        Index("ix_item_assignment_department_state", "department_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("work_item.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    state: Mapped[str] = mapped_column(String(20), default=AckState.PENDING.value)
    assigned_at: Mapped[datetime] = mapped_column(default=clock.now)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    ack_due: Mapped[date] = mapped_column()
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column()
    # 申请调整牵头单位: who asked, why, and which department they suggest (optional).
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime | None] = mapped_column()
    request_reason: Mapped[str | None] = mapped_column(Text)
    suggested_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_comment: Mapped[str | None] = mapped_column(Text)

    item = relationship("WorkItem")
    department = relationship("Department", foreign_keys=[department_id])
    suggested_department = relationship("Department", foreign_keys=[suggested_department_id])
    requested_by = relationship("User", foreign_keys=[requested_by_id])
