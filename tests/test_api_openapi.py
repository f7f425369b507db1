"""The OpenAPI document: it describes every API route, its schemas are valid, real
responses of every endpoint (successes and errors) conform to it, and a bounded
schemathesis run against the app finds no server error and no schema violation."""

from __future__ import annotations

import os
import re

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from tests.api_support import seed_api


@pytest.fixture
def seed(app, monkeypatch):
    return seed_api(app, monkeypatch)


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _template(rule: str) -> str:
    return re.sub(r"<(?:int:)?(\w+)>", r"{\1}", rule)


def test_the_document_is_public_and_31(client, document):
    assert document["openapi"].startswith("3.1")
    assert client.get("/api/v1/openapi.json").headers["Content-Type"].startswith("application/json")


def test_every_api_route_is_described(app, document):
    described = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    routes = {
        (_template(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == described


def test_component_schemas_are_valid_and_refs_resolve(document):
    components = document["components"]["schemas"]
    for name, schema in components.items():
        Draft202012Validator.check_schema(schema)
    text = str(document)
    for target in re.findall(r"#/components/schemas/(\w+)", text):
        assert target in components, target
    for path, item in document["paths"].items():
        for method, op in item.items():
            assert "200" in op["responses"] or "201" in op["responses"], (path, method)
            if path != "/api/v1/openapi.json":
                assert "401" in op["responses"], (path, method)
            for param in op["parameters"]:
                if param["in"] == "path":
                    assert "{" + param["name"] + "}" in path


# ---------------------------------------------------------------- real responses


class Checker:
    """Calls an endpoint by its documented path and validates the answer against the
    document (status documented, JSON body matching the response schema)."""

    def __init__(self, client, document):
        self.client = client
        self.document = document
        self.seen: set[tuple[str, str]] = set()

    def __call__(self, method, template, headers, *, json=None, status=None, **params):
        url = template.format(**params)
        response = self.client.open(url, method=method, json=json, headers=headers)
        if status is not None:
            assert response.status_code == status, (url, response.get_data(as_text=True))
        operation = self.document["paths"][template][method.lower()]
        documented = operation["responses"]
        code = str(response.status_code)
        assert code in documented, (method, template, code)
        schema = documented[code]["content"]["application/json"]["schema"]
        validator = Draft202012Validator(
            {**schema, "components": self.document["components"]},
            format_checker=FormatChecker(),
        )
        errors = [e.message for e in validator.iter_errors(response.get_json())]
        assert not errors, (method, template, code, errors[:3])
        self.seen.add((template, method.lower()))
        return response.get_json()


def test_real_responses_conform_for_every_endpoint(client, document, seed):
    check = Checker(client, document)
    office, liaison_a, liaison_b = (
        seed.auth("office"),
        seed.auth("liaison_a"),
        seed.auth("liaison_b"),
    )
    v1 = "/api/v1"
    check("GET", f"{v1}/openapi.json", {}, status=200)
    check("GET", f"{v1}/me", liaison_a, status=200)
    check("GET", f"{v1}/me", {}, status=401)
    check("GET", f"{v1}/departments", liaison_a, status=200)
    check("GET", f"{v1}/plans", liaison_a, status=200)
    check("GET", f"{v1}/plans/{{plan_id}}", liaison_a, status=200, plan_id=seed.plan.id)
    check("GET", f"{v1}/plans/{{plan_id}}", liaison_a, status=404, plan_id=999)
    check("GET", f"{v1}/items", liaison_a, status=200)
    check("GET", f"{v1}/items/{{item_id}}", liaison_a, status=200, item_id=seed.item_a.id)
    check("GET", f"{v1}/items/{{item_id}}", liaison_a, status=404, item_id=seed.item_b.id)
    created = check(
        "POST",
        f"{v1}/items",
        office,
        json={"plan_id": seed.plan.id, "title": "新任务", "lead_department_id": seed.dept_a.id},
        status=201,
    )
    check("POST", f"{v1}/items", liaison_a, json={"plan_id": 1, "title": "x"}, status=403)
    check("POST", f"{v1}/items", office, json={"title": "x"}, status=422)
    check(
        "PATCH",
        f"{v1}/items/{{item_id}}",
        office,
        json={"version": 1, "title": "改"},
        status=200,
        item_id=created["id"],
    )
    check(
        "PATCH",
        f"{v1}/items/{{item_id}}",
        office,
        json={"version": 1, "title": "再改"},
        status=409,
        item_id=created["id"],
    )
    check("GET", f"{v1}/items/{{item_id}}/reports", liaison_a, status=200, item_id=seed.item_a.id)
    report = check(
        "POST",
        f"{v1}/items/{{item_id}}/reports",
        liaison_a,
        json={"progress": 5},
        status=201,
        item_id=created["id"],
    )
    check(
        "POST",
        f"{v1}/items/{{item_id}}/reports",
        liaison_a,
        json={},
        status=409,
        item_id=created["id"],
    )
    rid = report["id"]
    check("GET", f"{v1}/reports/{{report_id}}", liaison_a, status=200, report_id=rid)
    check("GET", f"{v1}/reports/{{report_id}}", liaison_b, status=404, report_id=rid)
    check(
        "PATCH",
        f"{v1}/reports/{{report_id}}",
        liaison_a,
        json={"version": 1, "narrative": "进展", "problems": "缺资金", "support_needed": "请协调"},
        status=200,
        report_id=rid,
    )
    check(
        "POST",
        f"{v1}/reports/{{report_id}}/verify",
        office,
        json={"version": 2},
        status=409,
        report_id=rid,
    )
    check(
        "POST",
        f"{v1}/reports/{{report_id}}/submit",
        liaison_a,
        json={"version": 2},
        status=200,
        report_id=rid,
    )
    check(
        "POST",
        f"{v1}/reports/{{report_id}}/return",
        office,
        json={"version": 3, "reason": "补充"},
        status=200,
        report_id=rid,
    )
    check(
        "POST",
        f"{v1}/reports/{{report_id}}/submit",
        liaison_a,
        json={"version": 4},
        status=200,
        report_id=rid,
    )
    check(
        "POST",
        f"{v1}/reports/{{report_id}}/verify",
        office,
        json={"version": 5},
        status=200,
        report_id=rid,
    )
    listed = check("GET", f"{v1}/coordination", office, status=200)
    check("GET", f"{v1}/coordination", liaison_a, status=403)
    cid = listed["items"][0]["id"]
    _check_instructions(check, seed, cid)
    resolve = f"{v1}/coordination/{{request_id}}/resolve"
    check("POST", resolve, office, json={"resolution": " "}, status=422, request_id=cid)
    check("POST", resolve, liaison_a, json={"resolution": "x"}, status=404, request_id=cid)
    check("POST", resolve, office, json={"resolution": "已协调"}, status=200, request_id=cid)
    check("POST", resolve, office, json={"resolution": "再"}, status=409, request_id=cid)
    path = f"{v1}/coordination/{{request_id}}/instructions"
    check("POST", path, seed.auth("leader"), json={"text": "x"}, status=409, request_id=cid)
    # 签收 (tests/test_acknowledge.py): the seed's items were assigned before any 签收 was
    # due (no open assignment: 409); asking for the same lead is 422.
    check(
        "POST",
        f"{v1}/items/{{item_id}}/acknowledge",
        liaison_a,
        status=409,
        item_id=seed.item_a.id,
    )
    check(
        "POST",
        f"{v1}/items/{{item_id}}/reassignment-requests",
        liaison_a,
        json={"reason": "职责不符", "department_id": seed.dept_a.id},
        status=422,
        item_id=seed.item_a.id,
    )
    # Sign-off is the department approver's (tests/test_signoff.py): the office is refused.
    check(
        "POST",
        f"{v1}/reports/{{report_id}}/approve",
        office,
        json={"version": 6},
        status=403,
        report_id=rid,
    )
    check("GET", f"{v1}/indicators", liaison_b, status=200)
    iid = seed.indicator.id
    check("GET", f"{v1}/indicators/{{indicator_id}}", liaison_b, status=200, indicator_id=iid)
    value = check(
        "POST",
        f"{v1}/indicators/{{indicator_id}}/values",
        liaison_a,
        json={"year": 2025, "value": "97"},
        status=201,
        indicator_id=iid,
    )
    vid = value["id"]
    check("GET", f"{v1}/indicator-values/{{value_id}}", liaison_a, status=200, value_id=vid)
    check("GET", f"{v1}/indicator-values/{{value_id}}", liaison_b, status=404, value_id=vid)
    check(
        "PATCH",
        f"{v1}/indicator-values/{{value_id}}",
        liaison_a,
        json={"version": 1, "note": "说明"},
        status=200,
        value_id=vid,
    )
    check(
        "POST",
        f"{v1}/indicator-values/{{value_id}}/submit",
        liaison_a,
        json={"version": 2},
        status=200,
        value_id=vid,
    )
    check(
        "POST",
        f"{v1}/indicator-values/{{value_id}}/return",
        office,
        json={"version": 3, "reason": "核对"},
        status=200,
        value_id=vid,
    )
    check(
        "POST",
        f"{v1}/indicator-values/{{value_id}}/submit",
        liaison_a,
        json={"version": 4},
        status=200,
        value_id=vid,
    )
    check(
        "POST",
        f"{v1}/indicator-values/{{value_id}}/verify",
        office,
        json={"version": 5},
        status=200,
        value_id=vid,
    )
    _check_letters(check, seed, office, liaison_a, liaison_b)
    _check_milestones(check, seed, v1)
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert documented <= check.seen, documented - check.seen


def _check_instructions(check, seed, cid: int) -> None:
    """领导批示 (tests/test_instructions_api.py) on an item and on the open coordination
    request `cid`, answered by the lead; the office decides a request for another lead."""
    v1 = "/api/v1"
    leader, office = seed.auth("leader"), seed.auth("office")
    liaison_a, liaison_b = seed.auth("liaison_a"), seed.auth("liaison_b")
    path = f"{v1}/items/{{item_id}}/instructions"
    item_id = seed.item_a.id
    check("POST", path, office, json={"text": "x"}, status=403, item_id=item_id)
    check("POST", path, leader, json={"text": " "}, status=422, item_id=item_id)
    made = check("POST", path, leader, json={"text": "加快"}, status=201, item_id=item_id)
    path = f"{v1}/coordination/{{request_id}}/instructions"
    check("POST", path, liaison_a, json={"text": "x"}, status=404, request_id=cid)
    check("POST", path, leader, json={"text": "请支持"}, status=201, request_id=cid)
    check("GET", f"{v1}/instructions", office, status=200)
    one = f"{v1}/instructions/{{instruction_id}}"
    check("GET", one, liaison_a, status=200, instruction_id=made["id"])
    check("GET", one, liaison_b, status=404, instruction_id=made["id"] + 1000)
    answer = f"{v1}/instructions/{{instruction_id}}/answer"
    body = {"version": 1, "answer": "已落实"}
    check("POST", answer, office, json=body, status=403, instruction_id=made["id"])
    check(
        "POST",
        answer,
        liaison_a,
        json={**body, "answer": " "},
        status=422,
        instruction_id=made["id"],
    )
    check("POST", answer, liaison_a, json=body, status=200, instruction_id=made["id"])
    check("POST", answer, liaison_a, json=body, status=409, instruction_id=made["id"])
    new = {"plan_id": seed.plan.id, "title": "调整牵头", "lead_department_id": seed.dept_a.id}
    item = check("POST", f"{v1}/items", office, json=new, status=201)
    asked = check(
        "POST",
        f"{v1}/items/{{item_id}}/reassignment-requests",
        liaison_a,
        json={"reason": "职责不符", "department_id": seed.dept_b.id},
        status=201,
        item_id=item["id"],
    )
    decide = f"{v1}/items/{{item_id}}/reassignment-requests/{{assignment_id}}/decide"
    ids = {"item_id": item["id"], "assignment_id": asked["id"]}
    check("POST", decide, liaison_a, json={"decision": "approve"}, status=403, **ids)
    refuse = {"decision": "refuse", "comment": " "}
    check("POST", decide, office, json=refuse, status=422, **ids)
    check("POST", decide, office, json={"decision": "approve"}, status=200, **ids)
    check("POST", decide, office, json={"decision": "approve"}, status=409, **ids)


def _check_letters(check, seed, office, liaison_a, liaison_b) -> None:
    """Supervision letters (#18): a letter to item_a's department, answered and closed."""
    from tracker.extensions import db
    from tracker.letters.operations import issue_letter

    letter = issue_letter(None, level="yellow", item_ids=[seed.item_a.id], note="催办")
    db.session.commit()
    v1, lid = "/api/v1", letter.id
    check("GET", f"{v1}/letters", liaison_a, status=200)
    check("GET", f"{v1}/letters/{{letter_id}}", liaison_a, status=200, letter_id=lid)
    check("GET", f"{v1}/letters/{{letter_id}}", liaison_b, status=404, letter_id=lid)
    path = f"{v1}/letters/{{letter_id}}/reply"
    check("POST", path, liaison_a, json={"version": 1}, status=422, letter_id=lid)
    check("POST", path, office, json={"version": 1, "reply": "x"}, status=403, letter_id=lid)
    check("POST", path, liaison_a, json={"version": 1, "reply": "已办"}, status=200, letter_id=lid)
    check("POST", path, liaison_a, json={"version": 2, "reply": "再"}, status=409, letter_id=lid)
    path = f"{v1}/letters/{{letter_id}}/close"
    check("POST", path, office, json={"version": 2, "note": " "}, status=422, letter_id=lid)
    check("POST", path, office, json={"version": 2, "note": "办结"}, status=200, letter_id=lid)


def _check_milestones(check, seed, v1) -> None:
    """序时进度: an item's milestone plan, proposed, reviewed, and a reached claim."""
    lead, office = seed.auth("liaison_a"), seed.auth("office")
    item_id = seed.item_a.id
    url = f"{v1}/items/{{item_id}}/milestones"
    check("GET", url, lead, status=200, item_id=item_id)
    steps = [
        {"title": "方案", "planned_date": "2026-03-31", "weight": 40},
        {"title": "完工", "planned_date": "2026-12-20", "weight": 60},
    ]
    check("POST", url, lead, json={"milestones": steps[:1]}, status=422, item_id=item_id)
    check("POST", url, lead, json={"milestones": steps}, status=200, item_id=item_id)
    check("POST", url + "/submit", lead, json={"version": 1}, status=200, item_id=item_id)
    body = {"version": 2, "reason": "细化"}
    check("POST", url + "/return", office, json=body, status=200, item_id=item_id)
    check("POST", url + "/submit", lead, json={"version": 3}, status=200, item_id=item_id)
    plan = check("POST", url + "/verify", office, json={"version": 4}, status=200, item_id=item_id)
    mid = plan["milestones"][0]["id"]
    murl = f"{v1}/milestones/{{milestone_id}}"
    reached = {"version": 1, "reached_on": "2026-03-30"}
    check("POST", murl + "/reached", lead, json=reached, status=200, milestone_id=mid)
    body = {"version": 2, "reason": "补佐证"}
    check("POST", murl + "/return", office, json=body, status=200, milestone_id=mid)
    reached = {"version": 3, "reached_on": "2026-03-30"}
    check("POST", murl + "/reached", lead, json=reached, status=200, milestone_id=mid)
    check("POST", murl + "/verify", office, json={"version": 4}, status=200, milestone_id=mid)


# ---------------------------------------------------------------- schemathesis

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode  # noqa: E402

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def isolated_wsgi(app):
    """Each call in its own application context, as in production (see IsolatedClient)."""

    def wsgi(environ, start_response):
        with app.app_context():
            return app.wsgi_app(environ, start_response)

    return wsgi


def _build_document():
    from tracker.api.openapi import build_document

    return build_document()


# The document is built from the declared operations (no app needed), so the operations
# are known when pytest collects the module; every call then goes to the seeded app.
api_schema = schemathesis.openapi.from_dict(_build_document())
# Bounded so the suite stays fast; API_FUZZ_EXAMPLES=200 digs deeper by hand.
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "10"))
NEGATIVE_EXAMPLES = max(1, MAX_EXAMPLES // 2)


def _run_schemathesis(app, seed, mode, max_examples, checks) -> list[int]:
    """Generated input for every operation, sent with the office's token to real objects.

    One test over all operations (seeded once) rather than one per operation: the seeding
    and emptying of the database would otherwise cost more than the requests themselves.
    """
    from hypothesis import given
    from hypothesis.errors import Unsatisfiable

    ids = {
        "plan_id": seed.plan.id,
        "item_id": seed.item_a.id,
        "report_id": seed.report_a.id,
        "indicator_id": seed.indicator.id,
        "value_id": seed.value_submitted.id,
    }
    wsgi = isolated_wsgi(app)
    statuses: list[int] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 24
    for operation in operations:

        @given(case=operation.as_strategy(mode))
        @settings(
            max_examples=max_examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            for name, value in list((case.path_parameters or {}).items()):
                # a valid id goes to a real object; an invalid one stays as generated
                if isinstance(value, int) and value >= 1:
                    case.path_parameters[name] = ids[name]
            response = case.call_and_validate(app=wsgi, headers=seed.auth("office"), checks=checks)
            statuses.append(response.status_code)

        try:
            run()
        except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
            assert mode == GenerationMode.NEGATIVE
    return statuses


def test_schemathesis_finds_no_server_error_and_no_violation(app, seed):
    statuses = _run_schemathesis(app, seed, GenerationMode.POSITIVE, MAX_EXAMPLES, CHECKS)
    # The run reached the operations themselves, not only the input checks.
    assert sum(200 <= s < 300 for s in statuses) >= 48


def test_schemathesis_invalid_input_is_refused_without_server_errors(app, seed):
    statuses = _run_schemathesis(
        app, seed, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, [*CHECKS, negative_data_rejection]
    )
    assert statuses and all(s < 500 for s in statuses)
