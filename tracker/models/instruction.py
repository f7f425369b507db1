"""领导批示: a leader's instruction on a work item or on a coordination request (协调事项)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.extensions import db
from tracker.models.base import VersionedMixin, one_of
from tracker.workflow import InstructionState


class Instruction(VersionedMixin, db.Model):
    """What a leader asked for, and the lead department's answer (落实情况) by `answer_due`.

    The target is an item, or a coordination request (`coordination_id`; `item_id` is then the
    request's item, so the item's history shows it too). `state` moves only through the
    review kernel (INSTRUCTION_TRANSITIONS); `version` guards the answer against a stale page.
    """

    __tablename__ = "instruction"
    __table_args__ = (
        CheckConstraint(one_of("state", InstructionState), name="state"),
        CheckConstraint("item_id IS NOT NULL OR coordination_id IS NOT NULL", name="target"),
        # Open instructions, oldest answer day first (the office's list and reminders).
        Index("ix_instruction_state_due", "state", "answer_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("work_item.id", ondelete="CASCADE"), index=True
    )
    coordination_id: Mapped[int | None] = mapped_column(
        ForeignKey("coordination_request.id", ondelete="CASCADE"), index=True
    )
    # Who must answer: the item's lead department (a request's owner department) when the
    # instruction was written.
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    answer_due: Mapped[date] = mapped_column()
    state: Mapped[str] = mapped_column(String(12), default=InstructionState.OPEN.value)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    answered_at: Mapped[datetime | None] = mapped_column()

    item = relationship("WorkItem")
    coordination = relationship("CoordinationRequest")
    department = relationship("Department")
    author = relationship("User", foreign_keys=[author_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
