"""Assessment rules (考核细则): versions valid for a range of years, points per event, caps."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.extensions import db


class AssessmentRuleSet(db.Model):
    """One version of the rules: valid from `first_year` through `last_year` (open when
    NULL). Versions never overlap (tracker/assessment/operations.py refuses it), and a stored
    version's rules are never edited: a change is a new version, so an earlier year's sheet
    is always scored by the rules it was scored by."""

    __tablename__ = "assessment_rule_set"
    __table_args__ = (
        CheckConstraint("last_year IS NULL OR last_year >= first_year", name="years"),
        CheckConstraint("base_score >= 0", name="base"),
        UniqueConstraint("first_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_year: Mapped[int] = mapped_column()
    last_year: Mapped[int | None] = mapped_column()
    base_score: Mapped[float] = mapped_column(default=100)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    rules: Mapped[list[AssessmentRule]] = relationship(
        back_populates="rule_set", cascade="all, delete-orphan", order_by="AssessmentRule.position"
    )
    caps: Mapped[list[AssessmentCap]] = relationship(
        back_populates="rule_set", cascade="all, delete-orphan", order_by="AssessmentCap.category"
    )
    created_by = relationship("User")

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


class AssessmentRule(db.Model):
    """Points for each event of one kind (negative for a deduction), in a category."""

    __tablename__ = "assessment_rule"
    __table_args__ = (
        UniqueConstraint("rule_set_id", "event"),
        Index("ix_assessment_rule_set_position", "rule_set_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_rule_set.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(default=0)
    event: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(60))
    points: Mapped[float] = mapped_column()

    rule_set: Mapped[AssessmentRuleSet] = relationship(back_populates="rules")


class AssessmentCap(db.Model):
    """A category's total is held within −cap … +cap (a category without a row is uncapped)."""

    __tablename__ = "assessment_cap"
    __table_args__ = (
        UniqueConstraint("rule_set_id", "category"),
        CheckConstraint("cap >= 0", name="cap"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_rule_set.id", ondelete="CASCADE")
    )
    category: Mapped[str] = mapped_column(String(60))
    cap: Mapped[float] = mapped_column()

    rule_set: Mapped[AssessmentRuleSet] = relationship(back_populates="caps")
