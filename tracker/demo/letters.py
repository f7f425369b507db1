"""Demo supervision letters: the daily letter run on the demo's day, so the letter pages, the
department homes and the dashboard have something to show. Idempotent (the run's dedupe keys)."""

from __future__ import annotations

import logging
from datetime import datetime

from tracker import clock
from tracker.letters.issue import run_letters

logger = logging.getLogger(__name__)


def load_letters_demo(result, departments, now: datetime | None = None) -> None:
    del result, departments
    now = now or clock.now()
    issued = run_letters(clock.today(now), now=now)
    logger.info("demo: %s supervision letter(s)", len(issued))
