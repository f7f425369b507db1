"""Every page as every role on a 390×844 phone: nothing scrolls sideways, no cell is squeezed.

Each role logs in to the demo (plus a very long item title and department name, and a plan
with a single item), follows its navigation and its home page's links (one page per URL shape,
bounded), and every page is measured in the browser: the document may not be wider than the
viewport, and a visible table cell holding 4+ characters may not be narrower than 40 px (that
is how 工作事项 ended up as one character per line). Then the liaison's report flow — reminder
link → item → write → attach a photo → submit — runs at the same size. Screenshots go to
test-artifacts/e2e/phone/.
"""

from __future__ import annotations

import re
import struct
import zlib
from urllib.parse import urlsplit

import pytest

from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import ARTIFACTS, SKIP_WITHOUT_CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.slow, SKIP_WITHOUT_CHROMIUM]

PHONE = {"width": 390, "height": 844}
SHOTS = ARTIFACTS / "phone"
LONG_TITLE = "推进" + "质量基础设施一站式服务平台建设并实现全市域覆盖" * 4
LONG_DEPARTMENT = "绍兴市市场监督管理局（市知识产权局、市标准化研究院）质量发展与标准化处"
ROLES = ("liaison-fgw", "office", "leader", "admin", "approver-kjj")
MAX_PAGES = 45
# Not pages: downloads, feeds, the log-out and language forms, API documents.
SKIP = re.compile(
    r"/(logout|static|vendor|api/|calendar/|export|download|files?/)|\.(xlsx|csv|ics|pdf|json)"
)

MEASURE = """() => {
  const squeezed = [];
  const cut = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const box = cell.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(cell).visibility === 'hidden') continue;
    const text = cell.innerText.trim();
    if ([...text].length >= 4 && box.width < 40) squeezed.push(text.slice(0, 24));
    if (cell.scrollWidth > cell.clientWidth + 1) cut.push(text.slice(0, 24));
  }
  // A button whose short label wraps (打/印) is squeezed too.
  for (const button of document.querySelectorAll('.btn, .nav-link')) {
    const box = button.getBoundingClientRect();
    const text = button.innerText.trim();
    const style = getComputedStyle(button);
    const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
    const lines = (button.clientHeight - padding) / parseFloat(style.lineHeight);
    if (box.width && [...text].length >= 2 && [...text].length <= 12 && lines > 1.5) {
      squeezed.push('button: ' + text);
    }
  }
  // A control in a stacked list's header (select all) must still be there to tap.
  const controls = 'table.table-stack > thead :is(input, select, button)';
  for (const control of document.querySelectorAll(controls)) {
    if (!control.getBoundingClientRect().width) {
      cut.push('hidden header control: ' + control.outerHTML.slice(0, 60));
    }
  }
  // A list stacked into cards must fit its box: a card that scrolls sideways hides its end.
  for (const box of document.querySelectorAll('.table-responsive')) {
    if (box.querySelector('table.table-stack') && box.scrollWidth > box.clientWidth + 1) {
      cut.push('cards wider than the screen: ' + box.innerText.trim().slice(0, 24));
    }
  }
  return {
    scrollWidth: document.scrollingElement.scrollWidth,
    innerWidth: window.innerWidth,
    squeezed,
    cut,
  };
}"""

WIDER_THAN_SCREEN = """(width) => Array.from(document.querySelectorAll('body *'))
  .filter((el) => el.getBoundingClientRect().right > width + 1)
  .slice(0, 5).map((el) => el.tagName + '.' + el.className + ': ' + el.innerText.slice(0, 30))"""

LINKS = """() => Array.from(document.querySelectorAll('#mainNav a[href], main a[href]'))
  .map((a) => a.getAttribute('href'))"""

SECOND_HOP = [
    ("/items", r"^/items/\d+$"),
    ("/plans/", r"^/plans/\d+/?$"),
    ("/indicators/", r"^/indicators/\d+/?$"),
    ("/indicators/review", r"^/indicators/values/\d+/review$"),
    ("/bulletins/?plan={plan}", r"^/bulletins/\d+"),
    ("/review", r"^/reports/\d+$"),
    ("/dashboard/?plan={plan}", r"^/dashboard/department/\d+"),
    ("/assessment/?year=2025", r"^/assessment/departments/\d+"),
    ("/admin/users", r"^/admin/users/\d+$"),
    ("/admin/departments", r"^/admin/departments/\d+$"),
]


def tiny_png() -> bytes:
    """A real 8×8 PNG (a grey square), made here so the photo is a valid image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * 8 for _ in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def demo(app, monkeypatch):
    """The demo with known passwords, a very long title and department, a one-item plan."""
    from werkzeug.security import generate_password_hash

    import tracker.admin.operations as admin_operations
    from tests.items_support import make_item, make_plan
    from tracker import clock
    from tracker.demo import load_demo
    from tracker.extensions import db
    from tracker.models import Department, User, WorkItem

    monkeypatch.setattr(
        admin_operations, "hash_password", lambda p: generate_password_hash(p, "pbkdf2:sha256:1")
    )
    with app.test_request_context():
        load_demo(now=clock.now())
        fast = generate_password_hash(TEST_PASSWORD, "pbkdf2:sha256:1")
        for user in db.session.query(User).filter(User.username.in_(ROLES)):
            user.password_hash = fast
        liaison = db.session.query(User).filter_by(username="liaison-fgw").one()
        department = liaison.department
        department.name = LONG_DEPARTMENT
        department.short_name = LONG_DEPARTMENT[:24]
        item = db.session.query(WorkItem).filter_by(lead_department_id=department.id).first()
        item.title = LONG_TITLE
        make_item(make_plan("只有一个事项的规划"), department, title="唯一事项")
        db.session.commit()
        assert db.session.query(Department).count() > 1
        return {"item_id": item.id, "plan_id": item.plan_id}


def phone_page(browser, base: str, username: str):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/login" not in page.url, f"{username} could not log in"
    return page


def shape(path: str) -> str:
    """One visit per URL shape: /items/12/report and /items/13/report are the same page."""
    return re.sub(r"\d+", "N", path)


def crawl(page, base: str, extra: list[str]) -> list[str]:
    """Paths reachable from the navigation and the home page, then `extra`, one per shape."""
    found: list[str] = []
    seen: set[str] = set()

    def add(href: str | None, *, whole: bool = False) -> None:
        if not href or href.startswith(("#", "mailto:", "javascript:")):
            return
        parts = urlsplit(href)
        if parts.netloc and f"{parts.scheme}://{parts.netloc}" != base:
            return
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        key = shape(path if whole else parts.path)  # `extra` may ask for ?plan=… too
        if SKIP.search(path) or key in seen or len(found) >= MAX_PAGES:
            return
        seen.add(key)
        found.append(path)

    add(urlsplit(page.url).path)
    for href in page.evaluate(LINKS):
        add(href)
    for path in extra:
        add(path, whole=True)
    return found


def measure(page, base: str, path: str, label: str) -> list[str]:
    response = page.goto(base + path)
    assert response is not None and response.status < 500, f"{path}: {response.status}"
    if "text/html" not in (response.headers.get("content-type") or ""):
        return []
    found = page.evaluate(MEASURE)
    problems = []
    # A phone zooms out to fit a page wider than the screen, so innerWidth grows too.
    if max(found["scrollWidth"], found["innerWidth"]) > PHONE["width"]:
        wide = page.evaluate(WIDER_THAN_SCREEN, PHONE["width"])
        problems.append(f"{path} scrolls sideways ({found['scrollWidth']} px): {wide}")
    if found["squeezed"]:
        problems.append(f"{path} squeezes {len(found['squeezed'])} cells: {found['squeezed'][:5]}")
    if found["cut"]:
        problems.append(f"{path} cuts off {len(found['cut'])} cells: {found['cut'][:5]}")
    name = f"{'bad-' if problems else ''}{label}-{shape(urlsplit(path).path).strip('/') or 'home'}"
    page.screenshot(path=str(SHOTS / f"{name.replace('/', '_')}.png"), full_page=True)
    return problems


def test_every_page_fits_a_phone_for_every_role(live_server, demo, browser):
    item, plan = demo["item_id"], demo["plan_id"]
    # The one-item plan is the newest, so pages that default to it get the demo plan's view too.
    demo_plan = [f"/dashboard/?plan={plan}", f"/bulletins/?plan={plan}", f"/items?plan={plan}"]
    extra = {
        "liaison-fgw": [
            f"/items/{item}",
            f"/items/{item}/report",
            f"/items/{item}/milestones",
            f"/items?plan={plan}",
        ],
        "office": [
            f"/items/{item}",
            f"/items/{item}/edit",
            "/review",
            "/indicators/",
            "/indicators/review",
            "/indicators/evaluation",
            "/dashboard/",
            *demo_plan,
            "/items/new",
            "/items/generate",
            "/plans/import",
            "/assessment/rules",
        ],
        "leader": [
            "/dashboard/",
            "/indicators/",
            "/indicators/evaluation",
            *demo_plan,
            f"/items/{item}/instructions/new",
        ],
        "approver-kjj": ["/signoff", "/assignments", "/instructions"],
        "admin": [
            "/admin/users",
            "/admin/users/new",
            "/admin/departments",
            "/admin/departments/new",
            "/admin/outbox",
            "/admin/holidays",
        ],
    }
    problems: list[str] = []
    visited = 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    for role in ROLES:
        page = phone_page(browser, live_server, role)
        page.screenshot(path=str(SHOTS / f"{role}-home.png"), full_page=True)
        paths = crawl(page, live_server, extra[role])
        # Second hop: the first page of each kind a list links to (when this role sees it).
        for list_path, pattern in SECOND_HOP:
            page.goto(live_server + list_path.format(plan=plan))
            hrefs = page.evaluate(LINKS)
            first = next((h for h in hrefs if re.match(pattern, h or "")), None)
            if first and shape(first) not in {shape(p.split("?")[0]) for p in paths}:
                paths.append(first)
        for number, path in enumerate(paths):
            found = measure(page, live_server, path, f"{role}-{number}")
            problems += [f"{role}: {problem}" for problem in found]
            visited += 1
        page.context.close()
    assert visited >= 40, f"only {visited} pages visited: the walk lost its links"
    assert not problems, f"{len(problems)} of {visited} visits fail on a phone:\n" + "\n".join(
        problems
    )


def test_report_flow_from_a_reminder_link_on_a_phone(live_server, demo, browser, tmp_path):
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(tiny_png())
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = phone_page(browser, live_server, "liaison-fgw")
    # The reminder's link is the item page (notify.messages.item_url).
    page.goto(f"{live_server}/items/{demo['item_id']}")
    page.screenshot(path=str(SHOTS / "flow-1-item.png"), full_page=True)
    write = page.locator("a[href$='/report'], a[href*='/reports/'][href$='/edit']").first
    assert write.is_visible(), "the write/continue button is reachable on a phone"
    with page.expect_navigation():
        write.click()
    page.fill("#narrative", "本季度完成平台一期建设，附现场照片。")
    page.fill("#progress", "55")
    page.set_input_files("#files", str(photo))
    assert page.evaluate(MEASURE)["scrollWidth"] <= PHONE["width"]
    page.screenshot(path=str(SHOTS / "flow-2-form.png"), full_page=True)
    submit = page.locator("button[name=action][value=submit]")
    submit.scroll_into_view_if_needed()
    with page.expect_navigation():
        submit.click()
    body = page.content()
    assert "报告已提交督办室" in body
    assert "现场照片.png" in body
    page.screenshot(path=str(SHOTS / "flow-3-submitted.png"), full_page=True)
    assert page.evaluate(MEASURE)["scrollWidth"] <= PHONE["width"]


NAV_LINES = """() => Array.from(document.querySelectorAll('#mainNav .nav-link'))
  .filter((link) => link.getBoundingClientRect().width > 0)
  .map((link) => {
    const style = getComputedStyle(link);
    const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
    return [link.innerText.trim(), (link.clientHeight - padding) / parseFloat(style.lineHeight)];
  })"""


@pytest.mark.parametrize("width", [390, 1024, 1280, 1920])
def test_navbar_labels_stay_whole_at_every_width(live_server, demo, browser, width):
    """The admin has the most links (15): they collapse behind the menu button below 1200 px
    and wrap as whole labels above it — never one character per line."""
    page = phone_page(browser, live_server, "admin")
    page.set_viewport_size({"width": width, "height": 900})
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        assert not page.locator("#mainNav").is_visible()
        toggler.click()
        page.locator("#mainNav.show").wait_for()
    links = page.evaluate(NAV_LINES)
    assert len(links) >= 15, links
    broken = [text for text, lines in links if lines > 1.5]
    assert not broken, f"at {width} px these navigation labels break: {broken}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"navbar-{width}.png"))
    wide = page.evaluate(WIDER_THAN_SCREEN, width)
    found = page.evaluate(MEASURE)
    assert found["scrollWidth"] <= found["innerWidth"] == width, (found, wide)


def test_three_hundred_departments_and_a_token_table_fit_a_phone(live_server, demo, app, browser):
    """The bad inputs of the phone issue: 300 departments (one with a very long name) behind
    every department choice, and the profile's API-token table with a long token name."""
    from tests.conftest import make_department
    from tracker import clock
    from tracker.api.tokens import create_token
    from tracker.extensions import db
    from tracker.models import User

    with app.test_request_context():
        for n in range(300):
            make_department(
                f"部门{n:03d}", name=f"绍兴市第{n:03d}个市级部门" + "（含下属单位）" * (n % 3)
            )
        make_department("超长名称", name=LONG_DEPARTMENT * 3)
        office = db.session.query(User).filter_by(username="office").one()
        create_token(office, office, name="数据对接接口令牌" * 6, now=clock.now())
        db.session.commit()
    problems: list[str] = []
    pages = {
        "office": [
            "/items",
            "/items/new",
            f"/items/{demo['item_id']}/edit",
            "/profile",
            "/dashboard/",
            "/review",
        ],
        "admin": ["/admin/users/new", "/admin/departments", "/admin/users"],
    }
    SHOTS.mkdir(parents=True, exist_ok=True)
    for role, paths in pages.items():
        page = phone_page(browser, live_server, role)
        for number, path in enumerate(paths):
            problems += [
                f"{role}: {p}" for p in measure(page, live_server, path, f"300-{role}-{number}")
            ]
        page.context.close()
    assert not problems, "\n".join(problems)
