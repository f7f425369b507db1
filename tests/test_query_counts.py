"""Each page runs the same number of SQL statements at two data sizes, so an N+1 cannot
come back unnoticed (issue 9). Not timed: the benchmark runner (bench/run.py) times.

Both data sets come from the benchmark generator at a tiny scale; its first items cover
every list a page shows (overdue, due soon, reports in every state, a co-owned item, a
pending extension, an unowned item), so an empty list never hides a statement.
"""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from bench.generate import populate
from bench.pages import MAX_STATEMENTS, PAGES, choose_targets, count_page, log_in, page_available
from bench.sizes import BENCH_API_TOKEN, BENCH_PASSWORD, local_today, tiny
from tests.conftest import truncate_all

SIZES = {
    "small": tiny(11, departments=6, users=16, plans=1),
    "big": tiny(60, departments=14, users=40, plans=3),
}


def _build(app, scale) -> None:
    from tracker.extensions import db

    with app.app_context(), db.engine.begin() as conn:
        populate(conn, scale, local_today(), generate_password_hash(BENCH_PASSWORD))
    with app.app_context():  # supervision letters, so their lists and sections are not empty
        _letters(db)


def _letters(db) -> None:
    """A yellow letter per department about all its open items, an orange one about its
    first: letters, and items per letter, grow with the data."""
    from sqlalchemy import select

    from tracker.item_predicates import open_clause
    from tracker.letters.operations import issue_letter
    from tracker.models import WorkItem

    rows = db.session.execute(
        select(WorkItem.lead_department_id, WorkItem.id)
        .where(open_clause(), WorkItem.lead_department_id.is_not(None))
        .order_by(WorkItem.id)
    ).all()
    by_department: dict[int, list[int]] = {}
    for department_id, item_id in rows:
        by_department.setdefault(department_id, []).append(item_id)
    for item_ids in by_department.values():
        issue_letter(None, level="yellow", item_ids=item_ids, note="催办")
        issue_letter(None, level="orange", item_ids=item_ids[:1], note="督办")
    db.session.commit()


def _measure(app) -> dict:
    from tracker.extensions import db

    with app.app_context():
        targets = choose_targets(db.session)
        db.session.remove()
    clients = {"api": app.test_client()}
    for role, username in (("liaison", targets.liaison), ("office", targets.office)):
        clients[role] = app.test_client()
        log_in(clients[role], app, username)
    counts = {}
    for page in PAGES:
        if not page_available(app, page, targets):
            counts[page.name] = None
            continue
        client = clients[page.role]
        count_page(app, client, page, targets, BENCH_API_TOKEN)  # warm-up: first-use writes
        status, capture = count_page(app, client, page, targets, BENCH_API_TOKEN)
        counts[page.name] = (status, capture.count, [s.sql[:300] for s in capture.statements])
    return counts


@pytest.fixture(scope="module")
def measured(app):
    from tracker.extensions import db

    results = {}
    try:
        for label, scale in SIZES.items():
            _build(app, scale)
            results[label] = _measure(app)
            with app.app_context():
                truncate_all(db)
    finally:
        with app.app_context():
            truncate_all(db)
    return results


@pytest.mark.parametrize("name", [page.name for page in PAGES])
def test_statement_count_does_not_grow_with_the_data(measured, name):
    small, big = measured["small"][name], measured["big"][name]
    if small is None or big is None:
        pytest.skip(f"{name}: its endpoint is not registered yet")
    assert small[0] == 200, f"{name} answered {small[0]} on the small data set"
    assert big[0] == 200, f"{name} answered {big[0]} on the bigger data set"
    assert small[1] == big[1], (
        f"{name}: {small[1]} statements with {SIZES['small'].items} items, {big[1]} with "
        f"{SIZES['big'].items} — a query per row?\n" + "\n".join(big[2])
    )
    assert big[1] <= MAX_STATEMENTS, f"{name} runs {big[1]} statements:\n" + "\n".join(big[2])


def test_the_required_pages_are_all_measured():
    """Every page the issue names is in the list (the runner and this test share it)."""
    required = {p.name for p in PAGES if p.required}
    assert required == {
        "liaison_home",
        "review_queue",
        "item_list",
        "item_page",
        "city_dashboard",
        "indicator_page",
        "api_items",
    }
