"""Supervision letters (催办单 / 督办单 / 约谈问责通知) and their yearly number counters."""

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
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import TimestampMixin, VersionedMixin, one_of
from tracker.workflow import LetterLevel, LetterState, Subject

letter_item = Table(
    "letter_item",
    db.metadata,
    Column("letter_id", ForeignKey("letter.id", ondelete="CASCADE"), primary_key=True),
    # An item's letters (the item page, the rules' "open letters per item") by index.
    Column("item_id", ForeignKey("work_item.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class LetterCounter(db.Model):
    """The last number given for one year and level: the row is bumped with
    UPDATE … SET last = last + 1 RETURNING last, so two issuers wait for each other instead
    of both taking the same number (the unique (year, level, serial) is the backstop)."""

    __tablename__ = "letter_counter"
    __table_args__ = (UniqueConstraint("year", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column()
    level: Mapped[str] = mapped_column(String(10))
    last: Mapped[int] = mapped_column(default=0)


class Letter(VersionedMixin, TimestampMixin, db.Model):
    """One numbered letter to one department about one or more of its items."""

    __tablename__ = "letter"
    __table_args__ = (
        CheckConstraint(one_of("level", LetterLevel), name="level"),
        CheckConstraint(one_of("state", LetterState), name="state"),
        UniqueConstraint("year", "level", "serial"),
        Index("ix_letter_department_state", "department_id", "state"),
        Index("ix_letter_level_state", "level", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column()
    level: Mapped[str] = mapped_column(String(10))
    serial: Mapped[int] = mapped_column()
    # 〔2026〕催办第12号: a document number, data like a plan's code (not translated).
    number: Mapped[str] = mapped_column(String(40), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    state: Mapped[str] = mapped_column(String(10), default=LetterState.ISSUED.value, index=True)
    # [{"item_id", "code", "title", "kind", "basis", "days", "period"}]: why each item is here.
    reasons: Mapped[list] = mapped_column(db.JSON, default=list)
    issued_on: Mapped[date] = mapped_column(index=True)
    reply_due: Mapped[date] = mapped_column()
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # What made it: "auto:<level>:<department>:<day>" for the daily run, "manual:…" by hand.
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    note: Mapped[str | None] = mapped_column(Text)  # the office's words when issued by hand
    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column()
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_note: Mapped[str | None] = mapped_column(Text)  # 办结 note or cancel reason
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The higher letter that superseded this one, or the letter this one re-issues.
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"))
    reissue_of_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id"))

    department = relationship("Department")
    items = relationship("WorkItem", secondary=letter_item, order_by="WorkItem.code")
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    replied_by = relationship("User", foreign_keys=[replied_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    attachments = relationship(
        "Attachment", primaryjoin="Attachment.letter_id == Letter.id", viewonly=True
    )

    @property
    def is_open(self) -> bool:
        return self.state in (LetterState.ISSUED, LetterState.REPLIED)

    def subject(self) -> Subject:
        """What the pure letter rules (tracker.workflow.can_letter) look at."""
        return Subject(lead_department_id=self.department_id, state=self.state)
