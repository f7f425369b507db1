"""序时进度 on the pages: the list filter and column, the item page's schedule and milestone
plan with its forms (propose, submit, approve, return, reached), and the homes' 欠进度 list."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import login_as
from tests.items_support import Scene, make_item, pinned_today  # noqa: F401
from tracker.extensions import db
from tracker.models import Milestone, MilestonePlan, Report, WorkItem


@pytest.fixture
def scene(app):
    with app.test_request_context():
        scene = Scene()
        scene.item.start_date = date(2026, 1, 1)  # due 2026-12-31: 91 % expected, 0 done
        scene.green = make_item(
            scene.plan, scene.lead_dept, code="三.1.(2)", due=date(2027, 12, 31)
        )
        scene.green.start_date = date(2026, 11, 1)
        scene.green.progress = 5
        db.session.commit()
    return scene


def _rows(rows: dict) -> dict:
    data = {"version": ""}
    for index, (title, planned, weight) in rows.items():
        data[f"rows-{index}-title"] = title
        data[f"rows-{index}-planned_date"] = planned
        data[f"rows-{index}-weight"] = weight
    return data


def test_the_list_filters_by_light_and_shows_the_schedule(client, scene):
    login_as(client, scene.office)
    red, green = f'href="/items/{scene.item.id}"', f'href="/items/{scene.green.id}"'
    page = client.get("/items?light=red").get_data(as_text=True)
    assert red in page and green not in page
    assert "欠进度" in page  # the column's badge
    grey = client.get("/items?light=grey").get_data(as_text=True)
    assert green in grey and red not in grey  # started this month, no verified report yet
    assert client.get("/items?light=nonsense").status_code == 200  # ignored, like other filters


def test_office_and_liaison_homes_list_what_is_behind(client, scene):
    login_as(client, scene.office)
    home = client.get("/office").get_data(as_text=True)
    assert 'id="behind-schedule"' in home and scene.item.code in home
    login_as(client, scene.lead)
    home = client.get("/my").get_data(as_text=True)
    section = home.split('id="behind-schedule"')[1].split("</section>")[0]
    assert f'href="/items/{scene.item.id}"' in section
    assert f'href="/items/{scene.green.id}"' not in section


def test_milestones_proposed_submitted_returned_and_approved_on_the_pages(client, scene, app):
    item_id = scene.item.id
    login_as(client, scene.lead)
    form = client.get(f"/items/{item_id}/milestones")
    assert form.status_code == 200
    rows = {
        0: ("完成方案", "2026-03-31", "20"),
        1: ("主体施工", "2026-09-30", "50"),
        2: ("竣工验收", "2026-12-31", "30"),
        3: ("", "", ""),
    }
    bad = dict(rows)
    bad[2] = ("竣工验收", "2026-12-31", "20")
    response = client.post(f"/items/{item_id}/milestones", data=_rows(bad))
    assert response.status_code == 422
    assert "100" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(MilestonePlan.id))) == 0
    response = client.post(f"/items/{item_id}/milestones", data=_rows(rows))
    assert response.status_code == 303
    with app.app_context():
        plan = db.session.scalar(select(MilestonePlan))
        version = plan.version
    page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "主体施工" in page and "milestones/submit" in page
    client.post(f"/items/{item_id}/milestones/submit", data={"version": version})
    login_as(client, scene.office)
    home = client.get("/office").get_data(as_text=True)
    waiting = home.split('id="milestones-waiting"')[1].split("</section>")[0]
    assert f"/items/{item_id}#milestones" in waiting
    page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "milestones/verify" in page and "milestones/return" in page
    response = client.post(
        f"/items/{item_id}/milestones/return", data={"version": version + 1, "reason": ""}
    )
    assert response.status_code == 303  # a return without a reason is refused with a flash
    with app.app_context():
        assert db.session.scalar(select(MilestonePlan.state)) == "submitted"
    client.post(f"/items/{item_id}/milestones/verify", data={"version": version + 1})
    with app.app_context():
        assert db.session.scalar(select(MilestonePlan.state)) == "verified"
        first = db.session.scalar(select(Milestone).where(Milestone.position == 0))
        first_id, first_version = first.id, first.version
    login_as(client, scene.lead)
    page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert f"/milestones/{first_id}/reached" in page
    client.post(
        f"/milestones/{first_id}/reached",
        data={"version": first_version, "reached_on": "2026-03-30"},
    )
    login_as(client, scene.office)
    client.post(f"/milestones/{first_id}/verify", data={"version": first_version + 1})
    with app.app_context():
        assert db.session.get(Milestone, first_id).state == "verified"


def test_who_may_open_the_milestone_pages(client, scene):
    item_id = scene.item.id
    login_as(client, scene.co)
    assert client.get(f"/items/{item_id}/milestones").status_code == 403
    login_as(client, scene.other)
    assert client.get(f"/items/{item_id}/milestones").status_code == 404
    login_as(client, scene.office)
    assert client.get(f"/items/{item_id}/milestones").status_code == 403
    assert (
        client.post(f"/items/{item_id}/milestones/submit", data={"version": 1}).status_code == 404
    )


def test_the_office_sets_a_start_date_and_it_may_not_follow_the_due_date(client, scene, app):
    login_as(client, scene.office)
    with app.app_context():
        item = db.session.get(WorkItem, scene.item.id)
        version = item.version
    data = {
        "version": version,
        "title": "测试事项",
        "code": "三.1.(1)",
        "due_date": "2026-12-31",
        "start_date": "2027-01-05",
        "priority": "2",
        "indicator_id": "0",
        "section_node_id": "0",
    }
    response = client.post(f"/items/{scene.item.id}/edit", data=data)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.get(WorkItem, scene.item.id).start_date == date(2026, 1, 1)
    response = client.post(
        f"/items/{scene.item.id}/edit", data={**data, "start_date": "2026-02-01"}
    )
    assert response.status_code in (302, 303)
    with app.app_context():
        assert db.session.get(WorkItem, scene.item.id).start_date == date(2026, 2, 1)


def test_progress_going_back_is_allowed_but_flagged_to_the_reviewer(client, scene, app):
    from tests.items_support import make_report

    with app.test_request_context():
        make_report(
            scene.item,
            scene.lead,
            scene.periods["2026Q3"],
            "verified",
            progress=60,
            office=scene.office,
        )
        report = make_report(scene.item, scene.lead, scene.focus, "submitted", progress=45)
        same = make_report(scene.green, scene.lead, scene.focus, "submitted", progress=5)
        db.session.commit()
        report_id, same_id = report.id, same.id
    login_as(client, scene.office)
    queue = client.get("/review").get_data(as_text=True)
    row = queue.split(f'value="{report_id}:')[1].split("</tr>")[0]
    assert "45%" in row and "60%" in row  # the badge's title says both
    other = queue.split(f'value="{same_id}:')[1].split("</tr>")[0]
    assert "text-bg-warning" not in other
    page = client.get(f"/reports/{report_id}").get_data(as_text=True)
    assert 'id="progress-back"' in page
    assert 'id="progress-back"' not in client.get(f"/reports/{same_id}").get_data(as_text=True)
    # Flagged, not refused: the office may still verify it.
    with app.app_context():
        version = db.session.get(Report, report_id).version
    response = client.post(f"/reports/{report_id}/verify", data={"version": version})
    assert response.status_code in (302, 303)
    with app.app_context():
        assert db.session.get(Report, report_id).state == "verified"
