"""Holiday years the office entered (the State Council's 放假安排), ahead of chinese_calendar."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.extensions import db

HOLIDAY_ENTRY_KINDS = ("holiday", "workday")


class HolidayYear(db.Model):
    """One year's official arrangement; while it exists it replaces the library's data."""

    __tablename__ = "holiday_year"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    # Where the arrangement comes from, e.g. 国办发明电〔2026〕7号 (free text, optional).
    source: Mapped[str | None] = mapped_column(String(200))
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    entered_at: Mapped[datetime] = mapped_column(default=clock.now)

    entries: Mapped[list[HolidayEntry]] = relationship(
        back_populates="holiday_year",
        cascade="all, delete-orphan",
        order_by="HolidayEntry.first_day",
    )


class HolidayEntry(db.Model):
    """A named holiday range (放假) or a 调休 working day range of one entered year."""

    __tablename__ = "holiday_entry"
    __table_args__ = (
        CheckConstraint("kind IN ('holiday', 'workday')", name="kind"),
        CheckConstraint("last_day >= first_day", name="range"),
        Index("ix_holiday_entry_year", "holiday_year_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    holiday_year_id: Mapped[int] = mapped_column(ForeignKey("holiday_year.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(40))
    first_day: Mapped[date] = mapped_column()
    last_day: Mapped[date] = mapped_column()

    holiday_year: Mapped[HolidayYear] = relationship(back_populates="entries")
