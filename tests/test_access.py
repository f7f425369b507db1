"""Every endpoint outside a short public list refuses anonymous users (case 15)."""

import re

import pytest

# Endpoints anyone may reach: log-in, language switch, static assets, health, and the
# token-authenticated feeds/API (which refuse a missing token themselves).
PUBLIC_ENDPOINTS = {
    "auth.login",
    "main.set_language",
    "main.healthz",
    "vendor.asset",
    "vendor.app_asset",
    "static",
}
PUBLIC_PREFIXES = ("calendar.feed", "api.openapi")


def _fill(rule) -> str:
    """A concrete URL for a rule: every converter gets a plausible value."""
    url = rule.rule
    for name, converter in rule._converters.items():
        value = "1" if converter.__class__.__name__ in ("IntegerConverter",) else "x"
        if converter.__class__.__name__ == "PathConverter":
            value = "x/y"
        url = re.sub(r"<[^>]*\b" + name + r">", value, url)
    return url


def _protected_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint.startswith(PUBLIC_PREFIXES):
            continue
        yield rule


def test_sec_15_every_endpoint_refuses_anonymous_users(app):
    client = app.test_client()
    checked = 0
    for rule in _protected_rules(app):
        url = _fill(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code in (302, 401, 403, 404), (rule.endpoint, method)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"], rule.endpoint
            checked += 1
    assert checked > 10


@pytest.mark.parametrize("endpoint", sorted(PUBLIC_ENDPOINTS - {"static"}))
def test_public_list_is_short_and_real(app, endpoint):
    assert endpoint in app.view_functions
