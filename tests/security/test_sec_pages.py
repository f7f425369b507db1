"""SECURITY cases 28–34: uploads, downloads, CSRF and safe methods, escaping, headers,
spreadsheet formulas. (Cases 23–27, the scheduler and mail, are in test_sec_scheduler.py.)
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

from config import ProductionConfig, TestingConfig
from tests.conftest import TEST_PASSWORD, IsolatedClient, login_as
from tests.items_support import (
    NOW,
    PDF_BYTES,
    Scene,
    make_report,
    pinned_today,  # noqa: F401
)
from tracker import create_app
from tracker.extensions import db
from tracker.models import (
    ApiToken,
    Attachment,
    AuditEvent,
    Notice,
    OutboxMessage,
    Report,
    User,
    WorkItem,
)


@pytest.fixture
def scene(app):
    with app.test_request_context():
        scene = Scene()
        scene.draft = make_report(scene.item, scene.lead, scene.focus, "draft", now=NOW)
        db.session.commit()
    return scene


@pytest.fixture
def stored_files(app):
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    return lambda: {p for p in folder.rglob("*") if p.is_file()}


def upload(client, scene, name: str, data: bytes):
    return client.post(
        f"/reports/{scene.draft.id}/edit",
        data={
            "version": scene.draft.version,
            "period_id": scene.focus.id,
            "narrative": "附材料。",
            "progress": "40",
            "files": [(io.BytesIO(data), name)],
        },
        content_type="multipart/form-data",
    )


# ---------------------------------------------------------------- case 28


def test_sec_28_a_file_over_the_limit_is_413_and_nothing_is_stored(
    app, client, scene, stored_files, monkeypatch
):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_FILE_BYTES", 1024)
    before = stored_files()
    login_as(client, scene.lead)
    response = upload(client, scene, "大文件.pdf", PDF_BYTES + b"0" * 4096)
    assert response.status_code == 413
    assert db.session.query(Attachment).count() == 0 and stored_files() == before


def test_sec_28_a_request_over_max_content_length_is_413(app, client, scene, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    login_as(client, scene.lead)
    assert upload(client, scene, "大文件.pdf", PDF_BYTES + b"0" * 8192).status_code == 413
    assert db.session.query(Attachment).count() == 0


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"),
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60),
        ("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 60),  # a renamed binary
        ("photo.png", b"<html><body>not a png</body></html>"),
        ("notes.txt", b"<!DOCTYPE html><script>alert(1)</script>"),
        ("report.pdf.html", PDF_BYTES),
    ],
)
def test_sec_28_disallowed_types_are_refused_and_nothing_is_stored(
    app, client, scene, stored_files, name, data
):
    before = stored_files()
    login_as(client, scene.lead)
    response = upload(client, scene, name, data)
    assert response.status_code in (415, 422), response.status_code
    assert db.session.query(Attachment).count() == 0 and stored_files() == before
    db.session.expire_all()
    assert db.session.get(Report, scene.draft.id).narrative != "附材料。"  # all or nothing


# ---------------------------------------------------------------- case 29


@pytest.mark.parametrize(
    "name", ["../../app.pdf", "..\\..\\app.pdf", "/etc/app.pdf", "a/../../app.pdf"]
)
def test_sec_29_paths_in_names_never_leave_the_folder_and_stored_names_are_random(
    app, client, scene, stored_files, name
):
    folder = Path(app.config["UPLOAD_FOLDER"]).resolve()
    before = stored_files()
    login_as(client, scene.lead)
    assert upload(client, scene, name, PDF_BYTES).status_code in (302, 303)
    (row,) = db.session.query(Attachment).all()
    assert row.original_name == "app.pdf"
    assert re.fullmatch(r"[0-9a-f]{32}", row.stored_name)
    (new,) = stored_files() - before
    assert new.resolve().parent == folder and new.name == row.stored_name
    assert not (folder.parent / "app.pdf").exists() and not Path("/etc/app.pdf").exists()


# ---------------------------------------------------------------- case 30


def test_sec_30_downloads_are_attachments_nosniff_and_checked_like_case_12(app, client, scene):
    login_as(client, scene.lead)
    upload(client, scene, "<script>x</script>.pdf", PDF_BYTES)
    (row,) = db.session.query(Attachment).all()
    url = f"/items/{scene.item.id}/evidence/{row.id}"
    for user in (scene.lead, scene.co, scene.office, scene.leader):
        login_as(client, user)
        response = client.get(url)
        assert response.status_code == 200 and response.data == PDF_BYTES
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "<script>" not in response.headers["Content-Disposition"]
    login_as(client, scene.other)
    assert client.get(url).status_code == 404
    login_as(client, scene.office)
    assert client.get(f"/items/{scene.item.id + 999}/evidence/{row.id}").status_code == 404


# ---------------------------------------------------------------- case 31


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


def _fill(rule, ids: dict) -> str:
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(r"<[^>]*\b" + name + r">", str(ids.get(name, 1)), url)
    return url


def test_sec_31_every_post_without_a_token_is_refused_calendar_and_api_included(csrf_app, scene):
    client = csrf_app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/login", data={"username": "admin", "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    ids = {"item_id": scene.item.id, "report_id": scene.draft.id}
    before = _state()
    checked = 0
    for rule in csrf_app.url_map.iter_rules():
        for method in sorted(rule.methods & {"POST", "PATCH", "PUT", "DELETE"}):
            response = client.open(_fill(rule, ids), method=method, data={"x": "1"})
            if rule.endpoint.startswith("api."):
                # The API is exempt from form tokens because a session may only read it.
                assert response.status_code in (401, 404), rule.endpoint
            else:
                assert response.status_code == 400, (rule.endpoint, response.status_code)
            checked += 1
    assert checked > 40
    assert _state() == before


def _state() -> tuple:
    db.session.expire_all()
    return (
        db.session.query(AuditEvent).count(),
        db.session.query(Notice).count(),
        db.session.query(OutboxMessage).count(),
        db.session.query(Attachment).count(),
        db.session.query(ApiToken).count(),
        sorted((r.id, r.state, r.version) for r in db.session.query(Report)),
        sorted((i.id, i.version, i.title) for i in db.session.query(WorkItem)),
        sorted(
            (u.id, u.session_generation, u.active, u.calendar_token_hash, u.locale)
            for u in db.session.query(User)
        ),
    )


@pytest.mark.parametrize("role", ["admin", "lead"])
def test_sec_31_no_get_changes_state(app, client, scene, role):
    """Every GET route, as an admin and as a liaison, with real ids: nothing changes."""
    with app.test_request_context():
        make_report(
            db.session.merge(scene.item),
            db.session.merge(scene.lead),
            scene.periods["2026Q3"],
            "submitted",
            now=NOW,
        )
        db.session.commit()
    ids = {
        "item_id": scene.item.id,
        "report_id": scene.draft.id,
        "department_id": scene.lead_dept.id,
        "plan_id": scene.plan.id,
        "period_id": scene.focus.id,
    }
    login_as(client, scene.users()[role])
    client.get("/")  # the first page of a session may settle the user's defaults
    before = _state()
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "vendor.asset"):
            continue
        response = client.get(_fill(rule, ids))
        assert response.status_code < 500, (rule.endpoint, response.status_code)
        checked += 1
    assert checked > 40
    assert _state() == before


# ---------------------------------------------------------------- case 32

HOSTILE = '<script>alert(1)</script>" onmouseover="alert(2)" x=\''
HOSTILE_LINK = "javascript:alert(3)"


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.handlers, self.script_links, self.inline_scripts = [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.handlers += [(tag, n) for n in attributes if n.startswith("on")]
        for name in ("href", "src", "action", "formaction"):
            value = (attributes.get(name) or "").strip().lower()
            if value.startswith(("javascript:", "data:text/html", "vbscript:")):
                self.script_links.append((tag, name, value))
        self._in_script = tag == "script" and attributes.get("type") != "application/json"
        if self._in_script and "src" not in attributes:
            self.inline_scripts.append(tag)

    def handle_endtag(self, tag):
        self._in_script = False


def assert_inert(html: str, where: str) -> None:
    tags = _Tags()
    tags.feed(html)
    assert not tags.handlers, (where, tags.handlers)
    assert not tags.script_links, (where, tags.script_links)
    assert not tags.inline_scripts, (where, "inline <script>")
    assert "<script>alert" not in html, where


def test_sec_32_hostile_user_text_renders_inert_everywhere(app, client, scene):
    from tracker.items.reports import add_contribution, submit_report

    with app.test_request_context():
        item = db.session.merge(scene.item)
        item.title = HOSTILE
        item.description = f'{HOSTILE}\n[点我]({HOSTILE_LINK}) <a href="{HOSTILE_LINK}">x</a>'
        item.deliverable = HOSTILE_LINK
        draft = db.session.merge(scene.draft)
        draft.narrative = f"{HOSTILE} {HOSTILE_LINK}"
        db.session.flush()
        submit_report(db.session.merge(scene.lead), draft, expected_version=None, now=NOW)
        add_contribution(
            db.session.merge(scene.co), item, body=f"{HOSTILE} {HOSTILE_LINK}", now=NOW
        )
        lead = db.session.merge(scene.lead)
        lead.name = HOSTILE
        db.session.merge(scene.lead_dept).short_name = "局<img src=x onerror=alert(4)>"
        db.session.commit()
    pages = {
        "office": [
            "/items",
            f"/items?q={HOSTILE[:10]}",
            f"/items/{scene.item.id}",
            f"/reports/{scene.draft.id}",
            "/review",
            "/office",
            "/dashboard/",
            f"/dashboard/department/{scene.lead_dept.id}",
            "/notices",
            "/spreadsheets/",
            "/bulletins/",
            "/plans/",
        ],
        "lead": [f"/items/{scene.item.id}", "/my", "/notices", "/dashboard/department"],
        "admin": ["/admin/users", f"/admin/users/{scene.lead.id}", "/admin/departments"],
    }
    users = scene.users()
    shown = 0
    for role, urls in pages.items():
        login_as(client, users[role])
        for url in urls:
            response = client.get(url, follow_redirects=True)
            if response.status_code == 404:
                continue
            assert response.status_code == 200, (url, response.status_code)
            html = response.get_data(as_text=True)
            assert_inert(html, f"{role} {url}")
            shown += "alert(1)" in html
    assert shown >= 5  # the text is shown — as text


# ---------------------------------------------------------------- case 33

HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _assert_headers(response, where):
    for name, expected in HEADERS.items():
        assert expected in response.headers.get(name, ""), (where, name)
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[-1].split(";")[0], where


def test_sec_33_security_headers_on_every_kind_of_response(app, client, scene):
    from tracker.api.tokens import create_token

    with app.test_request_context():
        _row, token = create_token(None, db.session.merge(scene.lead))
        db.session.commit()
    responses = {
        "login": client.get("/login"),
        "anonymous redirect": client.get("/items"),
        "missing": client.get("/no-such-page"),
        "api anonymous": client.get("/api/v1/items"),
        "api": client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}),
        "openapi": client.get("/api/v1/openapi.json"),
        "health": client.get("/healthz"),
    }
    login_as(client, scene.lead)
    responses["page"] = client.get(f"/items/{scene.item.id}")
    responses["405"] = client.get("/logout")
    for where, response in responses.items():
        _assert_headers(response, where)
        assert "Strict-Transport-Security" not in response.headers  # development: plain HTTP


def test_sec_33_production_sends_hsts_and_a_plain_500(app):
    config = type(
        "Prod",
        (ProductionConfig,),
        {"SECRET_KEY": "q" * 40, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]},
    )
    prod = create_app(config, MAIL_BACKEND="memory")
    prod.test_client_class = IsolatedClient

    def explode():
        raise RuntimeError("secret internals: password=hunter2")

    prod.add_url_rule("/explode", "explode", explode)
    try:
        client = prod.test_client()
        login = client.get("/login", base_url="https://localhost")
        assert "max-age=" in login.headers["Strict-Transport-Security"]
        _assert_headers(login, "production login")
        response = client.get("/explode", base_url="https://localhost")
        assert response.status_code == 500
        body = response.get_data(as_text=True)
        assert "Traceback" not in body and "hunter2" not in body and "RuntimeError" not in body
        assert "Strict-Transport-Security" in response.headers
        _assert_headers(response, "production 500")
    finally:
        with prod.app_context():
            prod.extensions["sqlalchemy"].engine.dispose()


# ---------------------------------------------------------------- case 34


def test_sec_34_exports_over_http_neutralise_formulas(app, client, scene):
    with app.test_request_context():
        item = db.session.merge(scene.item)
        item.title = '=HYPERLINK("http://evil.example","点击")'
        item.deliverable = "@SUM(1+1)*cmd|' /C calc'!A0"
        db.session.commit()
    login_as(client, scene.office)
    for path in ("decomposition.xlsx", "progress.xlsx"):
        response = client.get(f"/spreadsheets/export/{path}?plan={scene.plan.id}")
        assert response.status_code == 200, path
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
        values = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        hostile = [v for v in values if "HYPERLINK" in v or "cmd|" in v]
        assert hostile, path
        assert all(v.startswith("'") for v in hostile), hostile
        formulas = [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]
        assert not formulas, path
