"""Writing reports and contributions, and deadline extensions, through the services."""

from datetime import date

import pytest

from tests.items_support import NOW, Scene, in_request, make_report  # noqa: F401
from tracker.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from tracker.items.deadlines import decide_extension, request_extension
from tracker.items.reports import add_contribution, create_report, save_draft, submit_report
from tracker.models import (
    AuditEvent,
    ExtensionRequest,
    Notice,
    Report,
    ReportingPeriod,
    ReportRevision,
)


@pytest.fixture
def scene(db_session):
    return Scene()


def test_draft_edit_submit_keeps_a_revision_and_tells_the_office(scene, db_session):
    report = create_report(scene.lead, scene.item, scene.focus, now=NOW)
    assert report.state == "draft" and report.progress == 0
    save_draft(
        scene.lead,
        report,
        expected_version=report.version,
        narrative="完成调研",
        progress=30,
        completes=False,
        now=NOW,
    )
    submit_report(scene.lead, report, expected_version=report.version, now=NOW)
    assert report.state == "submitted" and report.submitted_at == NOW
    revision = db_session.query(ReportRevision).one()
    assert (revision.number, revision.narrative, revision.progress) == (1, "完成调研", 30)
    notices = db_session.query(Notice).filter_by(kind="report_submitted").all()
    assert {n.user_id for n in notices} == {scene.office.id, scene.office2.id}
    assert notices[0].params["code"] == "三.1.(1)" and notices[0].link == f"/reports/{report.id}"
    actions = [e.action for e in db_session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions[-3:] == ["report.created", "report.saved", "report.submitted"]


@pytest.mark.parametrize(
    ("narrative", "progress", "completes", "field"),
    [
        ("", 50, False, "narrative"),
        ("ok", 101, False, "progress"),
        ("ok", -1, False, "progress"),
        ("ok", 80, True, "completes"),
    ],
)
def test_submission_needs_a_narrative_and_sane_progress(
    scene, db_session, narrative, progress, completes, field
):
    report = create_report(scene.lead, scene.item, scene.focus, now=NOW)
    if field == "progress":
        with pytest.raises(ValidationFailed) as error:
            save_draft(
                scene.lead,
                report,
                expected_version=report.version,
                narrative=narrative,
                progress=progress,
                completes=completes,
            )
    else:
        save_draft(
            scene.lead,
            report,
            expected_version=report.version,
            narrative=narrative,
            progress=progress,
            completes=False,
        )
        report.completes = completes
        with pytest.raises(ValidationFailed) as error:
            submit_report(scene.lead, report, expected_version=report.version)
    assert field in error.value.errors
    db_session.refresh(report)
    assert report.state == "draft"


def test_who_may_write(scene):
    with pytest.raises(PermissionDenied):
        create_report(scene.co, scene.item, scene.focus)
    with pytest.raises(NotFound):
        create_report(scene.other, scene.item, scene.focus)
    with pytest.raises(PermissionDenied):  # leaders read; the office may 代报 (test_reporting)
        create_report(scene.leader, scene.item, scene.focus)
    report = create_report(scene.lead, scene.item, scene.focus, narrative="进展")
    with pytest.raises(InvalidTransition):
        create_report(scene.lead, scene.item, scene.focus)  # one per period
    foreign = ReportingPeriod(
        plan_id=scene.plan.id + 99,
        label="x",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 3, 31),
        deadline=date(2026, 4, 8),
    )
    with pytest.raises(ValidationFailed):
        create_report(scene.lead, scene.item, foreign)
    submit_report(scene.lead, report, expected_version=report.version)
    with pytest.raises(InvalidTransition):
        save_draft(
            scene.lead,
            report,
            expected_version=report.version,
            narrative="x",
            progress=1,
            completes=False,
        )


def test_stale_draft_is_refused(scene, db_session):
    report = create_report(scene.lead, scene.item, scene.focus)
    loaded = report.version
    save_draft(
        scene.lead, report, expected_version=loaded, narrative="A", progress=10, completes=False
    )
    with pytest.raises(StaleVersion):
        save_draft(
            scene.lead, report, expected_version=loaded, narrative="B", progress=20, completes=False
        )
    db_session.expire_all()
    assert db_session.get(Report, report.id).narrative == "A"


def test_resubmission_keeps_every_version(scene, db_session):
    report = make_report(scene.item, scene.lead, scene.focus, "returned", office=scene.office)
    save_draft(
        scene.lead,
        report,
        expected_version=report.version,
        narrative="补充了材料",
        progress=45,
        completes=False,
    )
    assert report.state == "returned"  # stays returned until resubmitted
    submit_report(scene.lead, report, expected_version=report.version)
    revisions = db_session.query(ReportRevision).order_by(ReportRevision.number).all()
    assert [(r.number, r.outcome) for r in revisions] == [(1, "returned"), (2, None)]
    assert revisions[0].review_comment == "请补充证明材料"
    assert revisions[1].narrative == "补充了材料"


def test_contributions_from_lead_and_co_departments(scene, db_session):
    add_contribution(scene.co, scene.item, body="配合局已完成数据报送", now=NOW)
    notice = db_session.query(Notice).filter_by(kind="contribution_added").one()
    assert notice.user_id == scene.lead.id
    add_contribution(scene.lead, scene.item, body="牵头单位补充说明")
    with pytest.raises(NotFound):
        add_contribution(scene.other, scene.item, body="x")
    with pytest.raises(PermissionDenied):
        add_contribution(scene.office, scene.item, body="x")
    with pytest.raises(ValidationFailed):
        add_contribution(scene.co, scene.item, body="   ")


def test_extension_request_and_approval_keep_the_original_date(scene, db_session):
    request = request_extension(
        scene.lead,
        scene.item,
        requested_due_date=date(2027, 6, 30),
        reason="资金未到位",
        now=NOW,
    )
    with pytest.raises(InvalidTransition):
        request_extension(
            scene.lead, scene.item, requested_due_date=date(2027, 7, 1), reason="again", now=NOW
        )
    with pytest.raises(PermissionDenied):
        decide_extension(scene.lead, request, approve=True)
    decide_extension(scene.office, request, approve=True, comment="同意")
    assert scene.item.due_date == date(2027, 6, 30)
    assert scene.item.original_due_date == date(2026, 12, 31)
    with pytest.raises(InvalidTransition):
        decide_extension(scene.office2, request, approve=False, comment="no")
    second = request_extension(
        scene.lead, scene.item, requested_due_date=date(2027, 12, 31), reason="再延", now=NOW
    )
    with pytest.raises(ValidationFailed):
        decide_extension(scene.office, second, approve=False, comment="")
    decide_extension(scene.office, second, approve=False, comment="理由不充分")
    assert scene.item.due_date == date(2027, 6, 30)
    assert scene.item.original_due_date == date(2026, 12, 31)
    states = [e.state for e in db_session.query(ExtensionRequest).order_by(ExtensionRequest.id)]
    assert states == ["approved", "refused"]
    assert db_session.query(Notice).filter_by(kind="extension_decided").count() == 2


@pytest.mark.parametrize(
    ("when", "reason", "field"),
    [
        (date(2026, 11, 1), "x", "requested_due_date"),
        (date(2026, 12, 31), "x", "requested_due_date"),
        (date(2027, 3, 1), "", "reason"),
    ],
)
def test_extension_input_is_checked(scene, when, reason, field):
    with pytest.raises(ValidationFailed) as error:
        request_extension(scene.lead, scene.item, requested_due_date=when, reason=reason, now=NOW)
    assert field in error.value.errors
