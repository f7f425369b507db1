"""Permission before version (outside probe, issue 24): every state-changing route loads its
object, answers 404 to someone who may not see it (403 to a role that may never act) and
only then reads the version. A missing, garbage or stale version must never turn into a 409
conflict page that names another department's item.

The walk covers every POST/PATCH rule of the URL map that carries an object id; a new one
fails `test_every_state_changing_route_with_an_id_is_walked` until it is added below.
"""

from __future__ import annotations

import io
import re

import pytest
from werkzeug.datastructures import FileStorage

from tests.conftest import login_as
from tests.items_support import (
    NOW,
    PDF_BYTES,
    Scene,
    make_report,
    pinned_today,  # noqa: F401
)
from tests.security.test_sec_access import token_for, world_state
from tracker.extensions import db
from tracker.models import (
    ApiToken,
    Attachment,
    ExtensionRequest,
    Indicator,
    IndicatorValue,
    Report,
)

# What each object-id route answers an outsider: 404 where the object belongs to another
# department (same as missing); 403 (or 404) where the role may never act at all.
HIDDEN = 404
ROLE = (403, 404)
MUTATING = {"POST", "PATCH", "PUT", "DELETE"}


@pytest.fixture
def scene(app):
    return build_scene(app)


def build_scene(app):
    """Objects of the lead department (and of the office) an outsider liaison may not see."""
    from tracker.items.deadlines import request_extension
    from tracker.items.reports import attach_evidence

    with app.test_request_context():
        scene = Scene()
        scene.draft = make_report(scene.item, scene.lead, scene.focus, "draft", now=NOW)
        attach_evidence(
            scene.lead, scene.draft, [FileStorage(io.BytesIO(PDF_BYTES), "证明.pdf")], now=NOW
        )
        scene.attachment = db.session.query(Attachment).one()
        scene.submitted = make_report(
            _other_item(scene), scene.lead, scene.focus, "submitted", now=NOW
        )
        scene.extension = request_extension(
            scene.lead,
            scene.item,
            requested_due_date=scene.item.due_date.replace(year=2027),
            reason="需要更多时间",
            now=NOW,
        )
        scene.indicator = Indicator(
            plan=scene.plan,
            number=1,
            name="服务业增加值",
            unit="亿元",
            target=4300.0,
            target_text="4300",
            attribute="预期性",
            kind="target",
            department_id=scene.lead_dept.id,
        )
        db.session.add(scene.indicator)
        db.session.flush()
        scene.value = IndicatorValue(
            indicator=scene.indicator, year=2024, value_text="4000", value_number=4000.0
        )
        scene.submitted_value = IndicatorValue(
            indicator=scene.indicator,
            year=2025,
            value_text="4100",
            value_number=4100.0,
            state="submitted",
        )
        db.session.add_all([scene.value, scene.submitted_value])
        scene.token, _text = _token_row(scene.lead)
        scene.letter = _letter(scene)
        scene.milestones = _milestone_plan(scene)
        scene.milestone = scene.milestones.milestones[0]
        from tracker.signoff.instructions import write_instruction

        scene.instruction = write_instruction(scene.leader, scene.item, text="批示", now=NOW)
        db.session.commit()
    return scene


def _letter(scene):
    """A supervision letter to the lead department about its item (issued by the system)."""
    from tracker.letters.operations import issue_letter

    return issue_letter(None, level="yellow", item_ids=[scene.item.id], note="催办", now=NOW)


def _milestone_plan(scene):
    """The lead's draft milestone plan (形象进度计划) of the item, one milestone."""
    from datetime import date

    from tracker.items.milestones import propose_milestones

    steps = [{"title": "完工", "planned_date": date(2026, 12, 31), "weight": 100}]
    return propose_milestones(scene.lead, scene.item, steps, now=NOW)


def _other_item(scene):
    from tests.items_support import make_item

    return make_item(scene.plan, scene.lead_dept, code="三.2.(2)")


def _token_row(user):
    from tracker.api.tokens import create_token

    return create_token(None, user, name="lead's token")


def _routes(app) -> dict[tuple[str, str], object]:
    """(endpoint, method) → rule for every mutating rule with an object id in its path."""
    return {
        (rule.endpoint, method): rule
        for rule in app.url_map.iter_rules()
        if rule.arguments
        for method in sorted(rule.methods & MUTATING)
    }


def _targets(scene) -> dict[tuple[str, str], tuple[dict, object, int | tuple]]:
    """(endpoint, method) → (path ids, object whose version is sent, expected status)."""
    item, draft, submitted = scene.item, scene.draft, scene.submitted
    value, submitted_value = scene.value, scene.submitted_value
    office_only = {"department_id": scene.lead_dept.id}
    return {
        ("items.assign", "POST"): ({"item_id": item.id}, item, HIDDEN),
        ("items.contribute", "POST"): ({"item_id": item.id}, None, HIDDEN),
        ("items.edit", "POST"): ({"item_id": item.id}, item, HIDDEN),
        ("items.ask_extension", "POST"): ({"item_id": item.id}, None, HIDDEN),
        ("items.merge", "POST"): ({"item_id": item.id}, item, HIDDEN),
        ("items.reopen", "POST"): ({"item_id": item.id}, item, HIDDEN),
        ("items.new_report", "POST"): ({"item_id": item.id}, None, HIDDEN),
        ("items.retire", "POST"): ({"item_id": item.id}, item, HIDDEN),
        ("items.split", "POST"): ({"item_id": item.id}, item, HIDDEN),
        ("items.edit_report", "POST"): ({"report_id": draft.id}, draft, HIDDEN),
        ("items.submit", "POST"): ({"report_id": draft.id}, draft, HIDDEN),
        ("items.delete_evidence", "POST"): (
            {"report_id": draft.id, "attachment_id": scene.attachment.id},
            draft,
            HIDDEN,
        ),
        ("review.verify", "POST"): ({"report_id": submitted.id}, submitted, HIDDEN),
        ("review.return_", "POST"): ({"report_id": submitted.id}, submitted, HIDDEN),
        ("review.decide", "POST"): ({"request_id": scene.extension.id}, item, HIDDEN),
        ("signoff.approve", "POST"): ({"report_id": submitted.id}, submitted, HIDDEN),
        ("signoff.acknowledge", "POST"): ({"item_id": item.id}, None, HIDDEN),
        ("signoff.reassignment_request", "POST"): ({"item_id": item.id}, None, HIDDEN),
        ("signoff.decide", "POST"): ({"item_id": item.id}, None, HIDDEN),
        ("signoff.new_instruction", "POST"): ({"item_id": item.id}, None, HIDDEN),
        ("signoff.answer", "POST"): (
            {"instruction_id": scene.instruction.id},
            scene.instruction,
            HIDDEN,
        ),
        ("api.item_instruction", "POST"): ({"item_id": item.id}, None, HIDDEN),
        ("api.instruction_answer", "POST"): (
            {"instruction_id": scene.instruction.id},
            scene.instruction,
            HIDDEN,
        ),
        ("api.item_reassignment_decide", "POST"): (
            {"item_id": item.id, "assignment_id": 1},
            None,
            HIDDEN,
        ),
        ("indicators.assign", "POST"): ({"indicator_id": scene.indicator.id}, None, ROLE),
        ("indicators.edit", "POST"): ({"indicator_id": scene.indicator.id}, None, ROLE),
        ("indicators.new_value", "POST"): ({"indicator_id": scene.indicator.id}, None, HIDDEN),
        ("indicators.edit_value", "POST"): ({"value_id": value.id}, value, HIDDEN),
        ("indicators.submit", "POST"): ({"value_id": value.id}, value, HIDDEN),
        ("indicators.verify", "POST"): ({"value_id": submitted_value.id}, submitted_value, HIDDEN),
        ("indicators.return", "POST"): ({"value_id": submitted_value.id}, submitted_value, HIDDEN),
        ("api.item_update", "PATCH"): ({"item_id": item.id}, item, HIDDEN),
        ("api.create_item_report", "POST"): ({"item_id": item.id}, None, HIDDEN),
        ("api.edit_report", "PATCH"): ({"report_id": draft.id}, draft, HIDDEN),
        ("api.report_submit", "POST"): ({"report_id": draft.id}, draft, HIDDEN),
        ("api.report_verify", "POST"): ({"report_id": submitted.id}, submitted, HIDDEN),
        ("api.report_return", "POST"): ({"report_id": submitted.id}, submitted, HIDDEN),
        ("api.report_approve", "POST"): ({"report_id": submitted.id}, submitted, HIDDEN),
        ("api.item_acknowledge", "POST"): ({"item_id": item.id}, None, HIDDEN),
        ("api.item_reassignment_request", "POST"): ({"item_id": item.id}, None, HIDDEN),
        ("api.report_indicator_value", "POST"): (
            {"indicator_id": scene.indicator.id},
            None,
            HIDDEN,
        ),
        ("api.edit_indicator_value", "PATCH"): ({"value_id": value.id}, value, HIDDEN),
        ("api.submit_indicator_value", "POST"): ({"value_id": value.id}, value, HIDDEN),
        ("api.verify_indicator_value", "POST"): (
            {"value_id": submitted_value.id},
            submitted_value,
            HIDDEN,
        ),
        ("api.return_indicator_value", "POST"): (
            {"value_id": submitted_value.id},
            submitted_value,
            HIDDEN,
        ),
        ("letters.reply", "POST"): ({"letter_id": scene.letter.id}, scene.letter, HIDDEN),
        ("api.letter_reply", "POST"): ({"letter_id": scene.letter.id}, scene.letter, HIDDEN),
        ("api.letter_close", "POST"): ({"letter_id": scene.letter.id}, scene.letter, HIDDEN),
        ("letters.close", "POST"): ({"letter_id": scene.letter.id}, scene.letter, ROLE),
        ("letters.cancel", "POST"): ({"letter_id": scene.letter.id}, scene.letter, ROLE),
        ("letters.escalate", "POST"): ({"letter_id": scene.letter.id}, scene.letter, ROLE),
        ("letters.reissue", "POST"): ({"letter_id": scene.letter.id}, None, ROLE),
        ("items.milestones_edit", "POST"): ({"item_id": item.id}, scene.milestones, HIDDEN),
        ("items.milestones_submit", "POST"): ({"item_id": item.id}, scene.milestones, HIDDEN),
        ("items.milestones_decide", "POST"): (
            {"item_id": item.id, "decision": "verify"},
            scene.milestones,
            HIDDEN,
        ),
        ("items.milestone_reached", "POST"): (
            {"milestone_id": scene.milestone.id},
            scene.milestone,
            HIDDEN,
        ),
        ("items.milestone_decide", "POST"): (
            {"milestone_id": scene.milestone.id, "decision": "verify"},
            scene.milestone,
            HIDDEN,
        ),
        ("api.milestones_propose", "POST"): ({"item_id": item.id}, scene.milestones, HIDDEN),
        ("api.milestones_submit", "POST"): ({"item_id": item.id}, scene.milestones, HIDDEN),
        ("api.milestones_verify", "POST"): ({"item_id": item.id}, scene.milestones, HIDDEN),
        ("api.milestones_return", "POST"): ({"item_id": item.id}, scene.milestones, HIDDEN),
        ("api.milestone_reached", "POST"): (
            {"milestone_id": scene.milestone.id},
            scene.milestone,
            HIDDEN,
        ),
        ("api.milestone_verify", "POST"): (
            {"milestone_id": scene.milestone.id},
            scene.milestone,
            HIDDEN,
        ),
        ("api.milestone_return", "POST"): (
            {"milestone_id": scene.milestone.id},
            scene.milestone,
            HIDDEN,
        ),
        # The office's and the administrator's objects: a liaison's role may never act.
        ("admin.edit_department", "POST"): (office_only, None, ROLE),
        ("admin.remove_department", "POST"): (office_only, None, ROLE),
        ("admin.edit_user", "POST"): ({"user_id": scene.lead.id}, None, ROLE),
        ("admin.reset_user_password", "POST"): ({"user_id": scene.lead.id}, None, ROLE),
        ("notify.resend", "POST"): ({"message_id": 1}, None, ROLE),
        ("holidays.clear", "POST"): ({"year": 2027}, None, ROLE),
        ("notify.send_test", "POST"): ({"channel": "mail"}, None, ROLE),
        ("plans.archive", "POST"): ({"plan_id": scene.plan.id}, None, ROLE),
        ("plans.unarchive", "POST"): ({"plan_id": scene.plan.id}, None, ROLE),
        ("plans.apply", "POST"): ({"import_id": 1}, None, ROLE),
        ("plans.discard", "POST"): ({"import_id": 1}, None, ROLE),
        ("plans.correct", "POST"): ({"import_id": 1}, None, ROLE),
        ("plans.undo", "POST"): ({"import_id": 1}, None, ROLE),
        ("spreadsheets.apply", "POST"): ({"import_id": 1}, None, ROLE),
        # Coordination requests are the office's (leaders read): a liaison never resolves.
        ("coordination.resolve", "POST"): ({"request_id": 1}, None, ROLE),
        ("api.coordination_resolve", "POST"): ({"request_id": 1}, None, ROLE),
        ("coordination.new_instruction", "POST"): ({"request_id": 1}, None, ROLE),
        ("api.coordination_instruction", "POST"): ({"request_id": 1}, None, ROLE),
        # Another user's API token is as good as missing.
        ("api_tokens.revoke", "POST"): ({"token_id": scene.token.id}, None, HIDDEN),
    }


def _url(rule, ids: dict) -> str:
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(r"<[^>]*\b" + name + r">", str(ids[name]), url)
    return url


# Everything a form of these routes could want, so only the version is ever wrong.
FORM = {
    "decision": "approve",
    "comment": "同意",
    "reason": "请补充",
    "narrative": "越权修改",
    "progress": "50",
    "title": "越权标题",
    "priority": "2",
    "due_date": "2027-06-30",
    "requested_due_date": "2027-06-30",
    "body": "越权",
    "value": "4200",
    "note": "x",
    "reply": "越权反馈",
    "year": "2024",
    "parts": "一\n二",
    "name": "x",
    "number": "1",
    "kind": "target",
    "attribute": "预期性",
}
VERSIONS = {"missing": None, "garbage": "x\r\ny", "huge": "99999999999999999999"}


def _versions(obj) -> dict[str, object]:
    versions = dict(VERSIONS)
    if obj is not None:
        versions["stale"] = str(obj.version - 1)
        versions["current"] = str(obj.version)
    return versions


def test_every_state_changing_route_with_an_id_is_walked(app, scene):
    assert set(_routes(app)) == set(_targets(scene))


@pytest.mark.parametrize("channel", ["pages", "api"])
def test_an_outsider_gets_404_whatever_version_they_send(app, client, scene, channel):
    """Another department's liaison, with a missing, garbage, huge, stale or current
    version: 404 for every department's object, 403/404 for office objects; never 409, and
    the item's code is never shown; nothing changes."""
    routes = _routes(app)
    targets = _targets(scene)
    outsider = scene.other
    headers = {}
    if channel == "api":
        headers = {"Authorization": f"Bearer {token_for(outsider)}"}
    else:
        login_as(client, outsider)
    before = world_state()
    checked, wrong = 0, []
    for (endpoint, method), (ids, obj, expected) in sorted(targets.items()):
        if endpoint.startswith("api.") != (channel == "api"):
            continue
        url = _url(routes[endpoint, method], ids)
        for label, version in _versions(obj).items():
            if channel == "api":
                body = {"narrative": "越权", "reason": "x", "value": "1", "comment": "x"}
                if version is not None:
                    body["version"] = version if label == "garbage" else int(version)
                response = client.open(url, method=method, json=body, headers=headers)
            else:
                data = dict(FORM)
                if version is not None:
                    data["version"] = version
                response = client.open(url, method=method, data=data)
            status = response.status_code
            allowed = expected if isinstance(expected, tuple) else (expected,)
            if status not in allowed or "三.1.(1)" in response.get_data(as_text=True):
                wrong.append((endpoint, label, status))
            checked += 1
    assert not wrong
    assert checked > 40
    assert world_state()[1:] == before[1:]  # an API token's last-use stamp is not a change
    db.session.expire_all()
    assert db.session.get(ExtensionRequest, scene.extension.id).state == "pending"
    assert db.session.get(ApiToken, scene.token.id).revoked_at is None


def test_the_reported_case_decide_without_a_version_is_404(app, client, scene):
    """The probe's reproduction: POST /review/extensions/<id>/decide, no version → was 409."""
    login_as(client, scene.other)
    response = client.post(
        f"/review/extensions/{scene.extension.id}/decide",
        data={"decision": "approve", "comment": "x"},
    )
    assert response.status_code == 404
    # A leader may see the item but never decide: 403, still before the version.
    login_as(client, scene.leader)
    response = client.post(
        f"/review/extensions/{scene.extension.id}/decide",
        data={"decision": "approve", "comment": "x"},
    )
    assert response.status_code == 403


def test_the_owner_still_gets_409_for_a_missing_or_stale_version(app, client, scene):
    """Order, not leniency: someone who may act gets the conflict page as before."""
    login_as(client, scene.office)
    for version in (None, "garbage", "99999999999999999999", str(scene.submitted.version - 1)):
        data = {"comment": "好"}
        if version is not None:
            data["version"] = version
        response = client.post(f"/reports/{scene.submitted.id}/verify", data=data)
        assert response.status_code == 409, version
    db.session.expire_all()
    assert db.session.get(Report, scene.submitted.id).state == "submitted"
