"""The data generation: one row whose token changes with every transaction that writes.

Rendered fragments (tracker/fragments.py) are kept under the token they were rendered at, so
a write in any process — a web worker, the scheduler, a CLI command — retires them all.
"""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db

GENERATION_ROW = 1


class DataGeneration(db.Model):
    __tablename__ = "data_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
