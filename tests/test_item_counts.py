"""The home pages' summary counts (tracker/items/counts.py): over every item they are counted
in another form than over one department's (partial indexes, from the reports' side); both
forms must give the same numbers."""

from datetime import date

from tests.conftest import make_department, make_user
from tests.items_support import (  # noqa: F401  (autouse fixtures)
    NOW,
    TODAY,
    in_request,
    make_item,
    make_plan,
    make_report,
    periods,
    pinned_today,
)
from tracker.extensions import db
from tracker.items.counts import counts_by_status, focus_state_counts
from tracker.items.operations import retire_item
from tracker.models import WorkItem


def _scene():
    office = make_user("office", make_department("督办室", kind="office"))
    lead, other = make_department("甲局"), make_department("乙局")
    author = make_user("liaison", lead)
    other_author = make_user("liaison", other)
    plan, second = make_plan(), make_plan("第二规划")
    focus, earlier = periods(plan)["2026Q4"], periods(plan)["2026Q3"]
    second_focus = periods(second)["2026Q4"]
    for n, state in enumerate(("draft", "submitted", "returned", "verified")):
        make_report(make_item(plan, lead, code=f"A{n}"), author, focus, state, office=office)
    # An earlier period's report does not count; the item still owes this one.
    make_report(make_item(plan, lead, code="B1"), author, earlier, "verified", office=office)
    make_item(plan, lead, code="B2")  # no report yet
    make_item(plan, None, code="B3")  # no owner: not counted by report state
    done = make_item(plan, other, code="B4")
    make_report(done, other_author, focus, "verified", office=office)
    done.status, done.progress = "completed", 100  # 销号
    make_item(plan, other, code="B6").status = "in_progress"
    retired = make_item(plan, other, code="B5")
    retire_item(office, retired, expected_version=retired.version, reason="重复", now=NOW)
    make_report(make_item(second, other, code="C1"), other_author, second_focus, "submitted")
    # Waiting for the department's approver (#17b): a state of its own in both count forms.
    waiting = make_report(make_item(second, other, code="C3"), other_author, second_focus)
    waiting.state = "pending_approval"
    make_item(second, other, code="C2", due=date(2026, 1, 1))
    db.session.commit()
    return office, lead, other


def test_focus_counts_over_every_item_match_the_per_department_sums(app):
    office, lead, other = _scene()
    everything = focus_state_counts(office, TODAY)
    assert everything == focus_state_counts(None, TODAY)
    per_department = [
        focus_state_counts(None, TODAY, WorkItem.lead_department_id == d.id) for d in (lead, other)
    ]
    assert everything == {k: sum(c[k] for c in per_department) for k in everything}
    assert everything == {
        "missing": 4,
        "draft": 1,
        "pending_approval": 1,
        "submitted": 2,
        "returned": 1,
        "verified": 1,
    }


def test_status_counts_over_every_item_match_a_liaisons(app):
    office, lead, other = _scene()
    everything = counts_by_status(office)
    assert everything["retired"] == 1 and everything["completed"] == 1
    assert everything["in_progress"] >= 1
    assert everything["open"] + everything["completed"] + everything["retired"] == 13
    liaisons = [counts_by_status(make_user("liaison", d)) for d in (lead, other)]
    unowned = counts_by_status(None, WorkItem.lead_department_id.is_(None))
    assert everything == {k: sum(c[k] for c in [*liaisons, unowned]) for k in everything}
