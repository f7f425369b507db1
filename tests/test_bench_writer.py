"""bench/writer.py: its writes go through the app's session, so each one starts a new data
generation (the cached homes and dashboards are rendered again after it)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from bench import writer
from tests.dashboard_support import make_item, make_plan
from tracker.extensions import db
from tracker.models import WorkItem

TODAY = date(2026, 11, 27)
pytestmark = pytest.mark.today(TODAY.isoformat())


def test_each_write_moves_progress_and_the_generation(app, factories, database_uri, capsys):
    unit = factories.department("市发改委")
    plan, nodes = make_plan()
    item = make_item(plan, "三.1.(1)", unit, due=TODAY + timedelta(days=30), progress=99)
    db.session.commit()
    before = db.session.scalar(text("SELECT token FROM data_generation"))

    assert writer.main(["--database-url", database_uri, "--every", "0", "--seconds", "0.3"]) == 0

    report = json.loads(capsys.readouterr().out)
    assert report["writes"] >= 1
    db.session.rollback()
    assert db.session.scalar(text("SELECT token FROM data_generation")) != before
    # One item, touched `writes` times: 99 → 98 → 99 …, never past 99.
    assert db.session.get(WorkItem, item.id).progress in (98, 99)
