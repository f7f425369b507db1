"""SECURITY cases 17 and 20 on PostgreSQL: two people acting at once, exactly one wins.

SQLite serialises writers and would hide the race, so these run on PostgreSQL only. Both
threads load the same version first (a barrier makes sure), then act at once.
"""

from __future__ import annotations

import pytest

from tests.concurrency import race_pair as race
from tests.items_support import NOW, Scene, make_report
from tracker.extensions import db
from tracker.models import AuditEvent, ExtensionRequest, Notice, Report, WorkItem

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres(is_postgres):
    if not is_postgres:
        pytest.skip("races need PostgreSQL (SQLite serialises writers)")


@pytest.fixture
def submitted(app):
    with app.test_request_context():
        scene = Scene()
        report = make_report(scene.item, scene.lead, scene.focus, "submitted", now=NOW)
        db.session.commit()
        ids = {
            "report": report.id,
            "version": report.version,
            "office": scene.office.id,
            "office2": scene.office2.id,
            "item": scene.item.id,
        }
        events = db.session.query(AuditEvent).count()
        notices = db.session.query(Notice).count()
    db.session.remove()
    return ids, events, notices


def _reviewer_job(ids, user_key, decide):
    from tracker.models import User

    def load():
        user = db.session.get(User, ids[user_key])
        report = db.session.get(Report, ids["report"])
        report.item.co_departments  # noqa: B018 (load before the barrier)
        report.period  # noqa: B018
        return user, report

    def act(user, report):
        decide(user, report)

    return load, act


@pytest.mark.parametrize("second_action", ["verify", "return"])
def test_two_reviewers_one_submission_exactly_one_wins(app, submitted, second_action):
    from tracker.review.operations import return_report, verify_report

    ids, events_before, notices_before = submitted
    v = ids["version"]

    def verify(user, report):
        verify_report(user, report, expected_version=v, comment="通过", now=NOW)

    def give_back(user, report):
        return_report(user, report, expected_version=v, reason="请补充", now=NOW)

    second = verify if second_action == "verify" else give_back
    outcomes = race(
        app, _reviewer_job(ids, "office", verify), _reviewer_job(ids, "office2", second)
    )
    assert sorted(outcomes.values()) in (
        ["invalid_transition", "won"],
        ["stale_version", "won"],
    ), outcomes
    with app.app_context():
        report = db.session.get(Report, ids["report"])
        assert report.state in ("verified", "returned")
        assert report.version == v + 1
        decisions = (
            db.session.query(AuditEvent)
            .filter(AuditEvent.action.in_(("report.verified", "report.returned")))
            .count()
        )
        assert decisions == 1
        new_notices = db.session.query(Notice).count() - notices_before
        assert new_notices == 1  # one liaison of the lead department
        assert db.session.get(WorkItem, ids["item"]).version >= 1


def test_two_office_editors_one_item_version(app, submitted):
    from tracker.items.operations import update_item
    from tracker.models import User

    ids, _, _ = submitted
    with app.app_context():
        version = db.session.get(WorkItem, ids["item"]).version

    def job(user_key, title):
        def load():
            item = db.session.get(WorkItem, ids["item"])
            item.co_departments  # noqa: B018
            return db.session.get(User, ids[user_key]), item

        def act(user, item):
            update_item(
                user,
                item,
                expected_version=version,
                title=title,
                code=item.code,
                description=item.description,
                due_date=item.due_date,
                now=NOW,
            )

        return load, act

    outcomes = race(app, job("office", "甲的标题"), job("office2", "乙的标题"))
    assert sorted(outcomes.values()) == ["stale_version", "won"], outcomes
    with app.app_context():
        item = db.session.get(WorkItem, ids["item"])
        winner = "甲的标题" if outcomes["first"] == "won" else "乙的标题"
        assert item.title == winner and item.version == version + 1
        assert db.session.query(AuditEvent).filter_by(action="item.updated").count() == 1


def test_two_office_decisions_on_one_extension(app, submitted):
    from tracker.items.deadlines import decide_extension, request_extension
    from tracker.models import User

    ids, _, _ = submitted
    with app.test_request_context():
        item = db.session.get(WorkItem, ids["item"])
        lead = db.session.query(User).filter_by(username="lead").one()
        request = request_extension(
            lead,
            item,
            requested_due_date=item.due_date.replace(year=2027),
            reason="延期",
            now=NOW,
        )
        db.session.commit()
        request_id = request.id
    db.session.remove()

    def job(user_key, approve):
        def load():
            extension = db.session.get(ExtensionRequest, request_id)
            extension.item.co_departments  # noqa: B018
            return db.session.get(User, ids[user_key]), extension

        def act(user, extension):
            decide_extension(user, extension, approve=approve, comment="意见", now=NOW)

        return load, act

    outcomes = race(app, job("office", True), job("office2", False))
    assert sorted(outcomes.values()) == ["invalid_transition", "won"], outcomes
    with app.app_context():
        decided = db.session.query(AuditEvent).filter(
            AuditEvent.action.in_(("extension.approved", "extension.refused"))
        )
        assert decided.count() == 1
