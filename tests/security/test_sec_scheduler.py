"""SECURITY cases 23–27, the scheduler and mail: what the notify/scheduler tests do not
already show under their `test_sec_<N>_` names (see docs/security.md for the full map).
"""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from tests.notify_data import department_with_liaisons, make_item, office
from tracker.extensions import db
from tracker.models import OutboxMessage

DAY = date(2026, 12, 1)  # a Tuesday: reminders for items due 2026-12-10
pytestmark = pytest.mark.today(DAY.isoformat())
MONDAY = date(2026, 11, 30)  # digest day


def _keys() -> list[str]:
    db.session.expire_all()
    return [k for (k,) in db.session.query(OutboxMessage.dedupe_key)]


def test_sec_23_building_the_app_starts_no_scheduler_thread(app):
    from config import ProductionConfig
    from tracker import create_app

    before = {t.name for t in threading.enumerate()}
    config = type(
        "Prod",
        (ProductionConfig,),
        {"SECRET_KEY": "s" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://"},
    )
    built = create_app(config)
    assert built.config["SCHEDULER_ENABLED"] is False
    started = {t.name for t in threading.enumerate()} - before
    assert not [name for name in started if "sched" in name.lower() or "apscheduler" in name]
    assert "scheduler" not in built.extensions


def test_sec_24_jobs_run_twice_the_same_day_queue_each_key_once(app):
    from tracker.notify.jobs import digest, remind

    fgw, _liaisons = department_with_liaisons("市发改委", "a@fgw.example", "b@fgw.example")
    office("office@office.example")
    plan = make_item(fgw, date(2026, 12, 10), code="三.0.(1)").plan
    for n in range(1, 3):
        make_item(fgw, date(2026, 12, 10), code=f"三.{n}.(1)", plan=plan)
    make_item(fgw, date(2026, 11, 20), code="三.9.(1)", plan=plan)  # overdue
    db.session.commit()
    first = remind(DAY)
    db.session.commit()
    again = remind(DAY)
    db.session.commit()
    digest(MONDAY)
    db.session.commit()
    digest(MONDAY)
    db.session.commit()
    keys = _keys()
    assert first.drafts and not again.drafts
    assert len(keys) == len(set(keys)) >= 3
    assert any(k.startswith("digest:") for k in keys)


def test_sec_24_a_unique_constraint_backs_the_dedupe_key(app):
    def row():
        return OutboxMessage(
            dedupe_key="remind:item:1:2026-12-10:3d",
            kind="remind",
            subject="s",
            body_text="t",
            body_html="h",
            to_addrs=["x@y.z"],
        )

    db.session.add(row())
    db.session.commit()
    db.session.add(row())
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert _keys() == ["remind:item:1:2026-12-10:3d"]


def test_sec_27_a_crlf_title_adds_no_header_in_the_real_message(app):
    from email import message_from_bytes
    from email.policy import default

    from tracker.notify.jobs import remind
    from tracker.notify.rendering import build_email

    fgw, _liaisons = department_with_liaisons("市发改委", "a@fgw.example")
    make_item(fgw, date(2026, 12, 10), title="标题\r\nBcc: x@evil.example\r\n<b>粗</b>")
    db.session.commit()
    remind(DAY)
    db.session.commit()
    (row,) = db.session.query(OutboxMessage).all()
    raw = build_email(row).as_bytes()
    parsed = message_from_bytes(raw, policy=default)
    assert parsed["Bcc"] is None and b"\r\nBcc:" not in raw and b"\nBcc:" not in raw
    assert "<b>粗</b>" not in row.body_html and "&lt;b&gt;" in row.body_html
