"""Indicator pages: the status grid, the detail page with its chart, reporting and review."""

import io
import json
import re

import pytest
from sqlalchemy import event, func, select

from tests.indicators_support import add_value, indicator, make_plan
from tracker.extensions import db
from tracker.models import Attachment, AuditEvent, IndicatorValue, WorkItem


@pytest.fixture
def world(factories):
    plan = make_plan()
    department = factories.department("市市场监管局")
    other = factories.department("市发改委")
    for number in (1, 11, 18):
        indicator(plan, number).department = department
    indicator(plan, 6).department = other
    db.session.flush()

    class World:
        pass

    w = World()
    w.plan, w.department, w.other = plan, department, other
    w.floor, w.cumulative, w.target = indicator(plan, 1), indicator(plan, 11), indicator(plan, 6)
    w.liaison = factories.user("liaison", department)
    w.other_liaison = factories.user("liaison", other)
    w.office = factories.user("office")
    w.leader = factories.user("leader")
    db.session.commit()
    return w


def _html(response) -> str:
    return response.get_data(as_text=True)


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# --- the grid -------------------------------------------------------------------------------


def test_grid_shows_coloured_statuses_and_the_warning_badge(client, world, factories):
    add_value(world.floor, 2022, 97.0)
    add_value(world.floor, 2023, 95.0)  # binding floor not met → 预警
    add_value(world.target, 2023, 3200.0)
    add_value(world.target, 2024, 3300.0, state="submitted")  # does not count
    factories.login_as(client, world.other_liaison)  # liaisons read every indicator
    html = _html(client.get("/indicators/"))
    assert world.floor.name in html and world.target.name in html
    assert 'data-status="not_met"' in html and 'data-warning="1"' in html
    assert 'data-status="met"' in html and 'data-status="far_behind"' in html
    assert "3300" not in html


def test_grid_filters_by_department_and_category(client, world, factories):
    factories.login_as(client, world.office)
    html = _html(client.get(f"/indicators/?plan={world.plan.id}&department={world.other.id}"))
    assert world.target.name in html and world.floor.name not in html
    html = _html(client.get(f"/indicators/?plan={world.plan.id}&category=标准建设"))
    assert world.cumulative.name in html and world.target.name not in html
    assert client.get("/indicators/?plan=999999").status_code == 404


def _queries_for(client, url) -> int:
    counter = {"n": 0}

    def count(*_args, **_kwargs):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return counter["n"]


def test_grid_and_detail_run_a_bounded_number_of_queries(client, world, factories):
    factories.login_as(client, world.office)
    measured = []
    for extra in (0, 40):
        indicators = [
            (100 + n + extra, "质量建设", f"指标{n}", "%", 90.0, 95.0, "约束性", "floor")
            for n in range(extra)
        ]
        if extra:
            big = make_plan("大规划", indicators=indicators)
            plan_id = big.id
            for ind in big.indicators:
                for year in (2021, 2022, 2023, 2024):
                    add_value(ind, year, 94.0)
            for year in (2021, 2022, 2023):
                add_value(world.floor, year, 97.0, state="draft")
            for n in range(30):
                db.session.add(
                    WorkItem(
                        plan_id=big.id,
                        code=f"w{n}",
                        title="事项",
                        indicator_id=world.floor.id,
                        lead_department_id=world.department.id,
                    )
                )
        else:
            plan_id = world.plan.id
            add_value(world.floor, 2025, 97.0)
            db.session.add(
                WorkItem(plan_id=plan_id, code="w", title="事项", indicator_id=world.floor.id)
            )
        db.session.commit()
        measured.append(
            (
                _queries_for(client, f"/indicators/?plan={plan_id}"),
                _queries_for(client, f"/indicators/{world.floor.id}"),
            )
        )
    (grid_small, detail_small), (grid_big, detail_big) = measured
    assert grid_small == grid_big <= 12
    assert detail_small == detail_big <= 14


# --- the detail page ----------------------------------------------------------------------


def test_detail_has_history_chart_data_and_no_inline_script(client, world, factories):
    add_value(world.cumulative, 2021, 22.0)
    add_value(world.cumulative, 2022, 21.0)
    factories.login_as(client, world.leader)
    response = client.get(f"/indicators/{world.cumulative.id}")
    html = _html(response)
    match = re.search(
        r'<script type="application/json" id="indicator-chart-data">(.*?)</script>', html, re.S
    )
    chart = json.loads(match.group(1))
    values = next(t for t in chart["traces"] if t["kind"] == "values")
    assert values["x"] == [2021, 2022] and values["y"] == [22.0, 43.0]  # running totals
    expected = next(t for t in chart["traces"] if t["kind"] == "expected")
    assert expected["dash"] == "dot" and expected["y"][0] == 0 and expected["y"][-1] == 100
    # Every <script> is either a served file or inert JSON (CSP: script-src 'self').
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "plotly.min.js" in html and "indicators.js" in html
    assert 'id="history"' in html  # the printable table fallback
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_chart_script_and_plotly_are_served_locally(client, world, factories):
    factories.login_as(client, world.leader)
    assert client.get("/vendor/app/indicators.js").status_code == 200
    response = client.get("/vendor/plotly/plotly.min.js")
    assert response.status_code == 200 and len(response.data) > 100_000


def test_drafts_are_visible_to_the_department_and_reviewers_only(client, world, factories):
    add_value(world.floor, 2022, 97.0, note="已核定")
    add_value(world.floor, 2023, 96.4, state="draft", note="草稿说明")
    db.session.commit()
    for user, sees_draft in (
        (world.liaison, True),
        (world.office, True),
        (world.leader, True),
        (world.other_liaison, False),
    ):
        factories.login_as(client, user)
        html = _html(client.get(f"/indicators/{world.floor.id}"))
        assert "已核定" in html
        assert ("草稿说明" in html) is sees_draft, user.role


def test_linked_work_items_respect_department_visibility(client, world, factories):
    db.session.add_all(
        [
            WorkItem(
                plan_id=world.plan.id,
                code="三.1.(1)",
                title="本部门事项",
                lead_department_id=world.department.id,
                indicator_id=world.floor.id,
            ),
            WorkItem(
                plan_id=world.plan.id,
                code="三.2.(1)",
                title="他部门事项",
                lead_department_id=world.other.id,
                indicator_id=world.floor.id,
            ),
        ]
    )
    db.session.commit()
    factories.login_as(client, world.liaison)
    html = _html(client.get(f"/indicators/{world.floor.id}"))
    assert "本部门事项" in html and "他部门事项" not in html
    factories.login_as(client, world.office)
    html = _html(client.get(f"/indicators/{world.floor.id}"))
    assert "本部门事项" in html and "他部门事项" in html


# --- reporting through the pages --------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("liaison", 200), ("other_liaison", 404), ("office", 403), ("leader", 403)],
)
def test_report_page_permissions(client, world, factories, who, status):
    factories.login_as(client, getattr(world, who))
    assert client.get(f"/indicators/{world.floor.id}/values/new").status_code == status
    response = client.post(
        f"/indicators/{world.floor.id}/values/new", data={"year": 2023, "value": "97"}
    )
    assert response.status_code in ((302,) if status == 200 else (status,))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": 2023, "value": "九十七"}, "is not a number"),
        ({"year": 2023, "value": "100.5"}, "above 100"),
        ({"year": 2019, "value": "97"}, "outside the plan period"),
        ({"year": 2030, "value": "97"}, "outside the plan period"),
    ],
)
def test_bad_values_through_the_form_write_nothing(client, world, factories, data, message):
    factories.login_as(client, world.liaison)
    client.post("/language", data={"locale": "en"})
    response = client.post(f"/indicators/{world.floor.id}/values/new", data=data)
    assert response.status_code == 422
    assert message in _html(response)
    assert _count(IndicatorValue) == 0


def test_bad_value_message_is_in_chinese_by_default(client, world, factories):
    factories.login_as(client, world.liaison)
    response = client.post(
        f"/indicators/{world.floor.id}/values/new", data={"year": 2023, "value": "101"}
    )
    assert response.status_code == 422
    assert "百分比不能超过100" in _html(response)


def test_second_value_for_a_year_through_the_form(client, world, factories):
    add_value(world.floor, 2023, 97.0, state="submitted")
    db.session.commit()
    factories.login_as(client, world.liaison)
    client.post("/language", data={"locale": "en"})
    response = client.post(
        f"/indicators/{world.floor.id}/values/new", data={"year": 2023, "value": "98"}
    )
    assert response.status_code == 422
    assert "already been reported" in _html(response)
    assert _count(IndicatorValue) == 1


def test_extra_fields_cannot_smuggle_state_or_department(client, world, factories):
    factories.login_as(client, world.liaison)
    client.post(
        f"/indicators/{world.floor.id}/values/new",
        data={
            "year": 2023,
            "value": "97",
            "state": "verified",
            "reviewer_id": world.office.id,
            "indicator_id": world.target.id,
        },
    )
    db.session.expire_all()
    row = db.session.scalar(select(IndicatorValue))
    assert (row.state, row.reviewer_id, row.indicator_id) == ("draft", None, world.floor.id)


def test_report_submit_return_fix_verify_through_the_pages(client, world, factories):
    factories.login_as(client, world.liaison)
    response = client.post(
        f"/indicators/{world.floor.id}/values/new",
        data={"year": 2023, "value": "97.1", "note": "统计局口径", "action": "submit"},
    )
    assert response.status_code == 302
    row = db.session.scalar(select(IndicatorValue))
    assert row.state == "submitted"
    # The liaison cannot review, another department cannot even see the review page.
    assert client.get(f"/indicators/values/{row.id}/review").status_code == 403
    factories.login_as(client, world.other_liaison)
    assert client.get(f"/indicators/values/{row.id}/review").status_code == 404
    assert client.get(f"/indicators/values/{row.id}/edit").status_code == 404

    factories.login_as(client, world.office)
    queue = _html(client.get("/indicators/review"))
    assert world.floor.name in queue and "97.1" in queue
    assert client.get(f"/indicators/values/{row.id}/review").status_code == 200
    response = client.post(f"/indicators/values/{row.id}/return", data={"reason": ""})
    assert response.status_code == 422
    response = client.post(
        f"/indicators/values/{row.id}/return",
        data={"reason": "请附统计公报", "version": row.version},
    )
    assert response.status_code == 302

    factories.login_as(client, world.liaison)
    db.session.expire_all()
    row = db.session.get(IndicatorValue, row.id)
    page = _html(client.get(f"/indicators/values/{row.id}/edit"))
    assert "请附统计公报" in page
    response = client.post(
        f"/indicators/values/{row.id}/edit",
        data={"value": "97.3", "note": "已附公报", "version": row.version, "action": "submit"},
    )
    assert response.status_code == 302

    factories.login_as(client, world.office)
    db.session.expire_all()
    row = db.session.get(IndicatorValue, row.id)
    response = client.post(
        f"/indicators/values/{row.id}/verify", data={"version": row.version, "comment": ""}
    )
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(IndicatorValue, row.id)
    assert (row.state, row.value_number) == ("verified", 97.3)
    # A verified value is immutable: the edit page answers 409.
    factories.login_as(client, world.liaison)
    assert client.get(f"/indicators/values/{row.id}/edit").status_code == 409
    trail = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert trail == [
        "indicator_value.created",
        "indicator_value.submitted",
        "indicator_value.returned",
        "indicator_value.edited",
        "indicator_value.submitted",
        "indicator_value.verified",
    ]


def test_stale_value_edit_answers_409_and_keeps_the_newer_value(client, world, factories):
    row = add_value(world.floor, 2023, 97.0, state="draft")
    db.session.commit()
    factories.login_as(client, world.liaison)
    loaded = row.version
    assert (
        client.post(
            f"/indicators/values/{row.id}/edit", data={"value": "97.5", "version": loaded}
        ).status_code
        == 302
    )
    response = client.post(
        f"/indicators/values/{row.id}/edit", data={"value": "99", "version": loaded}
    )
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(IndicatorValue, row.id).value_number == 97.5


@pytest.mark.parametrize("sent", [{}, {"version": ""}, {"version": "x"}])
def test_a_value_form_without_a_readable_version_is_stale_never_current(
    client, world, factories, sent
):
    """Missing is not "as loaded": a form that does not say its version cannot overwrite what
    was saved meanwhile (it used to save over it), nor verify or submit blind."""
    draft = add_value(world.floor, 2023, 97.0, state="draft")
    submitted = add_value(world.floor, 2024, 98.0, state="submitted")
    db.session.commit()
    factories.login_as(client, world.liaison)
    edit = client.post(f"/indicators/values/{draft.id}/edit", data={"value": "99", **sent})
    assert edit.status_code == 409
    assert client.post(f"/indicators/values/{draft.id}/submit", data=sent).status_code == 409
    factories.login_as(client, world.office)
    verify = client.post(f"/indicators/values/{submitted.id}/verify", data=sent)
    assert verify.status_code == 409
    db.session.expire_all()
    assert db.session.get(IndicatorValue, draft.id).value_number == 97.0
    assert db.session.get(IndicatorValue, draft.id).state == "draft"
    assert db.session.get(IndicatorValue, submitted.id).state == "submitted"


def test_two_reviewers_on_the_same_page_one_wins(client, world, factories):
    row = add_value(world.floor, 2023, 97.0, state="submitted")
    db.session.commit()
    other_office = factories.user("office")
    factories.login_as(client, world.office)
    assert (
        client.post(f"/indicators/values/{row.id}/verify", data={"version": 1}).status_code == 302
    )
    factories.login_as(client, other_office)
    response = client.post(
        f"/indicators/values/{row.id}/return", data={"reason": "数据有误", "version": 1}
    )
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(IndicatorValue, row.id).state == "verified"


# --- the office's pages ----------------------------------------------------------------------


def test_office_edits_an_indicator_and_a_stale_form_gets_409(client, world, factories):
    factories.login_as(client, world.office)
    form = _html(client.get(f"/indicators/{world.floor.id}/edit"))
    assert 'name="version"' in form
    data = {
        "number": 1,
        "category": "质量建设",
        "name": "制造业产品质量合格率",
        "unit": "%",
        "baseline": "96.56",
        "target": "不低于97",
        "attribute": "约束性",
        "kind": "floor",
        "version": 1,
    }
    assert client.post(f"/indicators/{world.floor.id}/edit", data=data).status_code == 302
    stale = client.post(f"/indicators/{world.floor.id}/edit", data=data | {"target": "95"})
    assert stale.status_code == 409
    db.session.expire_all()
    assert world.floor.target == 97.0
    bad = client.post(
        f"/indicators/{world.floor.id}/edit", data=data | {"version": 2, "target": "?"}
    )
    assert bad.status_code == 422


@pytest.mark.parametrize("who", ["liaison", "leader"])
def test_liaisons_and_leaders_cannot_edit_assign_or_review(client, world, factories, who):
    factories.login_as(client, getattr(world, who))
    assert client.get(f"/indicators/{world.floor.id}/edit").status_code == 403
    assert client.post(f"/indicators/{world.floor.id}/assign", data={}).status_code == 403
    assert client.get("/indicators/review").status_code == 403


def test_office_assigns_a_department(client, world, factories):
    factories.login_as(client, world.office)
    response = client.post(
        f"/indicators/{world.target.id}/assign",
        data={"department_id": world.department.id, "version": world.target.version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert world.target.department_id == world.department.id
    client.post(f"/indicators/{world.target.id}/assign", data={"department_id": 0, "version": 2})
    db.session.expire_all()
    assert world.target.department_id is None


def test_evidence_is_kept_and_only_the_department_and_reviewers_download_it(
    client, world, factories
):
    factories.login_as(client, world.liaison)
    response = client.post(
        f"/indicators/{world.floor.id}/values/new",
        data={
            "year": 2023,
            "value": "97",
            "files": (io.BytesIO("统计公报摘录".encode()), "公报.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    attachment = db.session.scalar(select(Attachment))
    assert attachment.original_name == "公报.txt" and attachment.indicator_value_id
    download = client.get(f"/indicators/evidence/{attachment.id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    factories.login_as(client, world.other_liaison)
    assert client.get(f"/indicators/evidence/{attachment.id}").status_code == 404
    factories.login_as(client, world.office)
    assert client.get(f"/indicators/evidence/{attachment.id}").status_code == 200


def test_a_disallowed_evidence_type_writes_nothing(client, world, factories):
    factories.login_as(client, world.liaison)
    response = client.post(
        f"/indicators/{world.floor.id}/values/new",
        data={"year": 2023, "value": "97", "files": (io.BytesIO(b"<html></html>"), "x.html")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 415
    assert _count(IndicatorValue) == 0 and _count(Attachment) == 0
