"""SECURITY cases 1–10: passwords, throttling, redirects, logging, cookies, sessions, secrets.

Cases 1, 2, 4, 7, 8 and 9 are proved in tests/test_auth.py under their `test_sec_<N>_` names;
here are the ones whose proof was missing or only partial, and the bad input found while
auditing (control characters in `next`).
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from config import INSECURE_SECRET_KEYS, Config, ProductionConfig
from tests.conftest import TEST_PASSWORD, IsolatedClient, login, login_as
from tracker import create_app
from tracker.extensions import db

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- case 1


def test_sec_1_equal_passwords_get_different_slow_salted_hashes():
    from tracker.auth.operations import hash_password

    first, second = hash_password("same-password-1"), hash_password("same-password-1")
    assert first != second
    assert first.startswith(("scrypt:", "pbkdf2:"))  # a KDF, never a bare digest


# ---------------------------------------------------------------- case 2


@pytest.fixture
def proxied_app(app):
    """The app as README deploys it: behind one nginx that appends X-Forwarded-For."""
    from config import TestingConfig

    proxied = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        TRUSTED_PROXIES=1,
    )
    proxied.test_client_class = IsolatedClient
    yield proxied
    with proxied.app_context():
        proxied.extensions["sqlalchemy"].engine.dispose()


def test_sec_2_behind_the_proxy_each_client_address_is_its_own_source(proxied_app, factories):
    """nginx on 127.0.0.1 forwards everyone: without ProxyFix every client would share one
    address and a stranger's failures would slow the owner down."""
    user = factories.user("liaison")
    db.session.commit()
    client = proxied_app.test_client()
    stranger = {"X-Forwarded-For": "203.0.113.7"}
    owner = {"X-Forwarded-For": "198.51.100.20"}
    form = {"username": user.username, "password": "guess"}
    for _ in range(proxied_app.config["LOGIN_MAX_FAILURES"] + 1):
        assert client.post("/login", data=form, headers=stranger).status_code == 401
    right = {"username": user.username, "password": TEST_PASSWORD}
    assert client.post("/login", data=right, headers=stranger).status_code == 429
    assert client.post("/login", data=right, headers=owner).status_code == 302


def test_sec_2_without_a_trusted_proxy_a_forged_address_does_not_escape(app, factories):
    """With TRUSTED_PROXIES=0 (clients connect directly) X-Forwarded-For is the client's
    say-so: a new forged address per guess must not reset the count."""
    user = factories.user("liaison")
    db.session.commit()
    client = app.test_client()
    for n in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        client.post(
            "/login",
            data={"username": user.username, "password": "guess"},
            headers={"X-Forwarded-For": f"10.9.9.{n}"},
        )
    response = client.post(
        "/login",
        data={"username": user.username, "password": TEST_PASSWORD},
        headers={"X-Forwarded-For": "10.9.9.200"},
    )
    assert response.status_code == 429


# ---------------------------------------------------------------- case 3


@pytest.mark.parametrize(
    "target",
    [
        "/\t/evil.example",  # browsers drop tabs and newlines: this is //evil.example
        "/\n/evil.example",
        "/\r/evil.example",
        "\t//evil.example",
        "/%0a",
        "/\x7f/evil.example",
        "https:evil.example",
        "///evil.example",
    ],
)
def test_sec_3_control_characters_in_next_cannot_lead_off_site(client, factories, target):
    user = factories.user("liaison")
    db.session.commit()
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"username": user.username, "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location
    assert not re.search(r"[\x00-\x1f\x7f]", location)


def test_sec_3_language_switch_next_stays_on_site(client):
    for target in ("//evil.example", "/\t/evil.example", "https://evil.example/"):
        response = client.post("/language", data={"locale": "en", "next": target})
        assert response.status_code == 302
        assert "evil" not in response.headers["Location"]


# ---------------------------------------------------------------- case 5


def _security_lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "tracker.security"]


def test_sec_5_an_authorization_denial_writes_one_structured_line(client, factories, caplog):
    from tests.items_support import make_item

    mine, theirs = factories.department(), factories.department()
    liaison = factories.user("liaison", mine)
    item = make_item(lead=theirs)
    login_as(client, liaison)
    with caplog.at_level(logging.INFO, logger="tracker.security"):
        assert client.get(f"/items/{item.id}").status_code == 404
    lines = [line for line in _security_lines(caplog) if line["object"] == f"item:{item.id}"]
    assert len(lines) == 1
    line = lines[0]
    assert line["user"] == liaison.username and line["ip"] == "127.0.0.1"
    assert line["action"] == "view" and line["outcome"] == "not_found"
    datetime.fromisoformat(line["time"].rstrip("Z"))  # UTC instant


def test_sec_5_failed_login_line_has_user_ip_and_no_password(client, factories, caplog):
    user = factories.user("liaison")
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="tracker.security"):
        login(client, user, password="hunter2-wrong")
    (line,) = [x for x in _security_lines(caplog) if x["action"] == "login"]
    assert line == line | {"user": user.username, "ip": "127.0.0.1", "outcome": "bad_credentials"}
    assert "hunter2-wrong" not in json.dumps(line)


# ---------------------------------------------------------------- case 6


@pytest.fixture
def production_app(app):
    config = type(
        "Prod",
        (ProductionConfig,),
        {"SECRET_KEY": "p" * 40, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]},
    )
    prod = create_app(config, MAIL_BACKEND="memory", PROPAGATE_EXCEPTIONS=False)
    prod.test_client_class = IsolatedClient
    yield prod
    with prod.app_context():
        prod.extensions["sqlalchemy"].engine.dispose()


def _csrf_token(client, **kwargs) -> str:
    html = client.get("/login", **kwargs).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_sec_6_production_cookies_are_secure_httponly_lax_and_remember_lasts_days(
    production_app, factories
):
    user = factories.user("liaison")
    db.session.commit()
    client = production_app.test_client()
    https = {"base_url": "https://localhost"}
    token = _csrf_token(client, **https)
    response = client.post(
        "/login",
        headers={"Referer": "https://localhost/login"},  # Flask-WTF checks it over HTTPS
        **https,
        data={
            "username": user.username,
            "password": TEST_PASSWORD,
            "remember": "y",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert {"session", "remember_token"} <= set(cookies)
    for name in ("session", "remember_token"):
        attributes = [part.strip().lower() for part in cookies[name].split(";")]
        assert "secure" in attributes and "httponly" in attributes, cookies[name]
        assert "samesite=lax" in attributes, cookies[name]
    expires = re.search(r"Expires=([^;]+)", cookies["remember_token"]).group(1)
    lifetime = parsedate_to_datetime(expires) - datetime.now(UTC)
    assert 1 <= lifetime.days <= 30


# ---------------------------------------------------------------- case 10


@pytest.mark.parametrize("secret", ["", "dev", "changeme", Config.SECRET_KEY, "short-key"])
def test_sec_10_production_refuses_a_missing_or_default_secret(secret):
    config = type(
        "Prod", (ProductionConfig,), {"SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_sec_10_the_development_default_is_on_the_refused_list():
    assert Config.SECRET_KEY in INSECURE_SECRET_KEYS or "SECRET_KEY" in __import__("os").environ


SECRET_PATTERNS = [
    re.compile(rb"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(rb"\bpt_[A-Za-z0-9_-]{43}\b"),  # an API token as printed
    re.compile(rb"(?i)\bSECRET_KEY\s*=\s*['\"][0-9a-f]{32,}['\"]"),
    re.compile(rb"AKIA[0-9A-Z]{16}"),
]


def test_sec_10_no_secret_is_committed():
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        pytest.skip("not a git checkout")
    names = [n for n in listed.decode().split("\0") if n]
    assert not [n for n in names if n.endswith((".env", ".pem", ".key")) or "/instance/" in n]
    found = []
    for name in names:
        path = ROOT / name
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        data = path.read_bytes()
        found += [(name, p.pattern) for p in SECRET_PATTERNS if p.search(data)]
    assert not found, found
