"""Shared column helpers: UTC timestamps and the optimistic-locking version counter."""

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from tracker import clock


def utcnow() -> datetime:
    """Naive UTC now from the one clock: every instant is stored in UTC, shown in Asia/Shanghai."""
    return clock.now()


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """A counter every edit form carries; a save with an older one is a conflict (409)."""

    version: Mapped[int] = mapped_column(default=1)
