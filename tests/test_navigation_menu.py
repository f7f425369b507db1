"""The navigation bar's links: the role's own, the current page's marked, in the reader's
language — made once per process for each, and never another role's or language's."""

from tests.conftest import login_as, make_department, make_user
from tracker.navigation import NAV_LINKS


def links_of(html: str) -> list[str]:
    menu = html[html.index("main-links") : html.index("</ul>", html.index("main-links"))]
    return [part.split('"')[0] for part in menu.split('href="')[1:]]


def test_each_role_sees_its_own_links_and_the_page_it_is_on(app, client):
    office = make_user("office", make_department("督办室", kind="office"))
    liaison = make_user("liaison", make_department("甲局"))
    login_as(client, office)
    office_items = client.get("/items").get_data(as_text=True)
    login_as(client, liaison)
    liaison_items = client.get("/items").get_data(as_text=True)
    liaison_plans = client.get("/plans/").get_data(as_text=True)

    assert "/review" in links_of(office_items)
    assert "/review" not in links_of(liaison_items)  # kept per role, not shared
    assert "/my" in links_of(liaison_items) and "/my" not in links_of(office_items)
    assert 'nav-link active" href="/items"' in liaison_items
    assert 'nav-link active" href="/plans/"' in liaison_plans
    assert 'nav-link active" href="/items"' not in liaison_plans
    with app.test_request_context():
        liaison_links = [link for link in NAV_LINKS if "liaison" in link.roles]
    assert len(links_of(liaison_items)) == len(liaison_links)


def test_the_links_read_in_the_readers_language(client):
    liaison = make_user("liaison", make_department("甲局"))
    login_as(client, liaison)
    chinese = client.get("/items").get_data(as_text=True)
    english = client.get("/items?lang=en").get_data(as_text=True)
    assert ">Work items</a>" in english and ">Work items</a>" not in chinese
    assert ">工作事项</a>" in chinese
