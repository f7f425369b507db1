"""Structured reports, "same as last period" drafts and 代报 (issue #17, part A)."""

import pytest

from tests.conftest import login_as
from tests.items_support import NOW, Scene, make_report, pinned_today  # noqa: F401
from tracker.errors import InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.items.reports import create_report, save_draft, submit_report
from tracker.models import AuditEvent, Report, ReportRevision
from tracker.review.operations import verify_report

SECTIONS = {"problems": "资金缺口", "next_steps": "推进立项", "support_needed": "请协调用地指标"}


@pytest.fixture
def scene(db_session):
    return Scene()


def test_sections_are_kept_tidied_revised_and_audited(scene, db_session):
    report = create_report(
        scene.lead,
        scene.item,
        scene.focus,
        narrative="完成调研",
        progress=20,
        sections={"problems": "  资金缺口\r\n待落实  ", "next_steps": "推进立项"},
        now=NOW,
    )
    assert (report.problems, report.next_steps, report.support_needed) == (
        "资金缺口\n待落实",
        "推进立项",
        "",
    )
    # A section left out keeps its text; one given is replaced.
    save_draft(
        scene.lead,
        report,
        expected_version=report.version,
        narrative="完成调研",
        progress=20,
        completes=False,
        sections={"support_needed": "请协调用地指标"},
        now=NOW,
    )
    assert report.problems == "资金缺口\n待落实" and report.support_needed == "请协调用地指标"
    submit_report(scene.lead, report, expected_version=report.version, now=NOW)
    revision = db_session.query(ReportRevision).one()
    assert (revision.problems, revision.support_needed) == ("资金缺口\n待落实", "请协调用地指标")
    saved = db_session.query(AuditEvent).filter_by(action="report.saved").one()
    assert saved.after == {"support_needed": "请协调用地指标"}


def test_a_section_too_long_is_refused_and_nothing_changes(scene, db_session):
    report = create_report(scene.lead, scene.item, scene.focus, narrative="x", now=NOW)
    with pytest.raises(ValidationFailed) as error:
        save_draft(
            scene.lead,
            report,
            expected_version=report.version,
            narrative="y",
            progress=10,
            completes=False,
            sections={"next_steps": "长" * 4001},
            now=NOW,
        )
    assert "next_steps" in error.value.errors
    db_session.refresh(report)
    assert report.narrative == "x" and report.next_steps == "" and report.version == 1


def test_the_office_reports_on_behalf_and_it_is_marked_and_audited(scene, db_session):
    report = create_report(
        scene.office, scene.item, scene.focus, narrative="代为填报", progress=30, now=NOW
    )
    assert report.on_behalf and report.author_id == scene.office.id
    created = db_session.query(AuditEvent).filter_by(action="report.created").one()
    assert created.after["on_behalf"] is True and created.actor_id == scene.office.id
    # The office keeps the pen on it; the department may fix it too, the mark stays.
    save_draft(
        scene.lead,
        report,
        expected_version=report.version,
        narrative="部门补充",
        progress=30,
        completes=False,
        now=NOW,
    )
    assert report.on_behalf and report.author_id == scene.office.id
    submit_report(scene.office, report, expected_version=report.version, now=NOW)
    submitted = db_session.query(AuditEvent).filter_by(action="report.submitted").one()
    assert submitted.after["on_behalf"] is True and submitted.actor_id == scene.office.id
    verify_report(scene.office2, report, expected_version=report.version, now=NOW)
    assert report.state == "verified" and scene.item.progress == 30


def test_who_may_report_on_behalf(scene, db_session):
    with pytest.raises(PermissionDenied):
        create_report(scene.leader, scene.item, scene.focus)
    with pytest.raises(NotFound):
        create_report(scene.other, scene.item, scene.focus)
    own = create_report(scene.lead, scene.item, scene.focus, narrative="部门自报")
    assert not own.on_behalf
    # A department's own draft is theirs: the office does not edit or submit it.
    with pytest.raises(PermissionDenied):
        save_draft(
            scene.office,
            own,
            expected_version=own.version,
            narrative="改",
            progress=1,
            completes=False,
        )
    with pytest.raises(PermissionDenied):
        submit_report(scene.office, own, expected_version=own.version)
    scene.item.status = "completed"
    scene.item.completed_at = NOW
    db_session.flush()
    with pytest.raises(InvalidTransition):  # a closed item takes no new report, 代报 or not
        create_report(scene.office, scene.item, scene.periods["2026Q3"])
    assert db_session.query(Report).count() == 1
    from tests.items_support import make_item

    orphan = make_item(scene.plan, None, code="三.9.(9)")
    with pytest.raises(InvalidTransition):  # 代报 is for a department: none, no report
        create_report(scene.office, orphan, scene.focus)
    assert db_session.query(Report).count() == 1


def _form(**fields):
    data = {"period_id": "", "narrative": "", "progress": "0", **SECTIONS}
    data.update(fields)
    return data


def test_report_page_saves_sections_and_shows_them_to_the_office(app, client, scene):
    scene.focus_id = scene.focus.id
    login_as(client, scene.lead)
    response = client.post(
        f"/items/{scene.item.id}/report",
        data=_form(period_id=scene.focus_id, narrative="本期进展", progress="40", action="submit"),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    report = db.session.query(Report).one()
    assert (report.state, report.problems, report.support_needed) == (
        "submitted",
        "资金缺口",
        "请协调用地指标",
    )
    login_as(client, scene.office)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "资金缺口" in page and "推进立项" in page and "请协调用地指标" in page
    assert "on-behalf" not in page


def test_same_as_last_period_starts_a_draft_from_the_last_verified_report(app, client, scene):
    with app.test_request_context():
        make_report(
            scene.item,
            scene.lead,
            scene.periods["2026Q3"],
            "verified",
            office=scene.office,
            narrative="三季度完成设计",
            progress=45,
            sections={"problems": "资金缺口", "next_steps": "开工"},
        )
    db.session.commit()
    login_as(client, scene.lead)
    form = client.get(f"/items/{scene.item.id}/report").get_data(as_text=True)
    assert 'value="same_as_last"' in form
    response = client.post(
        f"/items/{scene.item.id}/report",
        data=_form(period_id=scene.focus.id, narrative="ignored", action="same_as_last"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    draft = db.session.query(Report).filter_by(period_id=scene.focus.id).one()
    assert draft.state == "draft" and draft.progress == 45 and not draft.completes
    assert draft.narrative.endswith("三季度完成设计") and draft.narrative != "三季度完成设计"
    assert (draft.problems, draft.next_steps, draft.support_needed) == ("资金缺口", "开工", "")
    assert response.headers["Location"].endswith(f"/reports/{draft.id}/edit")


def test_same_as_last_without_a_verified_report_is_422(client, scene):
    login_as(client, scene.lead)
    response = client.post(
        f"/items/{scene.item.id}/report",
        data=_form(period_id=scene.focus.id, action="same_as_last"),
    )
    assert response.status_code == 422
    assert db.session.query(Report).count() == 0


def test_office_reports_on_behalf_through_the_page(client, scene):
    login_as(client, scene.office)
    form = client.get(f"/items/{scene.item.id}/report")
    assert form.status_code == 200 and "on-behalf" in form.get_data(as_text=True)
    response = client.post(
        f"/items/{scene.item.id}/report",
        data=_form(period_id=scene.focus.id, narrative="代报内容", progress="10", action="submit"),
    )
    assert response.status_code == 302
    report = db.session.query(Report).one()
    assert report.on_behalf and report.state == "submitted"
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    queue = client.get("/review").get_data(as_text=True)
    assert "on-behalf" in page and "on-behalf" in queue
    login_as(client, scene.leader)
    assert client.get(f"/items/{scene.item.id}/report").status_code == 403


def _auth(user):
    from tracker.api.tokens import create_token

    _row, text = create_token(None, user, name="test")
    db.session.commit()
    return {"Authorization": f"Bearer {text}"}


def test_api_structured_report_on_behalf_and_same_as_last(client, scene):
    from tests.items_support import make_item

    second = make_item(scene.plan, scene.lead_dept, code="三.1.(2)")
    db.session.commit()
    lead, office, leader = _auth(scene.lead), _auth(scene.office), _auth(scene.leader)
    url = f"/api/v1/items/{scene.item.id}/reports"
    created = client.post(url, json={"narrative": "进展", **SECTIONS}, headers=lead)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert {k: body[k] for k in SECTIONS} == SECTIONS
    assert body["on_behalf"] is False and body["entered_by"] is None
    patched = client.patch(
        f"/api/v1/reports/{body['id']}",
        json={"version": body["version"], "problems": "已解决"},
        headers=lead,
    )
    assert patched.status_code == 200
    assert patched.get_json()["problems"] == "已解决"
    assert patched.get_json()["next_steps"] == "推进立项"
    too_long = client.patch(
        f"/api/v1/reports/{body['id']}",
        json={"version": patched.get_json()["version"], "next_steps": "长" * 4001},
        headers=lead,
    )
    assert too_long.status_code == 422
    other = f"/api/v1/items/{second.id}/reports"
    assert client.post(other, json={"same_as_last": True}, headers=office).status_code == 422
    assert client.post(other, json={}, headers=leader).status_code == 403
    on_behalf = client.post(other, json={"narrative": "代报"}, headers=office)
    assert on_behalf.status_code == 201
    assert on_behalf.get_json()["on_behalf"] is True
    assert on_behalf.get_json()["entered_by"] == scene.office.display_name
    assert db.session.query(Report).count() == 2


def test_progress_export_and_bulletin_show_the_sections_and_the_mark(app, client, scene):
    import io

    import openpyxl

    with app.test_request_context():
        report = make_report(
            scene.item,
            scene.office,  # 代报
            scene.focus,
            "verified",
            office=scene.office2,
            narrative="四季度进展",
            progress=70,
            sections=SECTIONS,
        )
        report_id = report.id
    db.session.commit()
    login_as(client, scene.office)
    response = client.get(
        f"/spreadsheets/export/progress.xlsx?plan={scene.plan.id}&period={scene.focus.id}"
    )
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in ws[3]]
    row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[0] == scene.item.code)
    named = dict(zip(header, row, strict=True))
    assert (named["存在问题"], named["下步计划"], named["需协调事项"]) == (
        "资金缺口",
        "推进立项",
        "请协调用地指标",
    )
    assert named["进展情况"] == "四季度进展" and named["进度"] == 0.7 and named["备注"] == "代报"
    page = client.get(f"/bulletins/{scene.focus.id}").get_data(as_text=True)
    assert 'id="bulletin-issues"' in page and "请协调用地指标" in page and "资金缺口" in page
    from docx import Document

    docx = client.get(f"/bulletins/{scene.focus.id}.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    assert "存在问题及需协调事项" in text and "请协调用地指标" in text and "（代报）" in text
    item_page = client.get(f"/items/{scene.item.id}").get_data(as_text=True)
    assert "on-behalf" in item_page and "推进立项" in item_page
    assert f"/reports/{report_id}" in item_page


def test_api_same_as_last_copies_the_last_verified_report(app, client, scene):
    with app.test_request_context():
        make_report(
            scene.item,
            scene.lead,
            scene.periods["2026Q3"],
            "verified",
            office=scene.office,
            narrative="三季度",
            progress=55,
            sections={"next_steps": "四季度开工"},
        )
    db.session.commit()
    response = client.post(
        f"/api/v1/items/{scene.item.id}/reports",
        json={"same_as_last": True, "narrative": "ignored", "progress": 99},
        headers=_auth(scene.lead),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["state"] == "draft" and body["progress"] == 55 and body["period"] == "2026Q4"
    assert body["next_steps"] == "四季度开工" and body["narrative"].endswith("三季度")
    assert body["completes"] is False
