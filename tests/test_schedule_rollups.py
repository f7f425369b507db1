"""序时进度 everywhere the office looks: dashboards by section, 专栏, department and plan (each
number a link to its list), the 通报's 欠进度 part, the 进展情况表 columns, milestones in iCal."""

import io
import re
from datetime import date, timedelta
from html import unescape

import openpyxl
import pytest
from docx import Document
from icalendar import Calendar

from tests.conftest import login_as
from tests.dashboard_support import count_statements, make_item
from tests.dashboard_support import make_plan as make_dashboard_plan
from tests.schedule_rollup_support import TODAY, add_milestones, schedule_world
from tracker.bulletins.data import build_bulletin
from tracker.dashboard.overview import city_overview, department_overview
from tracker.extensions import db

pytestmark = pytest.mark.today(TODAY.isoformat())
DAYS = 14


@pytest.fixture
def world(factories):
    return schedule_world(factories)


def _lights(tally):
    return tuple(tally.lights[light] for light in ("red", "yellow", "green", "grey", "done"))


def test_city_lights_by_section_column_department_and_plan(app, world):
    other, _nodes = make_dashboard_plan("绍兴市标准化“十四五”规划")
    make_item(other, "一.1", world["fgw"], due=date(2026, 1, 1), start_date=date(2025, 1, 1))
    plans = [world["plan"], other]
    overview = city_overview(world["plan"], TODAY, DAYS, plans)
    assert _lights(overview.totals) == (2, 2, 1, 1, 1)
    assert overview.totals.behind == 4  # 欠进度: yellow and red
    sections = {b.label: _lights(b.tally) for b in overview.sections}
    assert sections == {
        "（一）夯实质量基础": (2, 1, 0, 0, 1),
        "（二）提升产品质量": (0, 1, 1, 1, 0),
    }
    assert [(b.label, _lights(b.tally)) for b in overview.columns] == [
        ("专栏1 质量基础设施重点工程", (0, 1, 0, 0, 0))
    ]
    departments = {b.label: _lights(b.tally) for b in overview.departments}
    assert departments == {"市发改委": (1, 2, 0, 0, 1), "市经信局": (1, 0, 1, 1, 0)}
    by_plan = {b.key: _lights(b.tally) for b in overview.plans}
    assert by_plan == {world["plan"].id: (2, 2, 1, 1, 1), other.id: (1, 0, 0, 0, 0)}


def test_department_view_rolls_up_what_it_leads(app, world):
    other, _nodes = make_dashboard_plan("绍兴市标准化“十四五”规划")  # jxj leads nothing there
    plans = [world["plan"], other]
    overview = department_overview(world["plan"], world["jxj"], TODAY, DAYS, plans)
    assert _lights(overview.totals) == (1, 0, 1, 1, 0)
    assert {b.label: _lights(b.tally) for b in overview.sections} == {
        "（一）夯实质量基础": (1, 0, 0, 0, 0),
        "（二）提升产品质量": (0, 0, 1, 1, 0),
    }
    assert [_lights(b.tally) for b in overview.plans] == [(1, 0, 1, 1, 0)]
    # Its attention list: overdue first; 市经信局 has nothing else behind or due soon.
    assert [i.code for i in overview.attention] == ["三.1.(3)"]
    fgw = department_overview(world["plan"], world["fgw"], TODAY, DAYS, plans)
    assert [i.code for i in fgw.attention] == ["三.1.(1)", "三.2.(3)", "三.1.(2)"]
    far = world["items"]["far"].id
    assert fgw.attention_schedule[far] == {
        "light": "red",
        "expected": 90,
        "actual": 20,
        "calendar": "green",
    }
    # With one plan to offer there is no by-plan table.
    assert department_overview(world["plan"], world["jxj"], TODAY, DAYS, plans[:1]).plans == []


def test_every_schedule_number_links_to_a_list_of_exactly_that_many(
    app, client, factories, world, monkeypatch
):
    monkeypatch.setitem(app.config, "TRACKER_TODAY", TODAY)
    login_as(client, factories.user("office", world["office"]))
    plan_id, fgw = world["plan"].id, world["fgw"].id
    seen = set()
    for url in ("/dashboard/", f"/dashboard/department/{fgw}?plan={plan_id}"):
        page = client.get(url).get_data(as_text=True)
        assert "序时进度" in page
        links = re.findall(r'<a href="(/items\?[^"]*light=[^"]*)">(\d+)</a>', page)
        assert links, url
        for href, number in links:
            href = unescape(href)
            seen.add(href)
            listed = client.get(href).get_data(as_text=True)
            assert f"共{number}条" in listed, (url, href, number)
    assert f"/items?plan={plan_id}&light=red" in seen
    assert f"/items?plan={plan_id}&department={fgw}&light=yellow" in seen
    assert f"/items?plan={plan_id}&node={world['nodes']['专栏1'].id}&light=yellow" in seen


def test_the_schedule_chart_links_each_light_to_its_list(client, factories, world):
    import json

    login_as(client, factories.user("office", world["office"]))
    html = client.get("/dashboard/").get_data(as_text=True)
    assert 'data-chart="schedule"' in html
    data = json.loads(re.search(r'id="dashboard-data">(.*?)</script>', html, re.S).group(1))
    schedule = data["schedule"]
    assert schedule["values"] == [2, 2, 1, 1, 1]  # red, yellow, green, grey, done
    assert schedule["labels"][0] == "严重滞后"
    assert schedule["urls"][0] == f"/items?plan={world['plan'].id}&light=red"


@pytest.mark.parametrize("view", ["city", "department"])
def test_the_roll_ups_add_no_statement_per_item(app, client, factories, world, view):
    """The schedule lights come from the dashboards' GROUP BYs: more items, same count."""
    login_as(client, factories.user("office", world["office"]))
    url = "/dashboard/" if view == "city" else f"/dashboard/department/{world['fgw'].id}"
    counts = []
    for extra in (0, 25):
        for n in range(extra):
            make_item(
                world["plan"],
                f"加{len(counts)}-{n}",
                world["fgw"],
                section=world["nodes"]["三.(二)"],
                due=TODAY + timedelta(days=n * 20 - 100),
                start_date=date(2026, 1, 1),
            )
        db.session.commit()
        with count_statements(db.engine) as counter:
            assert client.get(url).status_code == 200
        counts.append(counter["n"])
    assert counts[0] == counts[1], counts


# ---------------------------------------------------------------- 通报


def test_bulletin_names_the_items_and_departments_behind_schedule(app, world):
    bulletin = build_bulletin(world["period"], TODAY, "Asia/Shanghai")
    behind = bulletin.behind
    # Red first (most behind first), then yellow.
    assert [i.code for i in behind.items] == ["三.1.(1)", "三.1.(3)", "三.2.(3)", "三.1.(2)"]
    assert [(i.expected, i.actual, i.lag, i.light) for i in behind.items][:2] == [
        (90, 20, 70, "red"),
        (100, 95, 5, "red"),  # open past its due date
    ]
    assert [(d.name, d.items, d.red) for d in behind.departments] == [
        ("市发改委", 3, 1),
        ("市经信局", 1, 1),
    ]


def test_bulletin_page_and_docx_carry_the_behind_schedule_part(client, factories, world):
    login_as(client, factories.user("office", world["office"]))
    period = world["period"]
    html = client.get(f"/bulletins/{period.id}").get_data(as_text=True)
    assert "三、欠进度事项" in html
    assert "共有4项工作事项欠进度" in html and "市发改委（3项）、市经信局（1项）" in html
    assert f"/items?plan={world['plan'].id}&amp;department={world['fgw'].id}&amp;light=red" in html
    response = client.get(f"/bulletins/{period.id}.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "三、欠进度事项" in text and "市发改委（3项）" in text
    table = document.tables[-1]
    assert [c.text for c in table.rows[0].cells][:4] == ["编号", "工作事项", "牵头单位", "序时进度"]
    assert [c.text for c in table.rows[1].cells] == [
        "三.1.(1)",
        "任务三.1.(1)",
        "市发改委",
        "90%",
        "20%",
        "70",
        "红灯",
    ]


def test_bulletin_says_so_when_nothing_is_behind(app, world):
    for item in world["items"].values():
        item.status = "completed"
    db.session.flush()
    bulletin = build_bulletin(world["period"], TODAY, "Asia/Shanghai")
    assert bulletin.behind.items == [] and bulletin.behind.departments == []


# ---------------------------------------------------------------- 进展情况表


def test_progress_table_has_expected_actual_and_class_columns(client, factories, world):
    login_as(client, factories.user("office", world["office"]))
    plan, period = world["plan"], world["period"]
    response = client.get(f"/spreadsheets/export/progress.xlsx?plan={plan.id}&period={period.id}")
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in ws[3]]
    assert header[10:15] == ["进度", "序时进度", "实际进度", "状态", "办理状态"]
    rows = {row[0]: row for row in ws.iter_rows(min_row=4, values_only=True)}
    assert rows["三.1.(1)"][11:14] == (0.9, 0.2, "欠进度")
    assert rows["三.2.(1)"][11:14] == (0.45, 0.4, "达进度")
    assert rows["三.2.(2)"][13] == "暂不评价"
    assert rows["三.1.(4)"][13] == "已完成"
    assert rows["三.2.(3)"][11:14] == (0.7, 0.4, "欠进度")  # milestones: 70 due, 40 reached
    by_code = {ws.cell(row=r, column=1).value: r for r in range(4, ws.max_row + 1)}
    red_fill = ws.cell(row=by_code["三.1.(1)"], column=14).fill.fgColor.rgb
    green_fill = ws.cell(row=by_code["三.2.(1)"], column=14).fill.fgColor.rgb
    assert red_fill != green_fill


# ---------------------------------------------------------------- iCal


def _feed(client, user):
    login_as(client, user)
    page = client.post("/calendar/token").get_data(as_text=True)
    url = re.search(r'value="(http[^"]+\.ics)"', page).group(1)
    response = client.application.test_client().get(url[url.index("/calendar/") :])
    assert response.status_code == 200
    return {str(e["uid"]): e for e in Calendar.from_ical(response.data).walk("VEVENT")}


def test_feed_carries_the_approved_milestones_on_their_planned_dates(client, factories, world):
    # A proposal the office has not approved yet stays out of the calendar.
    add_milestones(world["items"]["far"], [("草案", date(2026, 12, 15), 100, "draft")], "submitted")
    events = _feed(client, factories.user("liaison", world["fgw"], locale="zh_Hans_CN"))
    milestones = {uid: e for uid, e in events.items() if uid.startswith("milestone-")}
    expected = {f"milestone-{m.id}@plan-tracker": m for m in world["milestones"]}
    assert set(milestones) == set(expected)
    for uid, milestone in expected.items():
        assert milestones[uid].decoded("dtstart") == milestone.planned_date
        assert milestone.title in str(milestones[uid]["summary"])
    first = milestones[f"milestone-{world['milestones'][0].id}@plan-tracker"]
    assert str(first["summary"]).startswith("【节点已完成】 三.2.(3)")
    assert str(
        milestones[f"milestone-{world['milestones'][2].id}@plan-tracker"]["summary"]
    ).startswith("【节点】")
    # Another department's liaison does not see them.
    other = _feed(client, factories.user("liaison", world["jxj"], locale="zh_Hans_CN"))
    assert not [uid for uid in other if uid.startswith("milestone-")]
