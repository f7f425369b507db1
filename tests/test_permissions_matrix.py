"""SECURITY case 11: every role × action × own/other department × state, over HTTP.

Each cell of the grid below is an explicit expected answer: `ok` (the action happens:
2xx or a redirect after success), or the refusal status. A refusal must change nothing:
no audit event, no notice, no state or version moves. `lead` and `co` are liaisons of the
item's lead and co-department, `other` a liaison of an unrelated department.
"""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

from tests.assessment_support import HEADER as RULES_HEADER
from tests.assessment_support import RULES_2025
from tests.conftest import login_as
from tests.items_support import (
    NOW,
    PDF_BYTES,
    Scene,
    make_report,
    pinned_today,  # noqa: F401
)
from tracker.assessment.operations import import_rules
from tracker.assessment.parsing import parse_rules
from tracker.extensions import db
from tracker.models import AssessmentRuleSet, AuditEvent, ExtensionRequest, Notice, Report, WorkItem

ROLES = ("admin", "office", "lead", "co", "other", "leader")

# action            state        admin office lead  co   other leader
GRID = """
view_item           open         ok    ok     ok    ok   404   ok
view_item           closed       ok    ok     ok    ok   404   ok
view_report         draft        ok    ok     ok    ok   404   ok
view_report         submitted    ok    ok     ok    ok   404   ok
view_report         returned     ok    ok     ok    ok   404   ok
view_report         verified     ok    ok     ok    ok   404   ok
download            draft        ok    ok     ok    ok   404   ok
create_report       none         403   403    ok    403  404   403
create_report       draft        403   403    409   403  404   403
create_report       closed       403   403    409   403  404   403
edit_report         draft        403   403    ok    403  404   403
edit_report         submitted    403   403    409   403  404   403
edit_report         returned     403   403    ok    403  404   403
edit_report         verified     403   403    409   403  404   403
submit              draft        403   403    ok    403  404   403
submit              submitted    403   403    409   403  404   403
submit              returned     403   403    ok    403  404   403
submit              verified     403   403    409   403  404   403
verify              draft        409   409    403   403  404   403
verify              submitted    ok    ok     403   403  404   403
verify              returned     409   409    403   403  404   403
verify              verified     409   409    403   403  404   403
return              draft        409   409    403   403  404   403
return              submitted    ok    ok     403   403  404   403
return              returned     409   409    403   403  404   403
return              verified     409   409    403   403  404   403
contribute          open         403   403    ok    ok   404   403
contribute          closed       403   403    409   409  404   403
request_extension   open         403   403    ok    403  404   403
request_extension   pending      403   403    409   403  404   403
request_extension   closed       403   403    409   403  404   403
decide_extension    pending      ok    ok     403   403  404   403
decide_extension    decided      409   409    403   403  404   403
edit_item           open         ok    ok     403   403  404   403
edit_item           closed       ok    ok     403   403  404   403
assign_item         open         ok    ok     403   403  404   403
retire_item         open         ok    ok     403   403  404   403
retire_item         closed       409   409    403   403  404   403
reopen_item         open         409   409    403   403  404   403
reopen_item         closed       ok    ok     403   403  404   403
review_queue        any          ok    ok     403   403  403   ok
bulk_verify         submitted    ok    ok     403   403  403   403
assessment_sheets   rules        ok    ok     403   403  403   ok
assessment_own      rules        ok    ok     ok    404  404   ok
assessment_export   rules        ok    ok     403   403  403   ok
assessment_rules    any          ok    ok     403   403  403   403
store_rules         any          ok    ok     403   403  403   403
"""

ROWS = []
for line in GRID.strip().splitlines():
    action, state, *answers = line.split()
    assert len(answers) == len(ROLES), line
    ROWS.append(
        pytest.param(action, state, dict(zip(ROLES, answers, strict=True)), id=f"{action}-{state}")
    )

READS = {
    "view_item",
    "view_report",
    "download",
    "review_queue",
    "assessment_sheets",
    "assessment_own",
    "assessment_export",
    "assessment_rules",
}


def build(state: str, suffix: str) -> dict:
    """A scene with the item (and report / extension) in `state`."""
    from tracker.items.deadlines import decide_extension, request_extension
    from tracker.items.reports import attach_evidence

    scene = Scene(suffix)
    objects = {"scene": scene, "item": scene.item, "report": None, "extension": None}
    if state in ("draft", "submitted", "returned", "verified"):
        report = make_report(scene.item, scene.lead, scene.focus, state, office=scene.office)
        objects["report"] = report
        if state == "draft":
            objects["attachment"] = attach_evidence(
                scene.lead, report, [FileStorage(io.BytesIO(PDF_BYTES), "证明.pdf")]
            )[0]
    if state == "closed":
        make_report(
            scene.item,
            scene.lead,
            scene.periods["2026Q3"],
            "verified",
            office=scene.office,
            progress=100,
            completes=True,
        )
        objects["report"] = make_report  # not used
    if state in ("pending", "decided"):
        objects["extension"] = request_extension(
            scene.lead,
            scene.item,
            requested_due_date=scene.item.due_date.replace(year=2027),
            reason="资金未到位",
            now=NOW,
        )
        if state == "decided":
            decide_extension(scene.office, objects["extension"], approve=True)
    if state == "rules" and not db.session.query(AssessmentRuleSet).count():
        import_rules(None, parse_rules(RULES_2025), now=NOW)
    db.session.commit()
    return objects


def request_for(action: str, objects: dict):
    """(method, url, form data) that attempts `action`."""
    scene, item, report = objects["scene"], objects["item"], objects["report"]
    item_form = {
        "version": item.version,
        "code": item.code,
        "title": "改过的标题",
        "priority": "2",
        "indicator_id": "0",
        "section_node_id": "0",
        "due_date": "2026-12-31",
    }
    rid = report.id if isinstance(report, Report) else 0
    rversion = report.version if isinstance(report, Report) else 0
    return {
        "view_item": ("GET", f"/items/{item.id}", None),
        "view_report": ("GET", f"/reports/{rid}", None),
        "download": (
            "GET",
            f"/items/{item.id}/evidence/{objects['attachment'].id}"
            if "attachment" in objects
            else "",
            None,
        ),
        "create_report": (
            "POST",
            f"/items/{item.id}/report",
            {"period_id": scene.focus.id, "narrative": "进展", "progress": "30"},
        ),
        "edit_report": (
            "POST",
            f"/reports/{rid}/edit",
            {"version": rversion, "narrative": "改写", "progress": "35", "action": "save"},
        ),
        "submit": ("POST", f"/reports/{rid}/submit", {"version": rversion}),
        "verify": ("POST", f"/reports/{rid}/verify", {"version": rversion}),
        "return": ("POST", f"/reports/{rid}/return", {"version": rversion, "reason": "补充"}),
        "contribute": ("POST", f"/items/{item.id}/contributions", {"body": "配合情况"}),
        "request_extension": (
            "POST",
            f"/items/{item.id}/extensions",
            {"requested_due_date": "2027-12-31", "reason": "需要更多时间"},
        ),
        "decide_extension": (
            "POST",
            f"/review/extensions/{objects['extension'].id if objects['extension'] else 0}/decide",
            {"decision": "approve", "comment": "同意", "version": item.version},
        ),
        "edit_item": ("POST", f"/items/{item.id}/edit", item_form),
        "assign_item": (
            "POST",
            f"/items/{item.id}/assign",
            {"version": item.version, "lead_department_id": scene.co_dept.id},
        ),
        "retire_item": (
            "POST",
            f"/items/{item.id}/retire",
            {"version": item.version, "reason": "重复"},
        ),
        "reopen_item": (
            "POST",
            f"/items/{item.id}/reopen",
            {"version": item.version, "reason": "未完成"},
        ),
        "review_queue": ("GET", "/review", None),
        "bulk_verify": ("POST", "/review/bulk-verify", {"pick": f"{rid}:{rversion}"}),
        "assessment_sheets": ("GET", "/assessment/?year=2026", None),
        "assessment_own": ("GET", f"/assessment/departments/{scene.lead_dept.id}", None),
        "assessment_export": ("GET", "/assessment/sheets.xlsx?year=2026", None),
        "assessment_rules": ("GET", "/assessment/rules", None),
        # Each role's attempt is a later year than the last stored one (no overlap).
        "store_rules": (
            "POST",
            "/assessment/rules",
            {"rules": f"{RULES_HEADER}{2030 + _rule_versions()},,100,报送,,report_late,-1\n"},
        ),
    }[action]


def _rule_versions() -> int:
    return db.session.query(AssessmentRuleSet).count()


def snapshot() -> tuple:
    db.session.expire_all()
    return (
        db.session.query(AuditEvent).count(),
        db.session.query(Notice).count(),
        sorted((r.id, r.state, r.version) for r in db.session.query(Report)),
        sorted(
            (i.id, i.version, i.status, i.lead_department_id) for i in db.session.query(WorkItem)
        ),
        sorted((e.id, e.state) for e in db.session.query(ExtensionRequest)),
        db.session.query(AssessmentRuleSet).count(),
    )


@pytest.mark.parametrize(("action", "state", "expected"), ROWS)
def test_row(app, client, action, state, expected):
    """One row of the grid: each role acts on its own fresh copy of the scene (no cleanup
    in between, so a row costs one table truncation, not six)."""
    wrong = []
    for role, answer in expected.items():
        with app.test_request_context():
            objects = build(state if state != "any" else "submitted", suffix=f"-{role}")
            actor = objects["scene"].users()[role]
            method, url, data = request_for(action, objects)
        assert url, "the grid names a request that does not exist"
        before = snapshot()
        login_as(client, actor)
        response = client.open(url, method=method, data=data)
        status = response.status_code
        after = snapshot()
        if answer == "ok":
            if status not in (200, 302, 303):
                wrong.append((role, answer, status, response.get_data(as_text=True)[:200]))
            elif action not in READS and (after == before or after[0] <= before[0]):
                wrong.append((role, answer, status, "succeeded without a change or an audit"))
        elif status != int(answer):
            wrong.append((role, answer, status, response.get_data(as_text=True)[:200]))
        elif after != before:
            wrong.append((role, answer, status, "a refused action changed something"))
    assert not wrong, wrong


def test_grid_covers_every_workflow_action():
    from tracker.workflow import Action

    named = {line.split()[0] for line in GRID.strip().splitlines()}
    mapping = {
        Action.VIEW: "view_item",
        Action.EDIT_ITEM: "edit_item",
        Action.ASSIGN_ITEM: "assign_item",
        Action.RETIRE_ITEM: "retire_item",
        Action.REOPEN_ITEM: "reopen_item",
        Action.CONTRIBUTE: "contribute",
        Action.REQUEST_EXTENSION: "request_extension",
        Action.DECIDE_EXTENSION: "decide_extension",
        Action.CREATE_REPORT: "create_report",
        Action.EDIT: "edit_report",
        Action.SUBMIT: "submit",
        Action.VERIFY: "verify",
        Action.RETURN: "return",
    }
    assert set(mapping) == set(Action)
    assert set(mapping.values()) <= named
