"""One active scheduler per database: a PostgreSQL session advisory lock.

The lock lives on a dedicated connection held for as long as the scheduler runs; if the
process dies, PostgreSQL drops the connection and the lock with it, and a stand-by
scheduler takes over. SQLite (development, `make run`) has no such lock and needs none:
one process runs the scheduler there. Correctness never depends on the lock — the outbox's
unique dedupe keys and the dispatcher's claims keep every message single even if two
schedulers ran — it keeps the second one idle instead of doing duplicate work.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

logger = logging.getLogger(__name__)

# An arbitrary constant shared by every scheduler of this application ("Tracker1" in
# ASCII). Advisory locks are per database, so other databases on the server do not clash.
LOCK_KEY = 0x547261636B657231


class SchedulerLock:
    """try_acquire() / still_held() / release() around pg_try_advisory_lock."""

    def __init__(self, engine: Engine, key: int = LOCK_KEY):
        self.engine = engine
        self.key = key
        self.connection: Connection | None = None

    @property
    def needed(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def try_acquire(self) -> bool:
        """True if this process now runs the scheduler (always True without PostgreSQL)."""
        if not self.needed:
            return True
        if self.connection is not None:
            return True
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            acquired = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            ).scalar()
        except DBAPIError:
            connection.invalidate()
            connection.close()
            raise
        if not acquired:
            connection.close()
            return False
        self.connection = connection
        return True

    def still_held(self) -> bool:
        """False if the lock's connection broke (database restart): stop and stand by."""
        if not self.needed:
            return True
        if self.connection is None:
            return False
        try:
            held = self.connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND pid = pg_backend_pid() AND granted "
                    "AND ((classid::bigint << 32) | objid::bigint) = :key"
                ),
                {"key": self.key},
            ).scalar()
        except DBAPIError:
            logger.exception("the scheduler lock's connection failed")
            self._drop()
            return False
        return bool(held)

    def release(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            self.connection.close()
        except DBAPIError:
            self._drop()
        self.connection = None

    def _drop(self) -> None:
        # A pooled connection must not return to the pool still holding the lock.
        if self.connection is not None:
            try:
                self.connection.invalidate()
                self.connection.close()
            except DBAPIError:
                pass
        self.connection = None
