"""Verifying and returning reports: immutability, item progress, completion, bulk verify."""

import pytest

from tests.items_support import NOW, Scene, in_request, make_item, make_report  # noqa: F401
from tracker.errors import (
    InvalidTransition,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from tracker.items.operations import reopen_item
from tracker.items.reports import create_report, save_draft
from tracker.models import AuditEvent, Notice, Report, ReportRevision, WorkItem
from tracker.review.operations import bulk_verify, return_report, verify_report


@pytest.fixture
def scene(db_session):
    return Scene()


def test_verify_updates_progress_and_notifies_the_liaison(scene, db_session):
    report = make_report(scene.item, scene.lead, scene.focus, "submitted", progress=60)
    version = scene.item.version
    verify_report(scene.office, report, expected_version=report.version, comment="很好", now=NOW)
    assert report.state == "verified" and report.reviewer_id == scene.office.id
    assert (scene.item.progress, scene.item.status) == (60, "in_progress")
    assert scene.item.version == version + 1  # an open edit form on the item is now stale
    revision = db_session.query(ReportRevision).one()
    assert (revision.outcome, revision.review_comment) == ("verified", "很好")
    assert db_session.query(Notice).filter_by(kind="report_verified").one().user_id == scene.lead.id
    with pytest.raises(InvalidTransition):
        save_draft(
            scene.lead,
            report,
            expected_version=report.version,
            narrative="改",
            progress=1,
            completes=False,
        )
    with pytest.raises(InvalidTransition):
        verify_report(scene.office2, report, expected_version=report.version)


def test_a_verified_completion_closes_the_item_and_reopen_needs_the_office(scene, db_session):
    report = make_report(
        scene.item, scene.lead, scene.focus, "submitted", progress=100, completes=True
    )
    verify_report(scene.office, report, expected_version=report.version, now=NOW)
    assert scene.item.status == "completed" and scene.item.completed_at == NOW
    assert scene.item.is_closed
    actions = [e.action for e in db_session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions[-2:] == ["report.verified", "item.completed"]
    with pytest.raises(InvalidTransition):
        create_report(scene.lead, scene.item, scene.periods["2026Q3"])
    with pytest.raises(PermissionDenied):
        reopen_item(scene.lead, scene.item, expected_version=None, reason="x")
    reopen_item(scene.office, scene.item, expected_version=None, reason="抽查发现未完成")
    assert scene.item.status == "in_progress" and scene.item.completed_at is None


def test_return_requires_a_reason(scene, db_session):
    report = make_report(scene.item, scene.lead, scene.focus, "submitted")
    with pytest.raises(ValidationFailed) as error:
        return_report(scene.office, report, expected_version=report.version, reason=" ")
    assert "reason" in error.value.errors
    assert report.state == "submitted"
    return_report(scene.office, report, expected_version=report.version, reason="缺少佐证")
    notice = db_session.query(Notice).filter_by(kind="report_returned").one()
    assert notice.params["reason"] == "缺少佐证" and notice.link == f"/reports/{report.id}/edit"


def test_reviewers_only(scene):
    report = make_report(scene.item, scene.lead, scene.focus, "submitted")
    with pytest.raises(PermissionDenied):
        verify_report(scene.lead, report, expected_version=report.version)
    with pytest.raises(PermissionDenied):
        verify_report(scene.leader, report, expected_version=report.version)
    with pytest.raises(NotFound):
        return_report(scene.other, report, expected_version=report.version, reason="x")
    verify_report(scene.admin, report, expected_version=report.version)


def test_stale_review_is_refused(scene, db_session):
    report = make_report(scene.item, scene.lead, scene.focus, "returned", office=scene.office)
    seen = report.version
    # The liaison resubmits after the reviewer loaded the page: the reviewer's form is stale.
    from tracker.items.reports import submit_report

    submit_report(scene.lead, report, expected_version=report.version)
    with pytest.raises(StaleVersion):
        verify_report(scene.office, report, expected_version=seen)
    assert report.state == "submitted"


def test_an_older_period_does_not_overwrite_newer_progress(scene, db_session):
    newer = make_report(scene.item, scene.lead, scene.focus, "submitted", progress=70)
    older = make_report(scene.item, scene.lead, scene.periods["2026Q3"], "submitted", progress=50)
    verify_report(scene.office, newer, expected_version=newer.version)
    verify_report(scene.office, older, expected_version=older.version)
    assert scene.item.progress == 70


def test_bulk_verify_skips_what_changed(scene, db_session):
    other_item = make_item(scene.plan, scene.lead_dept, code="三.1.(2)")
    first = make_report(scene.item, scene.lead, scene.focus, "submitted", progress=20)
    second = make_report(other_item, scene.lead, scene.focus, "submitted", progress=30)
    entries = [(first.id, first.version), (second.id, second.version - 1), (999999, 1)]
    verified, skipped = bulk_verify(scene.office, entries, now=NOW)
    assert [r.id for r in verified] == [first.id]
    assert {s[0] for s in skipped} == {second.id, 999999}
    db_session.expire_all()
    assert db_session.get(WorkItem, other_item.id).progress == 0
    assert db_session.query(AuditEvent).filter_by(action="report.verified").count() == 1


@pytest.mark.parametrize("failure", ["stale", "not submitted"])
def test_bulk_verify_a_failed_row_leaves_nothing_and_the_caller_owns_the_transaction(
    scene, db_session, failure
):
    """Per-row outcomes: the 1st and 3rd are verified, the 2nd (changed since the queue was
    loaded, or no longer submitted) is skipped and leaves nothing — no state, revision,
    audit event or notice. And nothing is committed behind the caller's back: on SQLite a
    SAVEPOINT that opens the transaction commits it when released (pysqlite), so a caller
    that rolled back still found the first report verified; PostgreSQL kept nothing."""
    from tracker.extensions import db

    items = [scene.item] + [
        make_item(scene.plan, scene.lead_dept, code=code) for code in ("三.1.(2)", "专栏1")
    ]
    reports = [
        make_report(item, scene.lead, scene.focus, "submitted", progress=10 * (n + 2))
        for n, item in enumerate(items)
    ]
    if failure == "not submitted":
        make_report(items[1], scene.lead, scene.periods["2026Q3"], "draft")
        second = db_session.query(Report).filter_by(item_id=items[1].id, state="draft").one()
    else:
        second = reports[1]
    db_session.commit()
    ids = [reports[0].id, second.id, reports[2].id]

    def entries():
        db_session.expire_all()
        rows = {r.id: r for r in db_session.query(Report).filter(Report.id.in_(ids))}
        seen = {i: rows[i].version for i in ids}
        if failure == "stale":
            seen[second.id] -= 1
        return [(i, seen[i]) for i in ids]

    def state():
        db_session.expire_all()
        return (
            [db_session.get(Report, i).state for i in ids],
            [db_session.get(WorkItem, item.id).progress for item in items],
            db_session.query(AuditEvent).filter_by(action="report.verified").count(),
            db_session.query(Notice).filter_by(kind="report_verified").count(),
            sorted(
                (r.report_id, r.outcome)
                for r in db_session.query(ReportRevision).filter(ReportRevision.report_id.in_(ids))
            ),
        )

    before = state()
    verified, skipped = bulk_verify(scene.office, entries(), now=NOW)
    assert [r.id for r in verified] == [ids[0], ids[2]]
    assert [s[0] for s in skipped] == [second.id]
    db.session.rollback()  # the caller gives up: nothing may remain, on either database
    assert state() == before

    verified, skipped = bulk_verify(scene.office, entries(), now=NOW)
    db.session.commit()
    states, progress, audited, notices, revisions = state()
    assert states == ["verified", before[0][1], "verified"]
    assert progress == [20, 0, 40]
    assert (audited, notices) == (2, 2)
    assert dict(revisions).get(second.id) is None  # a draft has no revision yet
