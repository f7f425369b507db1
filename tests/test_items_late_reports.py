"""Late reports (issue 24): the page and the server agree on which periods a report may be
started for — the plan's last LATE_REPORT_PERIODS started periods, those without a report.
Before, the page offered the 8 most recent periods without a report while the server (page
POST and API) accepted any started period. (create_report itself still takes any started
period: the demo and the fixtures write history.)"""

from __future__ import annotations

import re

import pytest

from tests.conftest import login_as
from tests.items_support import NOW, Scene, make_report, pinned_today  # noqa: F401
from tracker.errors import ValidationFailed
from tracker.extensions import db
from tracker.items.report_window import LATE_REPORT_PERIODS, check_report_window, period_choices
from tracker.models import Report


@pytest.fixture
def scene(app):
    with app.test_request_context():
        scene = Scene()  # a 2021–2025 plan, quarterly periods through 2026-11-27 (2026Q4)
        db.session.commit()
    return scene


def _labels(scene) -> list[str]:
    return sorted(scene.periods, key=lambda label: scene.periods[label].start_date, reverse=True)


def _offered(client, item_id) -> list[str]:
    html = client.get(f"/items/{item_id}/report").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="period_id".*?</select>', html, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]+)</option>", select)


def test_the_page_offers_the_window_and_the_server_takes_nothing_older(app, client, scene):
    labels = _labels(scene)
    window, older = labels[:LATE_REPORT_PERIODS], labels[LATE_REPORT_PERIODS]
    assert window[0] == "2026Q4" and older == "2024Q4"
    login_as(client, scene.lead)
    assert _offered(client, scene.item.id) == window
    response = client.post(
        f"/items/{scene.item.id}/report",
        data={"period_id": scene.periods[older].id, "narrative": "补报。", "progress": "10"},
    )
    assert response.status_code == 422
    assert "最近 8 个" in response.get_data(as_text=True)
    assert db.session.query(Report).count() == 0
    oldest = window[-1]
    response = client.post(
        f"/items/{scene.item.id}/report",
        data={"period_id": scene.periods[oldest].id, "narrative": "补报。", "progress": "10"},
    )
    assert response.status_code in (302, 303)
    db.session.expire_all()
    assert [r.period.label for r in db.session.query(Report)] == [oldest]


def test_reporting_recent_periods_does_not_widen_the_window(app, scene):
    """The old page listed the 8 newest periods *without* a report, so each report
    reached one period further back; the window is the periods, not the gaps."""
    with app.test_request_context():
        labels = _labels(scene)
        for label in labels[:3]:
            make_report(scene.item, scene.lead, scene.periods[label], "draft", now=NOW)
        offered = [p.label for p in period_choices(scene.item, NOW.date())]
        assert offered == labels[3:LATE_REPORT_PERIODS]


def test_the_api_refuses_a_period_before_the_window(app, client, scene):
    older = _labels(scene)[LATE_REPORT_PERIODS]
    with app.test_request_context(), pytest.raises(ValidationFailed) as refused:
        check_report_window(scene.periods[older], NOW.date())
    assert "period" in refused.value.errors
    from tests.security.test_sec_access import token_for

    headers = {"Authorization": f"Bearer {token_for(scene.lead)}"}
    url = f"/api/v1/items/{scene.item.id}/reports"
    response = client.post(url, json={"period": older, "narrative": "补报"}, headers=headers)
    assert response.status_code == 422
    assert "period" in response.json["error"]["fields"]
    response = client.post(url, json={"period": "2025Q1", "narrative": "补报"}, headers=headers)
    assert response.status_code == 201
