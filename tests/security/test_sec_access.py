"""SECURITY cases 11–15: departments are horizontal boundaries, roles vertical.

Case 11's full grid is tests/test_permissions_matrix.py (one test per row) and the pure grid
is tests/test_workflow.py; case 15's walk of the URL map is tests/test_access.py. Here:
the matrix's completeness and a sample of its rows, and cases 12–14 end to end over the
pages and the API.
"""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

from tests.conftest import login_as
from tests.items_support import (
    NOW,
    PDF_BYTES,
    Scene,
    make_item,
    make_report,
    pinned_today,  # noqa: F401
)
from tracker.extensions import db
from tracker.models import (
    Attachment,
    AuditEvent,
    Contribution,
    ExtensionRequest,
    Notice,
    OutboxMessage,
    Report,
    WorkItem,
)


def world_state() -> tuple:
    """Everything a refused request must leave as it was."""
    db.session.expire_all()
    return (
        db.session.query(AuditEvent).count(),
        db.session.query(Notice).count(),
        db.session.query(OutboxMessage).count(),
        db.session.query(Contribution).count(),
        db.session.query(ExtensionRequest).count(),
        db.session.query(Attachment).count(),
        sorted((r.id, r.state, r.version, r.narrative) for r in db.session.query(Report)),
        sorted(
            (i.id, i.version, i.title, i.lead_department_id) for i in db.session.query(WorkItem)
        ),
    )


def token_for(user) -> str:
    from tracker.api.tokens import create_token

    _row, text = create_token(None, user, name="security test")
    db.session.commit()
    return text


@pytest.fixture
def scene(app):
    """A lead department's item with a draft report carrying a PDF, and a submitted one."""
    from tracker.items.reports import attach_evidence

    with app.test_request_context():
        scene = Scene()
        scene.draft = make_report(scene.item, scene.lead, scene.focus, "draft", now=NOW)
        attach_evidence(
            scene.lead, scene.draft, [FileStorage(io.BytesIO(PDF_BYTES), "证明.pdf")], now=NOW
        )
        scene.attachment = db.session.query(Attachment).one()
        scene.other_item = make_item(scene.plan, scene.lead_dept, code="三.1.(2)")
        scene.submitted = make_report(
            scene.other_item, scene.lead, scene.focus, "submitted", now=NOW
        )
        db.session.commit()
    return scene


# ---------------------------------------------------------------- case 11


def test_sec_11_the_matrix_has_an_explicit_answer_in_every_cell():
    from tests import test_permissions_matrix as matrix
    from tracker.workflow import Action

    grid = matrix.GRID + matrix.ACK_GRID  # same roles; SIGNOFF_GRID has the approvers
    lines = [line.split() for line in grid.strip().splitlines() if line.strip()]
    assert lines and all(len(cells) == 2 + len(matrix.ROLES) for cells in lines)
    answers = {cell for cells in lines for cell in cells[2:]}
    assert answers <= {"ok", "403", "404", "409"}
    assert {"403", "404", "409"} <= answers  # denials are written down, not implied
    # own department (lead, co) and another (other) for every role
    assert set(matrix.ROLES) == {"admin", "office", "lead", "co", "other", "leader"}
    named = {cells[0] for cells in lines}
    assert {"view_item", "verify", "return", "submit", "edit_report", "download"} <= named
    assert len(Action) <= len(named)
    states = {cells[1] for cells in lines if cells[0] == "verify"}
    assert states == {"draft", "submitted", "returned", "verified"}


@pytest.mark.parametrize(
    "row", ["verify submitted", "submit draft", "edit_report verified", "download draft"]
)
def test_sec_11_sample_rows_of_the_matrix_over_http(app, client, row):
    """A few rows of tests/test_permissions_matrix.py again, so `-k sec_11` exercises HTTP."""
    from tests import test_permissions_matrix as matrix

    action, state = row.split()
    (expected,) = [e for (a, s, e) in (p.values for p in matrix.ROWS) if (a, s) == (action, state)]
    matrix.test_row(app, client, action, state, expected)


# ---------------------------------------------------------------- case 12


def test_sec_12_another_departments_urls_are_404_and_change_nothing(app, client, scene):
    item, draft, submitted = scene.item, scene.draft, scene.submitted
    attachment = scene.attachment
    before = world_state()
    login_as(client, scene.other)
    requests = [
        ("GET", f"/items/{item.id}", None),
        ("GET", f"/items/{item.id}/edit", None),
        ("GET", f"/items/{item.id}/report", None),
        ("GET", f"/reports/{draft.id}", None),
        ("GET", f"/reports/{draft.id}/edit", None),
        ("GET", f"/items/{item.id}/evidence/{attachment.id}", None),
        ("POST", f"/reports/{draft.id}/submit", {"version": draft.version}),
        (
            "POST",
            f"/reports/{draft.id}/edit",
            {"version": draft.version, "narrative": "篡改", "progress": "99"},
        ),
        ("POST", f"/reports/{draft.id}/evidence/{attachment.id}/delete", {}),
        ("POST", f"/items/{item.id}/report", {"period_id": scene.focus.id, "narrative": "x"}),
        ("POST", f"/items/{item.id}/contributions", {"body": "越权"}),
        (
            "POST",
            f"/items/{item.id}/extensions",
            {"requested_due_date": "2027-06-30", "reason": "x"},
        ),
        ("POST", f"/reports/{submitted.id}/verify", {"version": submitted.version}),
        ("GET", f"/dashboard/department/{scene.lead_dept.id}", None),
    ]
    for method, url, data in requests:
        response = client.open(url, method=method, data=data)
        assert response.status_code == 404, (method, url, response.status_code)
    assert world_state() == before


def test_sec_12_the_api_answers_404_for_another_departments_objects(app, client, scene):
    headers = {"Authorization": f"Bearer {token_for(scene.other)}"}
    before = world_state()
    draft = scene.draft
    for method, url, body in [
        ("GET", f"/api/v1/items/{scene.item.id}", None),
        ("GET", f"/api/v1/items/{scene.item.id}/reports", None),
        ("GET", f"/api/v1/reports/{draft.id}", None),
        ("PATCH", f"/api/v1/reports/{draft.id}", {"version": draft.version, "narrative": "x"}),
        ("POST", f"/api/v1/reports/{draft.id}/submit", {"version": draft.version}),
        ("POST", f"/api/v1/items/{scene.item.id}/reports", {"narrative": "越权"}),
    ]:
        response = client.open(url, method=method, json=body, headers=headers)
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json["error"]["code"] in ("not_found", "404")
    assert world_state()[1:] == before[1:]  # the token's last-use stamp is not an event


# ---------------------------------------------------------------- case 13


def test_sec_13_extra_form_fields_are_ignored(app, client, scene):
    draft = scene.draft
    login_as(client, scene.lead)
    response = client.post(
        f"/reports/{draft.id}/edit",
        data={
            "version": draft.version,
            "period_id": scene.focus.id,
            "narrative": "补充了材料。",
            "progress": "50",
            "state": "verified",
            "reviewer_id": scene.office.id,
            "author_id": scene.office.id,
            "department_id": scene.other_dept.id,
            "item_id": scene.other_item.id,
            "lead_department_id": scene.lead_dept.id,
        },
    )
    assert response.status_code in (302, 303)
    db.session.expire_all()
    report = db.session.get(Report, draft.id)
    assert (report.state, report.reviewer_id, report.item_id) == ("draft", None, scene.item.id)
    assert report.author_id == scene.lead.id and report.narrative == "补充了材料。"
    # The office's item form has no owner fields: owners change only through assignment.
    login_as(client, scene.office)
    item = db.session.get(WorkItem, scene.item.id)
    client.post(
        f"/items/{item.id}/edit",
        data={
            "version": item.version,
            "code": item.code,
            "title": "新标题",
            "priority": "2",
            "lead_department_id": scene.other_dept.id,
            "status": "completed",
            "progress": "100",
        },
    )
    db.session.expire_all()
    item = db.session.get(WorkItem, scene.item.id)
    assert item.lead_department_id == scene.lead_dept.id
    assert (item.status, item.progress) == ("not_started", 0)


def test_sec_13_extra_api_fields_are_refused_and_change_nothing(app, client, scene):
    headers = {"Authorization": f"Bearer {token_for(scene.lead)}"}
    draft = scene.draft
    before = world_state()
    for extra in ({"state": "verified"}, {"reviewer_id": scene.office.id}, {"item_id": 1}):
        response = client.patch(
            f"/api/v1/reports/{draft.id}",
            json={"version": draft.version, "narrative": "x", **extra},
            headers=headers,
        )
        assert response.status_code == 422, response.json
    assert world_state()[1:] == before[1:]


# ---------------------------------------------------------------- case 14


def test_sec_14_lists_searches_and_api_show_a_liaison_only_their_departments(app, client, scene):
    with app.test_request_context():
        secret = make_item(scene.plan, scene.other_dept, code="三.1.(9)", title="机密事项甲")
        db.session.commit()
    login_as(client, scene.co)  # co-owner of scene.item, nothing to do with `secret`
    for url in ("/items", "/items?q=机密", "/items?q=三.1", "/my", "/dashboard/department"):
        page = client.get(url, follow_redirects=True)
        assert page.status_code == 200, url
        assert "机密事项甲" not in page.get_data(as_text=True), url
    headers = {"Authorization": f"Bearer {token_for(scene.co)}"}
    listed = client.get("/api/v1/items?per_page=100", headers=headers).json
    codes = {row["code"] for row in listed["items"]}
    assert scene.item.code in codes and secret.code not in codes
    assert client.get(f"/api/v1/items/{secret.id}", headers=headers).status_code == 404


def test_sec_14_a_department_digest_names_only_its_own_items(app, scene):
    from datetime import date

    from tracker.notify.jobs import digest

    with app.test_request_context():
        make_item(
            scene.plan,
            scene.other_dept,
            code="三.1.(8)",
            title="别人的逾期事项",
            due=date(2026, 11, 1),
        )
        make_item(
            scene.plan,
            scene.lead_dept,
            code="三.1.(7)",
            title="自己的逾期事项",
            due=date(2026, 11, 2),
        )
        db.session.commit()
        digest(date(2026, 11, 30))  # a Monday
        db.session.commit()
        rows = db.session.query(OutboxMessage).filter(OutboxMessage.kind == "digest").all()
    mine = [r for r in rows if r.department_id == scene.lead_dept.id]
    assert mine, [r.dedupe_key for r in rows]
    for row in mine:
        assert "自己的逾期事项" in row.body_text
        assert "别人的逾期事项" not in row.body_text + row.body_html


# ---------------------------------------------------------------- case 15


def test_sec_15_a_new_unprotected_route_would_fail_the_suite(app):
    """The walk of tests/test_access.py catches a route someone forgot to protect."""
    from config import TestingConfig
    from tests import test_access
    from tests.conftest import IsolatedClient
    from tracker import create_app

    leaky = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    leaky.test_client_class = IsolatedClient
    leaky.add_url_rule("/leak", "leak", lambda: "secret data")
    try:
        with pytest.raises(AssertionError, match="leak"):
            test_access.test_sec_15_every_endpoint_refuses_anonymous_users(leaky)
        assert len(test_access.PUBLIC_ENDPOINTS) <= 8
    finally:
        with leaky.app_context():
            leaky.extensions["sqlalchemy"].engine.dispose()
