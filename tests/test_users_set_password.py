"""`flask users set-password`: recovering a locked-out admin from the command line."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.conftest import login
from tracker import clock
from tracker.extensions import db
from tracker.models import AuditEvent, User

NEW = "a-brand-new-secret"


def _admin(factories, **fields) -> User:
    user = factories.user("admin", username="chief", **fields)
    db.session.commit()
    return user


def _reload(user_id: int) -> User:
    db.session.expire_all()
    return db.session.get(User, user_id)


def test_sets_the_password_ends_sessions_and_lifts_the_lock(app, runner, factories):
    admin = _admin(factories, failed_logins=3, locked_until=clock.now() + timedelta(hours=1))
    old_hash, generation = admin.password_hash, admin.session_generation or 0
    browser = app.test_client()
    with browser.session_transaction() as session:  # a cookie issued before the recovery
        session["_user_id"] = admin.get_id()
        session["_fresh"] = True
    assert browser.get("/profile").status_code == 200

    result = runner.invoke(args=["users", "set-password", "chief"], input=f"{NEW}\n{NEW}\n")
    assert result.exit_code == 0, result.output
    assert NEW not in result.output  # hidden input is not echoed
    admin = _reload(admin.id)
    assert admin.password_hash != old_hash
    assert admin.session_generation == generation + 1
    assert admin.locked_until is None and admin.failed_logins == 0
    assert admin.must_change_password is False  # whoever typed it knows it
    assert browser.get("/profile").status_code == 302  # the old cookie no longer works
    fresh = app.test_client()
    assert login(fresh, admin, password=NEW).status_code == 302
    assert fresh.get("/profile").status_code == 200
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "user.password_reset")
    ).one()
    assert event.actor_id is None and event.object_id == admin.id


def test_generate_prints_a_password_that_must_be_changed(app, runner, factories):
    admin = _admin(factories)
    result = runner.invoke(args=["users", "set-password", "CHIEF", "--generate"])
    assert result.exit_code == 0, result.output
    password = re.search(r"([A-Za-z0-9]{12})\s*$", result.output).group(1)
    admin = _reload(admin.id)
    assert admin.must_change_password is True
    client = app.test_client()
    response = login(client, admin, password=password)
    assert response.status_code == 302
    assert "/profile/password" in client.get("/profile").headers["Location"]


def test_two_different_entries_change_nothing(runner, factories):
    admin = _admin(factories)
    old_hash, generation = admin.password_hash, admin.session_generation
    result = runner.invoke(args=["users", "set-password", "chief"], input=f"{NEW}\n{NEW}-typo\n")
    assert result.exit_code == 1
    assert "不一致" in result.output
    admin = _reload(admin.id)
    assert (admin.password_hash, admin.session_generation) == (old_hash, generation)


def test_too_short_a_password_is_refused(runner, factories):
    admin = _admin(factories)
    old_hash = admin.password_hash
    result = runner.invoke(args=["users", "set-password", "chief"], input="short\nshort\n")
    assert result.exit_code == 1
    assert "10" in result.output
    assert _reload(admin.id).password_hash == old_hash


def test_unknown_user(runner, factories):
    _admin(factories)
    result = runner.invoke(args=["users", "set-password", "nobody"], input=f"{NEW}\n{NEW}\n")
    assert result.exit_code == 1
    assert "nobody" in result.output
    assert not db.session.scalars(select(AuditEvent)).all()
