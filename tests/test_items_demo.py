"""`flask demo`'s work items: every item owned, the plan's story told relative to `now`."""

from collections import Counter
from datetime import date, datetime

import pytest
from werkzeug.security import generate_password_hash

from tests.conftest import login_as
from tests.items_support import TODAY, pinned_today  # noqa: F401
from tracker.demo.items import owners_for
from tracker.extensions import db
from tracker.models import ExtensionRequest, Report, User, WorkItem

NOW = datetime(2026, 11, 27, 2, 0)
pytestmark = pytest.mark.today(NOW.date().isoformat())


@pytest.fixture
def demo(app, monkeypatch):
    import tracker.admin.operations as admin_operations
    from tracker.demo import load_demo

    # The demo creates ~45 accounts; a fast hash keeps this test quick.
    monkeypatch.setattr(
        admin_operations, "hash_password", lambda p: generate_password_hash(p, "pbkdf2:sha256:1")
    )
    with app.test_request_context():
        result = load_demo(now=NOW)
        db.session.commit()
    return result


def test_owner_keywords():
    assert owners_for("提升农产品质量水平", "")[0] == "nyncj"
    assert owners_for("擦亮“绍兴建筑”品牌", "")[0] == "jsj"
    assert owners_for("打响“品字标”品牌", "")[0] == "scjgj"
    assert owners_for("提高品牌建设能力", "")[0] == "jxj"
    assert owners_for("推动服务业重大改革", "")[0] == "fgw"
    assert owners_for("打造“无废城市”绍兴样板", "")[0] == "sthjj"
    lead, cos = owners_for("提高食品药品质量安全水平", "加强出口食品监管，完善统计")
    assert lead == "scjgj" and cos[0] == "wjw" and "hg" in cos and lead not in cos
    assert owners_for("一个没有关键词的标题", "")[0] == "scjgj"


def test_demo_story_and_rerun(app, client, demo):
    from tracker.items.pages import department_home_data
    from tracker.review.pages import office_home_data

    assert any("46 created" in m for m in demo.messages)
    items = db.session.query(WorkItem).all()
    assert len(items) == 47  # the 46 of the plan and one newly started (tracker/demo/schedule.py)
    assert all(i.lead_department_id and i.is_demo for i in items)
    statuses = Counter(i.status for i in items)
    assert statuses["completed"] > len(items) / 2  # most items were verified and closed
    assert any(i.is_overdue(TODAY) for i in items)
    extended = [i for i in items if i.original_due_date]
    assert extended and {i.due_date.year for i in extended} <= {2026, 2027}
    assert all(i.original_due_date == date(2025, 12, 31) for i in extended)
    states = Counter(e.state for e in db.session.query(ExtensionRequest))
    assert states["approved"] and states["refused"] and states["pending"] == 1
    focus_states = {
        r.state for r in db.session.query(Report).filter(Report.period.has(label="2026Q4"))
    }
    # pending_approval: 市科技局's report waiting for its approver (tracker/demo/signoff.py)
    assert focus_states == {"draft", "submitted", "returned", "verified", "pending_approval"}
    assert all(r.is_demo for r in db.session.query(Report))
    # The plan's own dates were not moved.
    assert (items[0].plan.start_year, items[0].plan.end_year) == (2021, 2025)

    with app.test_request_context():
        for code in ("fgw", "scjgj", "jxj"):
            user = db.session.query(User).filter_by(username=f"liaison-{code}").one()
            data = department_home_data(user, TODAY)
            for key in ("overdue", "due_soon", "submitted", "returned", "verified"):
                assert data[key], (code, key)
        office = db.session.query(User).filter_by(username="office").one()
        data = office_home_data(office, TODAY)
        assert data["queue"] and data["overdue_by_department"] and data["due_soon"]
        assert data["returned"] and data["verified"] and data["extensions"]

    for username in ("liaison-fgw", "office", "leader"):
        login_as(client, db.session.query(User).filter_by(username=username).one())
        assert client.get("/", follow_redirects=True).status_code == 200
        assert client.get("/items").status_code == 200

    # Running it again changes nothing.
    from tracker.demo import load_demo

    counts = (db.session.query(WorkItem).count(), db.session.query(Report).count())
    with app.test_request_context():
        result = load_demo(now=NOW)
        db.session.commit()
    assert (db.session.query(WorkItem).count(), db.session.query(Report).count()) == counts
    assert any("not replayed" in m for m in result.messages)


def test_demo_links_items_to_the_indicators_they_serve(app, client, demo):
    """By keyword: 标准 items to the standards indicators, 品牌 to the brand ones, 知识产权
    to the patent indicator… so each indicator page's "linked work items" has rows."""
    from tracker.models import AuditEvent, Indicator

    linked = db.session.query(WorkItem).filter(WorkItem.indicator_id.is_not(None)).all()
    assert len(linked) >= 5
    category = {i.id: i.category for i in db.session.query(Indicator)}
    name = {i.id: i.name for i in db.session.query(Indicator)}
    by_title = {i.title: i.indicator_id for i in linked}
    assert category[by_title["提升标准制（修）订水平"]] == "标准建设"
    assert category[by_title["提高品牌建设能力"]] == "品牌建设"
    assert "专利" in name[by_title["打造绍兴知识产权服务万亩千亿“一件事”平台"]]
    assert all(i.indicator.plan_id == i.plan_id for i in linked)
    # Through the real operation: audited like an office edit, by the system.
    assert db.session.query(AuditEvent).filter_by(action="item.updated").count() == len(linked)

    indicator = by_title["提升标准制（修）订水平"]
    login_as(client, db.session.query(User).filter_by(username="office").one())
    page = client.get(f"/indicators/{indicator}").get_data(as_text=True)
    assert "提升标准制（修）订水平" in page and "暂无关联此指标的工作事项" not in page

    # Again: nothing moves, and a link the office changed by hand is left alone.
    from tracker.demo import load_demo

    changed = linked[0]
    changed.indicator_id = None
    kept = linked[1]
    kept.indicator_id = next(i for i in category if i != kept.indicator_id)
    db.session.commit()
    before = {i.id: (i.indicator_id, i.version) for i in db.session.query(WorkItem)}
    with app.test_request_context():
        load_demo(now=NOW)
        db.session.commit()
    db.session.expire_all()
    after = {i.id: (i.indicator_id, i.version) for i in db.session.query(WorkItem)}
    assert after[kept.id] == before[kept.id]
    relinked = {k for k in after if after[k] != before[k]}
    assert relinked == {changed.id}  # an unlinked item is linked again, nothing else moves
