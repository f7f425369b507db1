"""The item table's rows, written in Python (tracker/items/cells.py): every cell of every kind
of row, escaped, in both languages; the page's 序时进度 read with its rows; days formatted
once per process and language."""

from datetime import date, datetime, timedelta

import pytest
from flask_babel import force_locale
from flask_babel import format_date as babel_format_date

from tests.conftest import login_as, make_department, make_user
from tests.items_support import (  # noqa: F401
    TODAY,
    in_request,
    make_item,
    make_plan,
    make_report,
    periods,
    pinned_today,
)
from tracker.extensions import db
from tracker.items.queries import ItemFilters, item_list_query
from tracker.items.table import (
    item_ids_page,
    item_ids_query,
    item_ids_statements,
    item_table_query,
    table_rows,
)
from tracker.schedule_query import statuses_of
from tracker.templating import local_date


@pytest.fixture
def rows(app):
    office = make_user("office", make_department("督办室", kind="office"))
    lead, co = make_department("甲局"), make_department("乙<局>")
    liaison = make_user("liaison", lead)
    plan = make_plan()
    by_label = periods(plan)
    items = {
        "reported": make_item(
            plan,
            lead,
            [co],
            code="A1",
            title="标准<b>化</b>试点",
            due=TODAY - timedelta(3),
        ),
        "soon": make_item(plan, lead, code="A2", title="品牌培育", due=TODAY + timedelta(5)),
        "retired": make_item(plan, lead, code="A3", title="撤销事项"),
        "orphan": make_item(plan, None, code="C1", title="未分派事项"),
    }
    # Set directly: the operations that extend, retire or mark demo data are tested elsewhere.
    items["reported"].original_due_date = TODAY - timedelta(30)
    items["reported"].is_demo = True
    items["retired"].retired_at = datetime(2026, 10, 1)
    report = make_report(items["reported"], liaison, by_label["2026Q4"], "submitted", office=office)
    db.session.commit()
    return {"office": office, "items": items, "report": report}


def row_of(html: str, code: str) -> str:
    start = html.index(f">{code}</a>")
    return html[html.rindex("<tr>", 0, start) : html.index("</tr>", start)]


def test_each_kind_of_row_shows_its_cells(client, rows):
    login_as(client, rows["office"])
    html = client.get("/items?status=&per_page=50").get_data(as_text=True)
    items, report = rows["items"], rows["report"]

    reported = row_of(html, "A1")
    assert f'href="/items/{items["reported"].id}"' in reported
    assert "标准&lt;b&gt;化&lt;/b&gt;试点" in reported and "<b>化" not in reported
    assert "badge text-bg-light border" in reported  # demo data
    assert "<strong>甲局</strong>" in reported and "乙&lt;局&gt;" in reported
    assert "text-danger fw-semibold" in reported and "text-bg-danger" in reported  # overdue
    assert local_date(TODAY - timedelta(30)) in reported  # the original due date
    assert f'href="/reports/{report.id}"' in reported  # this period's report, linked
    assert 'class="badge text-bg-' in reported.split("<td>")[-1]  # 序时进度 badge

    soon = row_of(html, "A2")
    assert "text-bg-warning" in soon and "/reports/" not in soon
    assert "text-bg-light text-dark border" in soon  # an open item with a lead: no report yet

    orphan = row_of(html, "C1")
    assert '<span class="text-danger">' in orphan  # no owner
    assert "text-bg-light text-dark border" not in orphan  # nobody owes a report

    retired = row_of(client.get("/items?status=retired").get_data(as_text=True), "A3")
    assert "text-bg-dark" in retired and "text-bg-light text-dark border" not in retired


def test_rows_read_in_the_readers_language(client, rows):
    login_as(client, rows["office"])
    chinese = row_of(client.get("/items").get_data(as_text=True), "A1")
    english = row_of(client.get("/items?lang=en").get_data(as_text=True), "A1")
    day = TODAY - timedelta(3)
    with force_locale("zh_Hans_CN"):
        assert babel_format_date(day) in chinese
    with force_locale("en"):
        assert babel_format_date(day) in english
    assert "Overdue" in english and "Overdue" not in chinese


def test_the_table_rows_are_the_items_values(rows):
    """The plain rows (tracker/items/table.py) carry what the WorkItem objects do: owners,
    dates, state — and the page's 序时进度 equals statuses_of."""
    items = rows["items"]
    ids = [item.id for item in items.values()]
    table, schedules = table_rows(TODAY, ids)
    by_id = {row[0].id: row for row in table}
    for item in items.values():
        row, focus_state, focus_id = by_id[item.id]
        assert (row.code, row.title, row.due_date, row.status, row.progress) == (
            item.code,
            item.title,
            item.due_date,
            item.status,
            item.progress,
        )
        assert (row.lead_name, row.co_names, row.is_closed) == (
            item.lead_name,
            item.co_names,
            item.is_closed,
        )
    assert by_id[items["reported"].id][1:] == ("submitted", rows["report"].id)
    assert by_id[items["reported"].id][0].co_names == ("乙<局>",)
    assert schedules == statuses_of(ids, TODAY)


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "en"])
def test_a_day_reads_the_same_from_the_process_cache(app, locale):
    days = [date(2026, 1, 1), date(2026, 12, 31), date(2027, 2, 28)]
    with force_locale(locale):
        expected = [babel_format_date(day) for day in days]
        assert [local_date(day) for day in days] == expected
        assert [local_date(day) for day in days] == expected  # second time: kept
        assert local_date(days[0], "long") == babel_format_date(days[0], "long")


FILTER_CASES = [
    {},
    {"status": "open"},
    {"status": "retired"},
    {"review": "missing"},
    {"review": "submitted"},
    {"due": "overdue"},
    {"q": "事项"},
    {"department_id": 0},  # replaced by the lead department's id
]


@pytest.mark.parametrize("filters", FILTER_CASES)
def test_the_pages_ids_are_the_listed_items_for_every_viewer(rows, filters):
    """item_ids_query splits a department's items into what it leads and what it co-owns;
    the ids, their order and their count are those of item_list_query, for the office and
    for a liaison of the lead and of the co-owning department, with each filter."""
    lead_id = rows["items"]["reported"].lead_department_id
    filters = {k: (lead_id if k == "department_id" else v) for k, v in filters.items()}
    co_liaison = make_user("liaison", rows["items"]["reported"].co_departments[0])
    viewers = [rows["office"], rows["report"].author, co_liaison]
    for viewer in viewers:
        wanted = [
            row[0].id
            for row in db.session.execute(
                item_list_query(viewer, ItemFilters(**filters), TODAY)
            ).all()
        ]
        ids = db.session.scalars(item_ids_query(viewer, ItemFilters(**filters), TODAY)).all()
        assert ids == wanted, (viewer.role, filters)
        counted = item_ids_statements(viewer, ItemFilters(**filters), TODAY).count
        assert db.session.scalar(counted) == len(wanted), (viewer.role, filters)


def test_an_item_a_department_leads_and_co_owns_is_listed_once(rows):
    item = rows["items"]["soon"]
    item.co_departments.append(item.lead_department)  # not offered by the forms; survive it
    db.session.commit()
    liaison = rows["report"].author
    ids = db.session.scalars(item_ids_query(liaison, ItemFilters(), TODAY)).all()
    assert ids.count(item.id) == 1


def test_the_kept_table_statement_follows_the_light_thresholds(app, monkeypatch):
    kept = item_table_query(TODAY)
    assert item_table_query(TODAY) is kept  # one statement object a day: its cache key kept
    monkeypatch.setitem(app.config, "SCHEDULE_YELLOW_LAG", 5)
    monkeypatch.setitem(app.config, "SCHEDULE_RED_LAG", 7)
    strict = item_table_query(TODAY)
    assert strict is not kept
    # The light's CASE clamps the lag into [yellow - 1, red + 1].
    assert {4, 8} <= set(strict.compile(db.engine).params.values())


def test_the_fixed_filters_options_are_labelled_and_chosen(client, rows):
    login_as(client, rows["office"])
    html = client.get("/items?status=completed&due=overdue&light=red").get_data(as_text=True)
    assert '<option value="completed" selected>' in html
    assert '<option value="overdue" selected>' in html and '<option value="red" selected>' in html
    assert '<option value="missing">' in html  # this period: not chosen
    english = client.get("/items?lang=en&review=missing").get_data(as_text=True)
    assert '<option value="missing" selected>' in english and "Overdue</option>" in english


def test_a_choice_from_outside_the_list_selects_nothing_and_is_not_kept(app):
    from tracker.items import templating

    with app.test_request_context("/"):
        templating.filter_options(("open", "completed"), None)
        kept = len(templating._OPTIONS)
        for bogus in ("x1", "x2", "<script>", 3):
            html = templating.filter_options(("open", "completed"), bogus)
            assert " selected" not in html and "<script>" not in html
        assert len(templating._OPTIONS) == kept
        assert " selected" in templating.filter_options(("open", "completed"), "open")


def test_the_ids_statements_are_kept_per_scope_filters_day_and_settings(app, rows, monkeypatch):
    office, liaison = rows["office"], rows["report"].author
    co_liaison = make_user("liaison", rows["items"]["reported"].co_departments[0])
    kept = item_ids_statements(liaison, ItemFilters(), TODAY)
    assert item_ids_statements(liaison, ItemFilters(), TODAY) is kept
    others = [
        item_ids_statements(office, ItemFilters(), TODAY),
        item_ids_statements(co_liaison, ItemFilters(), TODAY),
        item_ids_statements(liaison, ItemFilters(status="open"), TODAY),
        item_ids_statements(liaison, ItemFilters(), TODAY + timedelta(1)),
    ]
    assert all(other is not kept for other in others)
    monkeypatch.setitem(app.config, "DUE_SOON_DAYS", 3)
    assert item_ids_statements(liaison, ItemFilters(), TODAY) is not kept
    # Heading filters read the plan tree while building: never kept.
    node = ItemFilters(node_id=rows["items"]["reported"].source_node_id or 1)
    assert item_ids_statements(liaison, node, TODAY) is not item_ids_statements(
        liaison, node, TODAY
    )


@pytest.mark.parametrize("viewer", ["office", "liaison"])
@pytest.mark.parametrize("page", [1, 2, 3])
def test_a_kept_page_is_the_lists_page(app, rows, viewer, page):
    user = rows["office"] if viewer == "office" else rows["report"].author
    listed = [
        row[0].id for row in db.session.execute(item_list_query(user, ItemFilters(), TODAY)).all()
    ]
    assert len(listed) == (3 if viewer == "office" else 2)
    with app.test_request_context(f"/items?per_page=1&page={page}"):
        found = item_ids_page(user, ItemFilters(), TODAY)
    assert found.total == len(listed)
    assert found.items == listed[page - 1 : page]  # past the end: an empty page


def test_chosen_labels_follow_each_viewers_scope(rows):
    from tracker.items.filter_choices import chosen_labels

    lead_id = rows["items"]["reported"].lead_department_id
    outsider = make_user("liaison", make_department("丙局"))
    viewers = {"office": rows["office"], "lead": rows["report"].author, "outsider": outsider}
    for _ in range(2):  # the second time from the kept statements
        shown = {
            name: chosen_labels(user, None, None, lead_id).department
            for name, user in viewers.items()
        }
        assert shown["office"].label == shown["lead"].label == "甲局"
        assert shown["outsider"] is None  # none of its items is led by 甲局
