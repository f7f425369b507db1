"""Log-in, log-out, throttling, redirects and sessions (SECURITY.md cases 1-10)."""

import logging
from datetime import timedelta

import pytest

from tests.conftest import TEST_PASSWORD, login
from tracker.extensions import db
from tracker.models import User


def test_login_page_is_chinese_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert "登录" in response.get_data(as_text=True)


def test_login_page_in_english_on_request(client):
    client.post("/language", data={"locale": "en"})
    assert "Log in" in client.get("/login").get_data(as_text=True)


def test_login_success_redirects_home(client, factories):
    user = factories.user("liaison")
    db.session.commit()
    response = login(client, user)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
    assert client.get("/profile").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, factories):
    user = factories.user("liaison")
    db.session.commit()
    response = login(client, user, password="wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_unknown_user_is_refused_the_same_way(client):
    response = client.post("/login", data={"username": "nobody", "password": "whatever1234"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_missing_fields_are_a_bad_request(client):
    response = client.post("/login", data={"username": ""})
    assert response.status_code == 400


def test_too_long_username_is_refused_and_nothing_written(client):
    response = client.post("/login", data={"username": "x" * 500, "password": "y"})
    assert response.status_code == 400
    assert db.session.query(User).count() == 0


def test_sec_1_passwords_use_a_salted_slow_hash():
    from tracker.auth.operations import hash_password

    first, second = hash_password("same-password-1"), hash_password("same-password-1")
    assert first != second
    assert first.startswith(("scrypt:", "pbkdf2:"))


def test_sec_2_repeated_failures_throttle_the_source(client, app, factories):
    user = factories.user("liaison")
    db.session.commit()
    free = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(free + 1):
        assert login(client, user, password="wrong-password").status_code == 401
    # Now even the right password is refused from here until the wait is over.
    response = login(client, user)
    assert response.status_code == 429
    assert "失败次数过多" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) >= 1
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until is None  # the account is not locked


def test_sec_2_the_wait_grows_is_capped_and_expires(app, factories):
    from datetime import datetime

    from tracker.auth.operations import authenticate
    from tracker.auth.throttle import Rule

    user = factories.user("liaison")
    db.session.commit()
    rule = Rule(free=3, base_seconds=2, cap_seconds=60)
    now = datetime(2026, 11, 27, 2, 0)
    waits = []
    for _ in range(10):
        result = authenticate(user.username, "wrong", address="10.0.0.9", rule=rule, now=now)
        assert result.outcome == "bad_credentials"
        waits.append(result.wait_seconds)
        if result.wait_seconds:  # while it waits, even the right password is refused
            blocked = authenticate(
                user.username, TEST_PASSWORD, address="10.0.0.9", rule=rule, now=now
            )
            assert (blocked.outcome, blocked.wait_seconds) == ("throttled", result.wait_seconds)
        now += timedelta(seconds=result.wait_seconds)  # wait it out exactly
    assert waits == [0, 0, 0, 2, 4, 8, 16, 32, 60, 60]
    assert (
        authenticate(user.username, TEST_PASSWORD, address="10.0.0.9", rule=rule, now=now).outcome
        == "ok"
    )
    # A success clears the source: the next failure is free again.
    again = authenticate(user.username, "wrong", address="10.0.0.9", rule=rule, now=now)
    assert again.wait_seconds == 0


def test_sec_2_a_strangers_failures_do_not_lock_the_owner_out(app, factories):
    user = factories.user("liaison")
    db.session.commit()
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    for _ in range(20):
        stranger.post("/login", data={"username": user.username, "password": "guess"})
    assert login(stranger, user).status_code == 429
    response = login(owner, user)
    assert response.status_code == 302


def test_sec_2_known_and_unknown_usernames_are_answered_alike(app, factories):
    """Status, message and counting are the same, so no answer tells whether a name exists."""
    import re

    user = factories.user("liaison")
    db.session.commit()

    def answers(username: str, address: str) -> list[tuple[int, str]]:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        seen = []
        for _ in range(app.config["LOGIN_MAX_FAILURES"] + 3):
            response = client.post("/login", data={"username": username, "password": "guess"})
            alert = re.findall(
                r'<div class="alert[^"]*"[^>]*>(.*?)</div>', response.get_data(as_text=True), re.S
            )
            seen.append((response.status_code, " ".join(a.strip() for a in alert)))
        return seen

    known = answers(user.username, "192.0.2.1")
    unknown = answers("no-such-user", "192.0.2.2")
    assert known == unknown
    assert [status for status, _ in known][-1] == 429


def test_sec_2_counter_lives_in_the_database(app, factories):
    """Failures counted by one worker throttle the same source on another worker too."""
    from config import TestingConfig
    from tracker import create_app

    user = factories.user("liaison")
    db.session.commit()
    other_worker = create_app(
        TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"]
    )
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        app.test_client().post("/login", data={"username": user.username, "password": "bad"})
    with other_worker.app_context():
        response = other_worker.test_client().post(
            "/login", data={"username": user.username, "password": TEST_PASSWORD}
        )
        other_db = other_worker.extensions["sqlalchemy"]
        other_db.session.remove()
        other_db.engine.dispose()
    assert response.status_code == 429


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
    ],
)
def test_sec_3_next_never_leads_off_site(client, factories, target):
    user = factories.user("liaison")
    db.session.commit()
    response = client.post(
        f"/login?next={target}", data={"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location and "javascript" not in location


def test_next_within_the_site_is_followed(client, factories):
    user = factories.user("liaison")
    db.session.commit()
    response = client.post(
        "/login?next=/profile", data={"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.headers["Location"].endswith("/profile")


def test_sec_4_fresh_database_has_no_admin(app):
    assert db.session.query(User).filter_by(role="admin").count() == 0


def test_sec_5_login_events_are_logged_without_password(client, factories, caplog):
    user = factories.user("liaison")
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="tracker.security"):
        login(client, user, password="wrong-secret-xyz")
        login(client, user)
    lines = [r.getMessage() for r in caplog.records if r.name == "tracker.security"]
    assert any('"outcome": "bad_credentials"' in line for line in lines)
    assert any('"outcome": "ok"' in line for line in lines)
    assert not any("wrong-secret-xyz" in line or TEST_PASSWORD in line for line in lines)


def test_sec_5_crlf_in_username_cannot_forge_log_lines(client, caplog):
    with caplog.at_level(logging.INFO, logger="tracker.security"):
        client.post(
            "/login", data={"username": "x\r\nFAKE: admin logged in", "password": "whatever1"}
        )
    for record in caplog.records:
        assert "\n" not in record.getMessage() and "\r" not in record.getMessage()


def test_sec_7_logout_is_post_only(client, factories):
    user = factories.user("liaison")
    db.session.commit()
    login(client, user)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/profile").status_code == 302  # back to the log-in page


def test_sec_7_session_is_renewed_at_login(client, factories):
    user = factories.user("liaison")
    db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_sec_8_cookie_captured_before_logout_no_longer_works(app, factories):
    user = factories.user("liaison")
    db.session.commit()
    browser = app.test_client()
    login(browser, user)
    captured = browser.get_cookie("session").value
    browser.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", captured)
    assert thief.get("/profile").status_code == 302


def test_sec_8_cookie_dies_after_password_change(app, factories):
    user = factories.user("liaison")
    db.session.commit()
    old, current = app.test_client(), app.test_client()
    login(old, user)
    login(current, user)
    response = current.post(
        "/profile/password",
        data={
            "current_password": TEST_PASSWORD,
            "new_password": "a-new-password-123",
            "confirm": "a-new-password-123",
        },
    )
    assert response.status_code == 302
    assert old.get("/profile").status_code == 302
    assert current.get("/profile").status_code == 200


def test_sec_9_deactivated_user_is_refused_on_next_request(client, factories):
    user = factories.user("liaison")
    db.session.commit()
    login(client, user)
    assert client.get("/profile").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/profile").status_code == 302


def test_deactivated_account_cannot_log_in(client, factories):
    user = factories.user("liaison", active=False)
    db.session.commit()
    response = login(client, user)
    assert response.status_code == 403
    assert "停用" in response.get_data(as_text=True)


def test_reset_password_forces_a_change(client, factories):
    user = factories.user("liaison", must_change_password=True)
    db.session.commit()
    login(client, user)
    response = client.get("/profile")
    assert response.status_code == 302 and "/profile/password" in response.headers["Location"]


def test_password_change_requires_the_current_password(client, factories):
    user = factories.user("liaison")
    db.session.commit()
    login(client, user)
    response = client.post(
        "/profile/password",
        data={
            "current_password": "not-it-at-all",
            "new_password": "a-new-password-123",
            "confirm": "a-new-password-123",
        },
    )
    assert response.status_code == 422
    assert "当前密码" in response.get_data(as_text=True)


def test_profile_saves_language_and_email(client, factories):
    user = factories.user("liaison")
    db.session.commit()
    login(client, user)
    response = client.post(
        "/profile", data={"name": "张三", "email": "zs@example.com", "locale": "en"}
    )
    assert response.status_code == 302
    assert "My profile" in client.get("/profile").get_data(as_text=True)


def test_profile_rejects_bad_email(client, factories):
    user = factories.user("liaison")
    db.session.commit()
    login(client, user)
    response = client.post("/profile", data={"email": "not an email", "locale": "zh_Hans_CN"})
    assert response.status_code == 422


def test_sec_2_wrong_current_passwords_are_throttled_like_log_in(app, client, factories):
    """The probe's 15 wrong `current_password` attempts answered 422 each time."""
    user = factories.user("liaison")
    db.session.commit()
    login(client, user)
    free = app.config["LOGIN_MAX_FAILURES"]
    statuses = []
    for n in range(15):
        response = client.post(
            "/profile/password",
            data={"current_password": f"guess-{n}", "new_password": "n" * 12, "confirm": "n" * 12},
        )
        statuses.append(response.status_code)
    assert statuses[: free + 1] == [422] * (free + 1)
    assert statuses[free + 1] == 429
    # While it waits, even the right current password changes nothing.
    response = client.post(
        "/profile/password",
        data={"current_password": TEST_PASSWORD, "new_password": "n" * 12, "confirm": "n" * 12},
    )
    assert response.status_code == 429
    assert "失败次数过多" in response.get_data(as_text=True)
    db.session.expire_all()
    from werkzeug.security import check_password_hash

    assert check_password_hash(db.session.get(User, user.id).password_hash, TEST_PASSWORD)
