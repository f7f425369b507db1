"""With CSRF protection on (as in production), POSTs without a valid token are refused."""

import pytest

from config import TestingConfig
from tests.conftest import TEST_PASSWORD, IsolatedClient
from tracker import create_app
from tracker.extensions import db


@pytest.fixture
def csrf_app(app):
    csrf_app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        WTF_CSRF_ENABLED=True,
    )
    csrf_app.test_client_class = IsolatedClient
    yield csrf_app
    with csrf_app.app_context():
        csrf_app.extensions["sqlalchemy"].engine.dispose()


def _token(client, path="/login"):
    import re

    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_sec_31_login_without_token_is_refused(csrf_app, factories):
    user = factories.user("liaison")
    db.session.commit()
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 302  # not logged in


def test_sec_31_login_with_token_works(csrf_app, factories):
    user = factories.user("liaison")
    db.session.commit()
    client = csrf_app.test_client()
    response = client.post(
        "/login",
        data={"username": user.username, "password": TEST_PASSWORD, "csrf_token": _token(client)},
    )
    assert response.status_code == 302


def test_sec_31_every_post_endpoint_refuses_a_missing_token(csrf_app, factories):
    """Logged in, every POST route without a token answers 400 and changes nothing."""
    from tests.test_access import _fill

    user = factories.user("admin")
    db.session.commit()
    client = csrf_app.test_client()
    client.post(
        "/login",
        data={"username": user.username, "password": TEST_PASSWORD, "csrf_token": _token(client)},
    )
    checked = 0
    for rule in csrf_app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint.startswith(("api.", "calendar.")):
            continue
        response = client.post(_fill(rule), data={"x": "1"})
        assert response.status_code in (400, 404), rule.endpoint
        checked += 1
    assert checked >= 5
