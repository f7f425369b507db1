"""Shared column helpers: UTC timestamps and the optimistic-locking version counter."""

from datetime import UTC, datetime

from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    """Naive UTC now: every instant is stored in UTC and shown in Asia/Shanghai."""
    return datetime.now(UTC).replace(tzinfo=None)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VersionedMixin:
    """A counter every edit form carries; a save with an older one is a conflict (409)."""

    version: Mapped[int] = mapped_column(default=1)
