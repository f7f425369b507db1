"""The item and review pages render for every role and show what each role needs."""

import pytest

from tests.conftest import login_as
from tests.items_support import (
    NOW,
    Scene,
    make_item,
    make_report,
    pinned_today,  # noqa: F401
)
from tracker.extensions import db


@pytest.fixture
def scene(app):
    with app.test_request_context():
        scene = Scene()
        scene.draft = make_report(
            scene.item,
            scene.lead,
            scene.periods["2026Q3"],
            "returned",
            office=scene.office,
            now=NOW,
        )
        scene.report = make_report(scene.item, scene.lead, scene.focus, "submitted", now=NOW)
        db.session.commit()
    return scene


@pytest.mark.parametrize("who", ["admin", "office", "lead", "co", "leader"])
def test_pages_render_for_every_role_that_may_see_them(client, scene, who):
    login_as(client, scene.users()[who])
    pages = [
        "/",
        "/items",
        f"/items/{scene.item.id}",
        f"/reports/{scene.report.id}",
        "/items?q=三.1&due=overdue&status=open&review=submitted",
    ]
    for url in pages:
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, (who, url, response.status_code)
    home_url = "/office" if who == "leader" else "/"  # the leader's first screen is a dashboard
    home = client.get(home_url, follow_redirects=True).get_data(as_text=True)
    assert scene.item.code in home or who == "co"


def test_other_department_gets_404_everywhere(client, scene):
    login_as(client, scene.other)
    for url in (
        f"/items/{scene.item.id}",
        f"/reports/{scene.report.id}",
        f"/reports/{scene.draft.id}/edit",
        f"/items/{scene.item.id}/report",
    ):
        assert client.get(url).status_code == 404, url
    assert scene.item.code not in client.get("/items").get_data(as_text=True)
    assert scene.item.code not in client.get("/my").get_data(as_text=True)


def test_liaison_home_counts_every_overdue_item_but_lists_the_first(client, scene):
    """A busy department sees the true totals on the cards and a link to the full list."""
    from datetime import date

    from tracker.items.pages import HOME_LIST_LIMIT

    for n in range(HOME_LIST_LIMIT + 5):
        make_item(scene.plan, scene.lead_dept, code=f"超期{n}", due=date(2026, 6, 1))
    db.session.flush()
    login_as(client, scene.lead)
    html = client.get("/my").get_data(as_text=True)
    total = HOME_LIST_LIMIT + 5
    assert f">{total}<" in html.replace(" ", "").replace("\n", "")
    assert f"显示{HOME_LIST_LIMIT}条，共{total}条" in html
    overdue_section = html[html.index('id="overdue"') : html.index('id="due-soon"')]
    assert overdue_section.count(">超期") == HOME_LIST_LIMIT
