"""A two-writer race for the PostgreSQL concurrency tests: load, meet at a barrier, act."""

from __future__ import annotations

import threading

from tracker.errors import DomainError
from tracker.extensions import db


def race(app, *jobs) -> list[str]:
    """Run (load, act) pairs in their own threads and sessions, acting at the same moment.

    Each thread gets its (session-bound) objects from its own `load()`, waits for the others,
    calls `act(*loaded)` and commits. The outcomes, in the order of the jobs: "won", the
    domain error's code, or the repr of any other error (so the test reports it)."""
    barrier = threading.Barrier(len(jobs), timeout=20)
    outcomes: list = [None] * len(jobs)

    def run(index, load, act):
        with app.test_request_context():
            try:
                loaded = load()
                barrier.wait()
                act(*loaded)
                db.session.commit()
                outcomes[index] = "won"
            except DomainError as error:
                db.session.rollback()
                outcomes[index] = error.code
            except Exception as error:  # noqa: BLE001 (reported to the test)
                db.session.rollback()
                outcomes[index] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def race_pair(app, first, second) -> dict[str, str]:
    """`race` for two jobs, with the outcomes under "first" and "second"."""
    return dict(zip(("first", "second"), race(app, first, second), strict=True))
