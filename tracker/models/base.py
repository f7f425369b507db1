"""Shared column helpers: UTC timestamps and the optimistic-locking version counter."""

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from tracker import clock


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)


class VersionedMixin:
    """A counter every edit form carries; a save with an older one is a conflict (409)."""

    version: Mapped[int] = mapped_column(default=1)
