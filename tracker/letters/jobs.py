"""The scheduled letter run (after the daily reminders), shared with `flask letters run`."""

from __future__ import annotations

import logging
from datetime import datetime

from tracker import clock
from tracker.extensions import db
from tracker.letters.issue import run_letters

logger = logging.getLogger(__name__)


def daily_letters_job(now: datetime | None = None) -> str:
    today = clock.today(now)
    letters = run_letters(today)
    db.session.commit()
    return f"{today}: issued {len(letters)} letter(s)"
