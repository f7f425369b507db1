"""Uploaded 任务分解表 waiting for the office to confirm them (nothing is applied before)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker import clock
from tracker.extensions import db


class SpreadsheetImport(db.Model):
    """The preview of one upload: every row's action, changes and errors, as JSON.

    Kept in the database (not the session: a few thousand rows do not fit in a cookie) so
    any worker can show and apply it; `applied_at` is claimed atomically so it applies once.
    """

    __tablename__ = "spreadsheet_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    preview_json: Mapped[dict] = mapped_column(db.JSON)
    applied_at: Mapped[datetime | None] = mapped_column()
    applied_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    plan = relationship("Plan")
    created_by = relationship("User", foreign_keys=[created_by_id])
