"""SECURITY cases 16–22: the transition table, races, the audit journal, half-done uploads,
optimistic locking, SQLite under several writers, migrations.

Races (17, 20) run for real on PostgreSQL (two threads, two connections, a barrier); on
SQLite, which serialises writers, the same cases are shown with two sessions that load the
same version one after the other.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage

from tests.concurrency import race
from tests.conftest import login_as
from tests.items_support import (
    NOW,
    PDF_BYTES,
    Scene,
    make_item,
    make_report,
    pinned_today,  # noqa: F401
)
from tracker.errors import DomainError, InvalidTransition, StaleVersion
from tracker.extensions import db
from tracker.models import (
    Attachment,
    AuditEvent,
    Notice,
    OutboxMessage,
    Report,
    ReportRevision,
    User,
    WorkItem,
)
from tracker.workflow import TRANSITIONS, Action, ReviewState, can

ROOT = Path(__file__).resolve().parents[2]
# The department sign-off state needs an approver in the scene: its rows are walked over HTTP
# in tests/test_permissions_matrix.py (SIGNOFF_GRID) and through the services in
# tests/test_signoff.py.
STATES = [s.value for s in ReviewState if s is not ReviewState.PENDING_APPROVAL]
ROLES = ("admin", "office", "lead", "co", "other", "leader")


def counts() -> tuple:
    db.session.expire_all()
    return (
        db.session.query(AuditEvent).count(),
        db.session.query(Notice).count(),
        db.session.query(OutboxMessage).count(),
        db.session.query(ReportRevision).count(),
    )


# ---------------------------------------------------------------- case 16


def _attempt(action: Action, actor, report):
    from tracker.items.reports import save_draft, submit_report
    from tracker.review.operations import return_report, verify_report

    version = report.version
    if action is Action.EDIT:
        save_draft(
            actor,
            report,
            expected_version=version,
            narrative="改",
            progress=10,
            completes=False,
            now=NOW,
        )
    elif action is Action.SUBMIT:
        submit_report(actor, report, expected_version=version, now=NOW)
    elif action is Action.VERIFY:
        verify_report(actor, report, expected_version=version, now=NOW)
    else:
        return_report(actor, report, expected_version=version, reason="退回", now=NOW)


def test_sec_16_every_transition_outside_the_table_changes_logs_and_mails_nothing(app):
    """Every (state, review action, role) the table refuses, through the real services."""
    with app.test_request_context():
        scene = Scene()
        reports = {}
        for n, state in enumerate(STATES):
            item = (
                scene.item
                if n == 0
                else make_item(scene.plan, scene.lead_dept, [scene.co_dept], code=f"三.1.({n + 5})")
            )
            reports[state] = make_report(
                item, scene.lead, scene.focus, state, office=scene.office, now=NOW
            )
        db.session.commit()
        users = scene.users()
        refused = allowed = 0
        for state, report in reports.items():
            for action in (Action.EDIT, Action.SUBMIT, Action.VERIFY, Action.RETURN):
                for role in ROLES:
                    actor = users[role]
                    subject = report.item.subject(report.state)
                    if can(actor, action, subject):
                        allowed += 1
                        assert (ReviewState(state), action) in TRANSITIONS
                        continue
                    before = counts() + ((report.state, report.version),)
                    with pytest.raises(DomainError):
                        _attempt(action, actor, report)
                    db.session.flush()
                    after = counts() + ((report.state, report.version),)
                    assert after == before, (state, action.value, role)
                    db.session.rollback()
                    refused += 1
        # lead: edit and submit a draft or a returned report; office and admin: verify or return
    assert refused == 88 and allowed == 8


def test_sec_16_the_table_is_the_documented_flow():
    assert set(TRANSITIONS) == {
        (ReviewState.DRAFT, Action.EDIT),
        (ReviewState.DRAFT, Action.SUBMIT),
        (ReviewState.RETURNED, Action.EDIT),
        (ReviewState.RETURNED, Action.SUBMIT),
        (ReviewState.SUBMITTED, Action.VERIFY),
        (ReviewState.SUBMITTED, Action.RETURN),
        # Department sign-off (issue 17): a department with an active approver.
        (ReviewState.DRAFT, Action.SUBMIT_FOR_APPROVAL),
        (ReviewState.RETURNED, Action.SUBMIT_FOR_APPROVAL),
        (ReviewState.PENDING_APPROVAL, Action.APPROVE),
        (ReviewState.PENDING_APPROVAL, Action.RETURN),
    }


# ---------------------------------------------------------------- case 17


@pytest.fixture
def submitted(app):
    """Ids (not objects: each thread and request has its own session) of a submission."""
    from types import SimpleNamespace

    with app.test_request_context():
        scene = Scene()
        report = make_report(scene.item, scene.lead, scene.focus, "submitted", now=NOW)
        db.session.commit()
        ids = SimpleNamespace(
            report_id=report.id,
            version=report.version,
            item_id=scene.item.id,
            office_id=scene.office.id,
            office2_id=scene.office2.id,
        )
    db.session.remove()
    return ids


def _decisions() -> int:
    return (
        db.session.query(AuditEvent)
        .filter(AuditEvent.action.in_(("report.verified", "report.returned")))
        .count()
    )


def test_sec_17_two_reviewers_one_winner(app, submitted, is_postgres):
    """PostgreSQL: a real race. SQLite: both load version v, then act one after the other."""
    from tracker.review.operations import return_report, verify_report

    scene, v = submitted, submitted.version
    notices = db.session.query(Notice).count()

    def loader(user_id):
        def load():
            report = db.session.get(Report, scene.report_id)
            report.item.co_departments  # noqa: B018 (loaded before the barrier)
            report.period  # noqa: B018
            return db.session.get(User, user_id), report

        return load

    def verify(user, report):
        verify_report(user, report, expected_version=v, comment="通过", now=NOW)

    def give_back(user, report):
        return_report(user, report, expected_version=v, reason="请补充", now=NOW)

    if is_postgres:
        outcomes = race(
            app, (loader(scene.office_id), verify), (loader(scene.office2_id), give_back)
        )
    else:
        outcomes = []
        for user_id, act in ((scene.office_id, verify), (scene.office2_id, give_back)):
            with app.test_request_context():
                try:
                    act(*loader(user_id)())
                    db.session.commit()
                    outcomes.append("won")
                except DomainError as error:
                    db.session.rollback()
                    outcomes.append(error.code)
            db.session.remove()
    assert sorted(outcomes) in (["invalid_transition", "won"], ["stale_version", "won"]), outcomes
    db.session.expire_all()
    report = db.session.get(Report, scene.report_id)
    assert report.state in ("verified", "returned") and report.version == v + 1
    assert _decisions() == 1
    assert db.session.query(Notice).count() - notices == 1


def test_sec_17_two_reviewers_over_http_one_gets_409(app, client, submitted):
    scene, v = submitted, submitted.version
    login_as(client, db.session.get(User, scene.office_id))
    assert client.post(f"/reports/{scene.report_id}/verify", data={"version": v}).status_code in (
        302,
        303,
    )
    login_as(client, db.session.get(User, scene.office2_id))
    second = client.post(
        f"/reports/{scene.report_id}/return", data={"version": v, "reason": "请补充"}
    )
    assert second.status_code == 409
    db.session.expire_all()
    assert db.session.get(Report, scene.report_id).state == "verified"
    assert _decisions() == 1


# ---------------------------------------------------------------- case 18


def test_sec_18_every_change_appends_an_audit_event_with_actor_and_before_after(app):
    from tracker.items.reports import create_report, save_draft, submit_report
    from tracker.review.operations import return_report, verify_report

    with app.test_request_context():
        scene = Scene()
        db.session.commit()
        start = db.session.query(AuditEvent).count()
        report = create_report(
            scene.lead, scene.item, scene.focus, narrative="一", progress=10, now=NOW
        )
        save_draft(
            scene.lead,
            report,
            expected_version=None,
            narrative="二",
            progress=20,
            completes=False,
            now=NOW,
        )
        submit_report(scene.lead, report, expected_version=None, now=NOW)
        return_report(scene.office, report, expected_version=None, reason="补充", now=NOW)
        save_draft(
            scene.lead,
            report,
            expected_version=None,
            narrative="三",
            progress=30,
            completes=False,
            now=NOW,
        )
        submit_report(scene.lead, report, expected_version=None, now=NOW)
        verify_report(scene.office, report, expected_version=None, now=NOW)
        db.session.commit()
        events = (
            db.session.query(AuditEvent)
            .filter(AuditEvent.object_type == "report", AuditEvent.object_id == report.id)
            .order_by(AuditEvent.id)
            .all()
        )
        assert [e.action for e in events] == [
            "report.created",
            "report.saved",
            "report.submitted",
            "report.returned",
            "report.saved",
            "report.submitted",
            "report.verified",
        ]
        assert all(e.actor_id and e.at for e in events)
        saved = events[1]
        assert saved.before["narrative"] == "一" and saved.after["narrative"] == "二"
        assert events[3].comment == "补充"
        assert db.session.query(AuditEvent).count() > start + len(events) - 1


def test_sec_18_audit_events_cannot_be_edited_or_deleted(app):
    from tracker.audit import record_event
    from tracker.models.audit import AuditEventImmutable

    with app.test_request_context():
        scene = Scene()
        event = record_event(scene.office, "test.event", scene.item, comment="原文")
        db.session.commit()
        event.comment = "改写"
        with pytest.raises(AuditEventImmutable):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(AuditEvent, event.id))
        with pytest.raises(AuditEventImmutable):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(AuditEvent, event.id).comment == "原文"
    # No page or API route deletes or edits the journal.
    for rule in app.url_map.iter_rules():
        assert "audit" not in rule.rule or rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_sec_18_a_verified_report_cannot_be_changed(app, client):
    from tracker.api.tokens import create_token
    from tracker.items.reports import attach_evidence, save_draft

    with app.test_request_context():
        scene = Scene()
        report = make_report(scene.item, scene.lead, scene.focus, "verified", office=scene.office)
        db.session.commit()
        frozen = (report.narrative, report.progress, report.version, report.state)
        with pytest.raises(InvalidTransition):
            save_draft(
                scene.lead,
                report,
                expected_version=report.version,
                narrative="改",
                progress=90,
                completes=False,
                now=NOW,
            )
        db.session.rollback()
        with pytest.raises(DomainError):
            attach_evidence(
                scene.lead,
                report,
                [FileStorage(io.BytesIO(PDF_BYTES), "x.pdf")],
                expected_version=report.version,
                now=NOW,
            )
        db.session.rollback()
        _row, token = create_token(None, scene.lead)
        db.session.commit()
        report_id, version = report.id, report.version
    login_as(client, scene.lead)
    page = client.post(
        f"/reports/{report_id}/edit",
        data={"version": version, "narrative": "改", "progress": "90"},
    )
    assert page.status_code in (403, 409)
    assert client.post(f"/reports/{report_id}/submit", data={"version": version}).status_code == 409
    api = client.patch(
        f"/api/v1/reports/{report_id}",
        json={"version": version, "narrative": "改"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 409
    db.session.expire_all()
    report = db.session.get(Report, report_id)
    assert (report.narrative, report.progress, report.version, report.state) == frozen
    assert db.session.query(Attachment).count() == 0


# ---------------------------------------------------------------- case 19


def test_sec_19_failure_between_upload_and_commit_leaves_no_report_file_or_notice(
    app, client, monkeypatch
):
    import tracker.transitions as kernel  # the review kernel queues the notice

    with app.test_request_context():
        scene = Scene()
        db.session.commit()
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)
    files_before = {p for p in folder.rglob("*") if p.is_file()}
    before = counts()

    def explode(*args, **kwargs):
        raise RuntimeError("notice queue down")

    monkeypatch.setattr(kernel, "queue_notice", explode)
    login_as(client, scene.lead)
    response = client.post(
        f"/items/{scene.item.id}/report",
        data={
            "period_id": str(scene.focus.id),
            "narrative": "本季度进展。",
            "progress": "40",
            "action": "submit",
            "files": [(io.BytesIO(PDF_BYTES), "证明.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 500
    assert counts() == before
    assert db.session.query(Report).count() == 0 and db.session.query(Attachment).count() == 0
    assert {p for p in folder.rglob("*") if p.is_file()} == files_before


# ---------------------------------------------------------------- case 20


def test_sec_20_stale_item_save_is_a_conflict_and_the_first_save_survives(app, client):
    with app.test_request_context():
        scene = Scene()
        db.session.commit()
        item_id, version, code = scene.item.id, scene.item.version, scene.item.code

    def save(user, title):
        login_as(client, user)
        return client.post(
            f"/items/{item_id}/edit",
            data={"version": version, "code": code, "title": title, "priority": "2"},
        )

    assert save(scene.office, "甲的标题").status_code in (302, 303)
    second = save(scene.office2, "乙的标题")
    assert second.status_code == 409
    db.session.expire_all()
    item = db.session.get(WorkItem, item_id)
    assert item.title == "甲的标题" and item.version == version + 1
    assert db.session.query(AuditEvent).filter_by(action="item.updated").count() == 1


def test_sec_20_stale_api_save_is_409_with_the_current_version(app, client):
    from tracker.api.tokens import create_token

    with app.test_request_context():
        scene = Scene()
        report = make_report(scene.item, scene.lead, scene.focus, "draft")
        _row, token = create_token(None, scene.lead)
        db.session.commit()
        report_id, version = report.id, report.version
    headers = {"Authorization": f"Bearer {token}"}
    first = client.patch(
        f"/api/v1/reports/{report_id}",
        headers=headers,
        json={"version": version, "narrative": "第一次"},
    )
    assert first.status_code == 200, first.json
    second = client.patch(
        f"/api/v1/reports/{report_id}",
        headers=headers,
        json={"version": version, "narrative": "第二次"},
    )
    assert second.status_code == 409
    assert second.json["error"]["current_version"] == version + 1
    db.session.expire_all()
    assert db.session.get(Report, report_id).narrative == "第一次"


def test_sec_20_two_editors_racing_on_postgresql(app, submitted, is_postgres):
    if not is_postgres:
        pytest.skip("a real race needs PostgreSQL (SQLite serialises writers); see the HTTP test")
    from tracker.items.operations import update_item

    scene = submitted
    version = db.session.get(WorkItem, scene.item_id).version

    def loader(user_id):
        def load():
            item = db.session.get(WorkItem, scene.item_id)
            item.co_departments  # noqa: B018
            return db.session.get(User, user_id), item

        return load

    def editor(title):
        def act(user, item):
            update_item(
                user,
                item,
                expected_version=version,
                title=title,
                code=item.code,
                description=item.description,
                due_date=item.due_date,
                now=NOW,
            )

        return act

    outcomes = race(
        app, (loader(scene.office_id), editor("甲")), (loader(scene.office2_id), editor("乙"))
    )
    assert sorted(outcomes) == ["stale_version", "won"], outcomes
    db.session.expire_all()
    item = db.session.get(WorkItem, scene.item_id)
    assert item.title == ("甲" if outcomes[0] == "won" else "乙")
    assert item.version == version + 1


def test_sec_20_stale_version_is_a_domain_409():
    assert StaleVersion.status == 409 and InvalidTransition.status == 409


# ---------------------------------------------------------------- case 21

WRITER = r"""
import sys
from sqlalchemy import text
from config import TestingConfig
from tracker import create_app
from tracker.extensions import db

app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=sys.argv[1])
user_id, rounds = int(sys.argv[2]), int(sys.argv[3])
with app.app_context():
    for _ in range(rounds):
        db.session.execute(
            text("UPDATE user_account SET failed_logins = failed_logins + 1 WHERE id = :id"),
            {"id": user_id},
        )
        db.session.execute(
            text("INSERT INTO audit_event (at, action, object_type) "
                 "VALUES (CURRENT_TIMESTAMP, 'test.write', 'system')")
        )
        db.session.commit()
print("ok")
"""


def test_sec_21_several_processes_write_sqlite_at_once_without_locked_errors(
    app, factories, is_postgres, tmp_path
):
    if is_postgres:
        pytest.skip("SQLite's WAL and busy timeout; PostgreSQL has row locks")
    from sqlalchemy import text

    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    user = factories.user("liaison")
    db.session.commit()
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACKER_CONFIG": "testing"}
    processes, rounds = 4, 60
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    workers = [
        subprocess.Popen(
            [sys.executable, str(script), url, str(user.id), str(rounds)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    results = [w.communicate(timeout=120) for w in workers]
    for worker, (out, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0 and "locked" not in err, err[-2000:]
        assert out.strip() == "ok"
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_logins == processes * rounds
    assert db.session.query(AuditEvent).filter_by(action="test.write").count() == processes * rounds


# ---------------------------------------------------------------- case 22


def test_sec_22_the_drift_check_of_make_check_passes(tmp_path):
    """tools/check_migrations.py: upgrade an empty SQLite database, compare, one head."""
    result = subprocess.run(
        [sys.executable, "-m", "tools.check_migrations", "--workdir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no drift" in result.stdout


def test_sec_20_a_malformed_version_is_a_conflict_not_a_500(app, client):
    """Found by `make scan`: wapiti put `http://…\\r\\n…` into the hidden version field of
    the indicator assignment form, and every such request was a 500."""
    from tests.indicators_support import indicator, make_plan

    with app.test_request_context():
        scene = Scene()
        plan = make_plan()
        target = indicator(plan, 1)
        db.session.commit()
        target_id, version = target.id, target.version
    login_as(client, scene.office)
    for garbage in ("http://www.example.org\r\nwapiti: 3", "abc", "1.5"):
        response = client.post(
            f"/indicators/{target_id}/assign",
            data={"department_id": scene.lead_dept.id, "version": garbage},
        )
        assert response.status_code == 409, (garbage, response.status_code)
    db.session.expire_all()
    from tracker.models import Indicator

    row = db.session.get(Indicator, target_id)
    assert row.version == version and row.department_id is None
