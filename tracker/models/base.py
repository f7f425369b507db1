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


def one_of(column: str, values) -> str:
    """A CHECK constraint's text: `column` holds one of `values` (an enum of tracker.workflow,
    so the database and the code share one list)."""
    return f"{column} IN ({', '.join(repr(str(value)) for value in values)})"
