"""The weekly digest words missing reports by the one deadline rule (tracker/periods.py):
尚未报送（截止日未到） up to the deadline, 未报送 from the day after."""

from datetime import date

import pytest
from flask_babel import force_locale

from tests.notify_data import (
    cli_json,
    department_with_liaisons,
    make_item,
    make_period,
    make_plan,
    make_report,
)
from tracker.extensions import db
from tracker.models import OutboxMessage
from tracker.notify.digest import collect_department_digests

DEADLINE = date(2027, 1, 8)


@pytest.fixture
def owing():
    plan = make_plan()
    q4 = make_period(plan, "2026Q4", date(2026, 10, 1), date(2026, 12, 31), DEADLINE)
    fgw, _ = department_with_liaisons("市发改委", "a@fgw.example")
    make_item(fgw, date(2027, 6, 30), plan=plan, code="三.1.(1)")
    make_item(fgw, date(2027, 6, 30), plan=plan, code="三.1.(2)")
    written = make_item(fgw, date(2027, 6, 30), plan=plan, code="三.1.(3)")
    make_report(written, q4, "submitted")
    db.session.commit()
    return fgw


def _unreported(department, today):
    rows = collect_department_digests(today)[department.id].unreported
    with force_locale("zh_Hans_CN"):
        return [(row["period"], row["count"], str(row["label"])) for row in rows]


@pytest.mark.today("2027-01-07")
def test_a_day_before_the_deadline_the_digest_says_not_yet(owing):
    assert _unreported(owing, date(2027, 1, 7)) == [("2026Q4", 2, "尚未报送（截止日未到）")]


@pytest.mark.today("2027-01-09")
def test_a_day_after_the_deadline_the_digest_says_not_reported(owing):
    assert _unreported(owing, date(2027, 1, 9)) == [("2026Q4", 2, "未报送")]


@pytest.mark.parametrize(
    ("monday", "wording", "not_wording"),
    [
        ("2027-01-04", "尚未报送（截止日未到） 2项", "：未报送"),
        ("2027-01-11", "：未报送 2项", "截止日未到"),
    ],
)
def test_the_digest_mail_says_it_in_words(runner, owing, monday, wording, not_wording):
    make_item(owing, date(2026, 12, 1), code="逾期.1")  # news, so the digest goes out
    db.session.commit()
    sent = cli_json(runner, "digest", "--date", monday)
    key = next(m["dedupe_key"] for m in sent if m["department"] == "市发改委")
    body = db.session.scalar(
        db.select(OutboxMessage.body_text).where(OutboxMessage.dedupe_key == key)
    )
    assert "2026Q4" in body and wording in body and not_wording not in body
