"""Two office users resolving one coordination request at once: exactly one wins (PostgreSQL)."""

from __future__ import annotations

import pytest

from tests.concurrency import race_pair as race
from tests.items_support import NOW, Scene, make_report
from tracker.extensions import db
from tracker.models import AuditEvent, CoordinationRequest, Notice, User

pytestmark = pytest.mark.postgres_only


@pytest.fixture(autouse=True)
def _postgres(is_postgres):
    if not is_postgres:
        pytest.skip("races need PostgreSQL (SQLite serialises writers)")


def test_two_office_users_resolve_one_request(app):
    from tracker.coordination.operations import resolve_coordination

    with app.test_request_context():
        scene = Scene()
        make_report(
            scene.item,
            scene.lead,
            scene.focus,
            "verified",
            office=scene.office,
            sections={"support_needed": "请协调"},
            now=NOW,
        )
        db.session.commit()
        request_id = db.session.query(CoordinationRequest.id).scalar()
        users = {"office": scene.office.id, "office2": scene.office2.id}
        notices = db.session.query(Notice).count()
    db.session.remove()

    def job(key, note):
        def load():
            request = db.session.get(CoordinationRequest, request_id)
            request.item  # noqa: B018 (load before the barrier)
            return db.session.get(User, users[key]), request

        def act(user, request):
            resolve_coordination(user, request, resolution=note, now=NOW)

        return load, act

    outcomes = race(app, job("office", "甲"), job("office2", "乙"))
    assert sorted(outcomes.values()) == ["invalid_transition", "won"], outcomes
    with app.app_context():
        resolved = db.session.query(AuditEvent).filter_by(action="coordination.resolved")
        assert resolved.count() == 1
        request = db.session.get(CoordinationRequest, request_id)
        assert request.state == "resolved" and request.resolution == resolved.one().comment
        added = db.session.query(Notice).count() - notices
        assert added == 1  # the lead's one liaison, told once
