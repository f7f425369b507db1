"""The department head's sign-off (部门负责人审签): states and transitions in the one table,
the approver's queue, approve over the web and the API, and the bad input the issue lists."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import login_as, make_user
from tests.items_support import (
    NOW,
    Scene,
    make_report,
    pinned_today,  # noqa: F401
)
from tracker.extensions import db
from tracker.models import AuditEvent, Notice, Report


def _token(user) -> dict:
    from tracker.api.tokens import create_token

    _row, text = create_token(None, user, name="test")
    db.session.commit()
    return {"Authorization": f"Bearer {text}"}


@pytest.fixture
def scene(app):
    scene = Scene()
    scene.approver = make_user("approver", scene.lead_dept, username="approver-lead")
    scene.co_approver = make_user("approver", scene.co_dept, username="approver-co")
    scene.other_approver = make_user("approver", scene.other_dept, username="approver-other")
    db.session.commit()
    return scene


def _pending(scene) -> Report:
    report = make_report(scene.item, scene.lead, scene.focus, "submitted", office=scene.office)
    db.session.commit()
    return report


def _state(report_id: int) -> tuple:
    db.session.expire_all()
    report = db.session.get(Report, report_id)
    return report.state, report.version


def _counts() -> tuple:
    return (
        db.session.scalar(select(func.count(AuditEvent.id))),
        db.session.scalar(select(func.count(Notice.id))),
    )


def test_submit_goes_to_the_approver_first(scene):
    report = _pending(scene)
    assert report.state == "pending_approval"
    kinds = db.session.execute(select(Notice.user_id, Notice.kind)).all()
    assert (scene.approver.id, "report_pending_approval") in kinds
    assert not [k for k in kinds if k.kind == "report_submitted"]


def test_department_without_an_active_approver_keeps_todays_flow(scene):
    scene.approver.active = False
    db.session.commit()
    report = _pending(scene)
    assert report.state == "submitted"


def test_approve_over_the_api_sends_it_to_the_office(client, scene):
    report = _pending(scene)
    url = f"/api/v1/reports/{report.id}/approve"
    response = client.post(url, json={"version": report.version}, headers=_token(scene.approver))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["state"] == "submitted" and body["approved_at"]
    db.session.expire_all()
    row = db.session.get(Report, report.id)
    assert row.approved_by_id == scene.approver.id
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action == "report.approved")
    )
    office_notices = db.session.scalars(
        select(Notice.kind).where(Notice.user_id == scene.office.id)
    ).all()
    assert "report_submitted" in office_notices
    # …and the office can now verify it.
    verify = client.post(
        f"/api/v1/reports/{report.id}/verify",
        json={"version": row.version},
        headers=_token(scene.office),
    )
    assert verify.status_code == 200, verify.get_json()


def test_stale_version_is_409_and_changes_nothing(client, scene):
    report = _pending(scene)
    headers = _token(scene.approver)
    before = (_state(report.id), _counts())
    response = client.post(
        f"/api/v1/reports/{report.id}/approve",
        json={"version": report.version - 1},
        headers=headers,
    )
    assert response.status_code == 409
    assert (_state(report.id), _counts()) == before


@pytest.mark.parametrize(("who", "status"), [("other_approver", 404), ("co_approver", 403)])
def test_approver_of_another_department_is_refused(client, scene, who, status):
    report = _pending(scene)
    headers = _token(getattr(scene, who))
    before = (_state(report.id), _counts())
    url = f"/api/v1/reports/{report.id}"
    approve = client.post(f"{url}/approve", json={"version": report.version}, headers=headers)
    assert approve.status_code == status
    returned = client.post(
        f"{url}/return", json={"version": report.version, "reason": "不行"}, headers=headers
    )
    assert returned.status_code == status
    assert "error" in approve.get_json()
    assert (_state(report.id), _counts()) == before


def test_office_cannot_act_on_a_report_waiting_for_sign_off(client, scene):
    report = _pending(scene)
    headers = _token(scene.office)
    before = (_state(report.id), _counts())
    url = f"/api/v1/reports/{report.id}"
    for action, body in (
        ("verify", {"version": report.version}),
        ("return", {"version": report.version, "reason": "补充"}),
        ("approve", {"version": report.version}),
    ):
        response = client.post(f"{url}/{action}", json=body, headers=headers)
        assert response.status_code in (403, 409), (action, response.status_code)
    assert (_state(report.id), _counts()) == before


def test_liaison_cannot_approve_their_own_report(client, scene):
    report = _pending(scene)
    response = client.post(
        f"/api/v1/reports/{report.id}/approve",
        json={"version": report.version},
        headers=_token(scene.lead),
    )
    assert response.status_code == 403


def test_approver_returns_with_a_required_reason_on_the_page(client, scene):
    report = _pending(scene)
    login_as(client, scene.approver)
    before = (_state(report.id), _counts())
    empty = client.post(
        f"/reports/{report.id}/return", data={"version": report.version, "reason": "  "}
    )
    assert empty.status_code == 422
    assert (_state(report.id), _counts()) == before
    done = client.post(
        f"/reports/{report.id}/return", data={"version": report.version, "reason": "数据不实"}
    )
    assert done.status_code in (302, 303)
    assert _state(report.id)[0] == "returned"
    liaison_notices = db.session.scalars(
        select(Notice.kind).where(Notice.user_id == scene.lead.id)
    ).all()
    assert "report_returned" in liaison_notices
    # Resubmitting goes back to the approver, not straight to the office.
    db.session.expire_all()
    from tracker.items.reports import submit_report

    row = db.session.get(Report, report.id)
    submit_report(scene.lead, row, expected_version=row.version, now=NOW)
    db.session.commit()
    assert _state(report.id)[0] == "pending_approval"


def test_approver_home_lists_the_queue_and_signs_off(client, scene):
    report = _pending(scene)
    login_as(client, scene.approver)
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    text = home.get_data(as_text=True)
    assert 'id="signoff-queue"' in text and scene.item.code in text
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert 'id="approve-form"' in page and 'id="return-form"' in page
    done = client.post(f"/reports/{report.id}/approve", data={"version": report.version})
    assert done.status_code in (302, 303)
    assert _state(report.id)[0] == "submitted"
    again = client.get("/signoff").get_data(as_text=True)
    assert 'id="signoff-queue"' not in again
    stale = client.post(f"/reports/{report.id}/approve", data={"version": report.version})
    assert stale.status_code == 409


def test_other_roles_may_not_open_the_sign_off_page(client, scene):
    login_as(client, scene.lead)
    assert client.get("/signoff").status_code == 403


def test_approver_sees_only_their_department(client, scene):
    from tests.items_support import make_item

    elsewhere = make_item(scene.plan, scene.other_dept, [], code="九.9")
    db.session.commit()
    login_as(client, scene.approver)
    assert client.get(f"/items/{scene.item.id}").status_code == 200
    assert client.get(f"/items/{elsewhere.id}").status_code == 404


def _signoff_page_statements(app, client, scene, count: int) -> tuple[int, int]:
    from bench.pages import capture_sql
    from tests.items_support import make_item

    for n in range(count):
        item = make_item(scene.plan, scene.lead_dept, [scene.co_dept], code=f"八.{count}.{n}")
        make_report(item, scene.lead, scene.focus, "submitted", office=scene.office)
    db.session.commit()
    login_as(client, scene.approver)
    client.get("/signoff")  # warm-up
    with app.app_context():
        engine = db.engine
    with capture_sql(engine) as capture:
        response = client.get("/signoff")
    return response.status_code, capture.count


def test_sign_off_page_query_count_does_not_grow_with_the_queue(app, client, scene):
    """Query counts (issue 9) of the approver's home and a report page at two sizes."""
    status, small = _signoff_page_statements(app, client, scene, 2)
    assert status == 200
    status, big = _signoff_page_statements(app, client, scene, 12)
    assert status == 200
    assert small == big, (small, big)


@pytest.mark.today("2026-11-30")
def test_approvers_are_reminded_once_a_day_of_waiting_reports(app, scene):
    """Submitted on Friday 27 November: reminded on Monday 30 (one working day later), once."""
    from tracker.models import OutboxMessage
    from tracker.notify.jobs import remind

    report = _pending(scene)
    assert report.state == "pending_approval"
    first = remind(date(2026, 11, 27))
    assert not [d for d in first.drafts if d.dedupe_key.startswith("approval:")]
    db.session.commit()
    planned = remind(date(2026, 11, 30))
    ours = [d for d in planned.drafts if d.dedupe_key.startswith("approval:")]
    assert len(ours) == 1 and ours[0].to == [scene.approver.email]
    assert scene.item.code in ours[0].items
    db.session.commit()
    again = remind(date(2026, 11, 30))
    assert not [d for d in again.drafts if d.dedupe_key.startswith("approval:")]
    assert db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.dedupe_key.like("approval:%"))
    )


def test_demo_has_an_approver_a_waiting_report_open_assignments_and_an_instruction(
    app, monkeypatch
):
    from werkzeug.security import generate_password_hash

    import tracker.admin.operations as admin_operations
    from tracker.demo import load_demo
    from tracker.models import Instruction, ItemAssignment, User

    monkeypatch.setattr(
        admin_operations, "hash_password", lambda p: generate_password_hash(p, "pbkdf2:sha256:1")
    )
    with app.test_request_context():
        load_demo(now=NOW)
        db.session.commit()
        approver = db.session.scalar(select(User).where(User.username == "approver-kjj"))
        assert approver is not None and approver.role == "approver"
        states = [a.state for a in db.session.scalars(select(ItemAssignment))]
        assert states.count("change_requested") == 1 and "acknowledged" in states
        from tracker.signoff.assignments import unacknowledged_summary

        office = db.session.scalar(select(User).where(User.username == "office"))
        assert 2 <= unacknowledged_summary(office, NOW.date())["total"] <= 3
        assert db.session.scalar(select(func.count(Instruction.id))) == 1
        waiting = db.session.scalar(
            select(func.count(Report.id)).where(Report.state == "pending_approval")
        )
        # Running it again adds nothing.
        load_demo(now=NOW)
        db.session.commit()
        assert db.session.scalar(select(func.count(Instruction.id))) == 1
        assert (
            db.session.scalar(
                select(func.count(Report.id)).where(Report.state == "pending_approval")
            )
            == waiting
        )
    assert waiting == 1
