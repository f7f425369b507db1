"""The pages people use most run a bounded number of SQL statements whatever the data size.

Each page is requested against a small and a ten-times larger data set; the number of
statements must be the same. The counts are printed (pytest -s) for the record.
"""

from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from tests.conftest import login_as, make_department, make_user
from tests.items_support import (
    NOW,
    make_item,
    make_plan,
    make_report,
    periods,
    pinned_today,  # noqa: F401
)
from tracker.extensions import db
from tracker.models import Attachment, Contribution, ExtensionRequest, PlanNode
from tracker.periods import focus_period
from tracker.review.operations import return_report

STATES = ("draft", "submitted", "returned", "verified", None)


@contextmanager
def count_statements():
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def populate(n: int):
    """n items per department for two departments, every kind of row around them."""
    office_dept = make_department("督办室", kind="office")
    office = make_user("office", office_dept)
    plan = make_plan()
    by_label = periods(plan)
    focus = focus_period(plan.id, date(2026, 11, 27))
    departments = [make_department(f"局{k}") for k in range(3)]
    liaisons = [make_user("liaison", d) for d in departments]
    today = date(2026, 11, 27)
    # Items come from a task, an item under it and the 专栏 under that (node/column filters).
    nodes = dict(db.session.execute(select(PlanNode.code, PlanNode.id)).all())
    sources = [nodes["三.1"], nodes["三.1.(2)"], nodes["专栏1"]]
    first_item = None
    for i in range(n):
        for k in range(2):
            lead, co = departments[k], departments[(k + 1) % 3]
            due = today + timedelta(days=(i % 5) * 10 - 20)
            item = make_item(
                plan,
                lead,
                [co, departments[2]],
                due=due,
                code=f"X{k}-{i}",
                source_node_id=sources[(i + k) % 3],
            )
            first_item = first_item or item
            author = liaisons[k]
            make_report(item, author, by_label["2026Q2"], "verified", office=office, now=NOW)
            older = make_report(item, author, by_label["2026Q3"], "submitted", now=NOW)
            return_report(office, older, expected_version=older.version, reason="补充", now=NOW)
            state = STATES[i % len(STATES)]
            if state:
                make_report(item, author, focus, state, office=office, now=NOW)
            contribution = Contribution(
                item_id=item.id,
                department_id=co.id,
                author_id=liaisons[(k + 1) % 3].id,
                body="配合",
            )
            db.session.add(contribution)
            db.session.flush()
            db.session.add(
                Attachment(
                    item_id=item.id,
                    contribution_id=contribution.id,
                    original_name="a.pdf",
                    stored_name=f"{item.id:032x}",
                    content_type="application/pdf",
                    size=1,
                    sha256="0" * 64,
                )
            )
            db.session.add(
                ExtensionRequest(
                    item_id=item.id,
                    requested_by_id=author.id,
                    reason="r",
                    requested_due_date=date(2027, 6, 30),
                    state="pending",
                )
            )
    # Items without owner, for the office home.
    for i in range(n):
        make_item(plan, None, code=f"U{i}")
    # The item whose page is measured gets more history at the bigger size.
    for label in list(by_label)[: min(n, 20)]:
        if label in ("2026Q2", "2026Q3", "2026Q4"):
            continue
        make_report(first_item, liaisons[0], by_label[label], "verified", office=office, now=NOW)
    db.session.commit()
    return {
        "office": office,
        "liaison": liaisons[0],
        "item": first_item,
        "leader": make_user("leader"),
        "node": nodes["三.1"],
    }


PAGES = {
    "liaison home": ("liaison", lambda d: "/my"),
    "office home": ("office", lambda d: "/office"),
    "item list (office)": ("office", lambda d: "/items?per_page=25"),
    "item list (liaison, filtered)": ("liaison", lambda d: "/items?due=overdue&q=X&status=open"),
    "item list (plan heading)": ("office", lambda d: f"/items?node={d['node']}"),
    "item list (on schedule)": ("office", lambda d: "/items?due=later"),
    "item list (专栏, liaison)": ("liaison", lambda d: "/items?column=1&status=open"),
    "item page": ("liaison", lambda d: f"/items/{d['item'].id}"),
    "review queue": ("office", lambda d: "/review"),
}


def measure(app, client, n):
    with app.test_request_context():
        data = populate(n)
    counts = {}
    for name, (who, url) in PAGES.items():
        login_as(client, data[who])
        client.get(url(data))  # warm up (first request of a user)
        with count_statements() as statements:
            response = client.get(url(data))
        assert response.status_code == 200, name
        counts[name] = len(statements)
    return counts


@pytest.fixture
def small(app, client):
    return measure(app, client, 3)


def test_pages_run_a_bounded_number_of_statements(app, client, small):
    from tests.conftest import truncate_all

    db.session.remove()
    truncate_all(db)
    large = measure(app, client, 30)
    print("\nstatements per page (3 vs 30 items per department):")
    for name in PAGES:
        print(f"  {name:32} {small[name]:3} {large[name]:3}")
    assert small == large
    assert max(large.values()) <= 40
