"""API authentication: bearer tokens (hashed, expiring, revocable), the session for GET only,
the profile page's token section and the `users token` command."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.api_support import seed_api
from tracker import clock
from tracker.api.tokens import create_token, resolve_token, touch_token
from tracker.extensions import db
from tracker.models import ApiToken, AuditEvent, User, WorkItem


@pytest.fixture
def seed(app, monkeypatch):
    return seed_api(app, monkeypatch)


def _error(response) -> dict:
    assert response.is_json, response.get_data(as_text=True)[:200]
    return response.get_json()["error"]


def test_me_with_a_token(client, seed):
    response = client.get("/api/v1/me", headers=seed.auth("liaison_a"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["username"] == seed.liaison_a.username
    assert body["role"] == "liaison"
    assert body["department"]["short_name"] == "市发改委"
    assert body["auth"] == "token"


def test_token_is_stored_as_sha256_only(seed):
    text = seed.tokens["office"]
    assert text.startswith("pt_") and len(text) > 40
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert hashlib.sha256(text.encode()).hexdigest() in stored
    assert all(text not in h for h in stored)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer pt_not-a-real-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 5000,
        "pt_only",
    ],
)
def test_bad_tokens_are_401_json(client, seed, header):
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert _error(response)["code"] == "invalid_token"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_is_401_json(client, seed):
    response = client.get("/api/v1/items")
    assert response.status_code == 401
    assert _error(response)["code"] == "authentication_required"


def test_expired_token_is_refused(client, seed):
    now = clock.now()
    token, text = create_token(None, seed.office, expires_in_days=1, now=now - timedelta(days=2))
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {text}"})
    assert response.status_code == 401
    assert _error(response)["code"] == "invalid_token"


def test_revoked_token_is_refused_and_nothing_is_written(client, seed):
    from tracker.api.tokens import revoke_token

    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == seed.office.id))
    revoke_token(seed.office, token)
    db.session.commit()
    before = db.session.scalar(select(func.count(WorkItem.id)))
    response = client.post(
        "/api/v1/items",
        json={"plan_id": seed.plan.id, "title": "新任务"},
        headers=seed.auth("office"),
    )
    assert response.status_code == 401
    assert _error(response)["code"] == "invalid_token"
    db.session.expire_all()
    assert db.session.scalar(select(func.count(WorkItem.id))) == before


def test_deactivated_users_tokens_stop_working(client, seed):
    user = db.session.get(User, seed.liaison_a.id)
    user.active = False
    db.session.commit()
    response = client.get("/api/v1/me", headers=seed.auth("liaison_a"))
    assert response.status_code == 401
    assert _error(response)["code"] == "invalid_token"


def test_auth_failures_are_logged(client, seed, caplog):
    with caplog.at_level(logging.INFO, logger="tracker.security"):
        client.get("/api/v1/me", headers={"Authorization": "Bearer pt_nope"})
        client.get("/api/v1/items")
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "tracker.security"]
    outcomes = {(r["action"], r["outcome"]) for r in records}
    assert ("api.token", "unknown") in outcomes
    assert ("api", "anonymous") in outcomes


def test_last_used_is_written_at_most_once_a_minute(seed):
    now = clock.now()
    token, outcome = resolve_token(seed.tokens["office"], now=now)
    assert outcome == "ok"
    assert touch_token(token, now) is True
    db.session.commit()
    db.session.expire_all()
    token = db.session.get(ApiToken, token.id)
    assert token.last_used_at == now
    assert touch_token(token, now + timedelta(seconds=30)) is False
    assert touch_token(token, now + timedelta(seconds=61)) is True


def test_a_request_records_last_use(client, seed):
    client.get("/api/v1/me", headers=seed.auth("leader"))
    db.session.expire_all()
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == seed.leader.id))
    assert token.last_used_at is not None


# ---------------------------------------------------------------- the browser session


def test_session_works_for_get(client, seed, factories):
    factories.login_as(client, seed.liaison_a)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["auth"] == "session"


@pytest.mark.parametrize(
    "method,path",
    [
        ("POST", "/api/v1/items"),
        ("PATCH", "/api/v1/items/{item}"),
        ("POST", "/api/v1/reports/{report}/submit"),
    ],
)
def test_session_cannot_change_anything(client, seed, factories, method, path):
    """The API is CSRF-exempt, so a cookie alone must never authorise a write."""
    factories.login_as(client, seed.liaison_a)
    url = path.format(item=seed.item_a.id, report=seed.report_a.id)
    response = client.open(url, method=method, json={"version": 1, "title": "x", "plan_id": 1})
    assert response.status_code == 401
    assert _error(response)["code"] == "token_required"
    db.session.expire_all()
    assert db.session.get(WorkItem, seed.item_a.id).version == 1


def test_bearer_wins_over_the_session(client, seed, factories):
    factories.login_as(client, seed.liaison_a)
    response = client.get("/api/v1/me", headers=seed.auth("office"))
    assert response.get_json()["username"] == seed.office.username


# ---------------------------------------------------------------- profile page and CLI


def test_profile_shows_the_token_section(client, seed, factories):
    factories.login_as(client, seed.liaison_b)
    html = client.get("/profile").get_data(as_text=True)
    assert 'id="api-tokens"' in html
    assert "liaison_b token" in html
    assert seed.tokens["liaison_b"] not in html


def test_profile_creates_a_token_shown_once(client, seed, factories):
    factories.login_as(client, seed.liaison_b)
    response = client.post("/profile/tokens", data={"name": "脚本", "expires_in_days": "30"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = re.search(r'id="api-token-text">(pt_[A-Za-z0-9_\-]+)<', html).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {text}"}).status_code == 200
    db.session.expire_all()
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "脚本"))
    assert token.expires_at is not None
    assert token.token_hash == hashlib.sha256(text.encode()).hexdigest()
    assert text not in client.get("/profile").get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.created"))
    assert event is not None and text not in json.dumps(event.after)


def test_profile_revokes_own_token_only(client, seed, factories):
    own = db.session.scalar(select(ApiToken).where(ApiToken.user_id == seed.liaison_b.id))
    other = db.session.scalar(select(ApiToken).where(ApiToken.user_id == seed.liaison_a.id))
    factories.login_as(client, seed.liaison_b)
    assert client.post(f"/profile/tokens/{other.id}/revoke").status_code == 404
    assert client.post(f"/profile/tokens/{own.id}/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, own.id).revoked_at is not None
    assert db.session.get(ApiToken, other.id).revoked_at is None
    assert client.get("/api/v1/me", headers=seed.auth("liaison_b")).status_code == 401


def test_profile_token_forms_need_csrf(app, seed):
    """The token routes are browser forms: unlike the API they keep CSRF protection."""
    from config import TestingConfig
    from tests.conftest import IsolatedClient, login_as
    from tracker import create_app

    csrf_app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        WTF_CSRF_ENABLED=True,
    )
    csrf_app.test_client_class = IsolatedClient
    client = csrf_app.test_client()
    login_as(client, seed.liaison_b)
    try:
        assert client.post("/profile/tokens", data={"name": "x"}).status_code == 400
        # …while the API itself does not ask for one (it refuses cookies for writes instead)
        response = client.get("/api/v1/me", headers=seed.auth("office"))
        assert response.status_code == 200
    finally:
        with csrf_app.app_context():
            csrf_app.extensions["sqlalchemy"].engine.dispose()


def test_cli_prints_a_working_token_once(runner, client, seed):
    result = runner.invoke(args=["users", "token", seed.leader.username, "--name", "报表"])
    assert result.exit_code == 0, result.output
    text = result.output.strip().splitlines()[-1]
    assert text.startswith("pt_")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {text}"})
    assert response.get_json()["username"] == seed.leader.username
    assert runner.invoke(args=["users", "token", "nobody"]).exit_code != 0


def test_unknown_paths_and_methods_answer_json(client, seed):
    missing = client.get("/api/v1/nothing-here", headers=seed.auth("office"))
    assert missing.status_code == 404 and missing.is_json
    wrong = client.put("/api/v1/items", headers=seed.auth("office"))
    assert wrong.status_code == 405 and wrong.is_json
    assert wrong.get_json()["error"]["code"]


def test_openapi_is_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["paths"]["/api/v1/me"]["get"]["responses"]["401"]
