"""The letter pages and where letters show elsewhere: the list (office: all; a department:
its own), the department's home, the item page, the dashboard counts and the 通报."""

from __future__ import annotations

import io

import pytest

from tests.conftest import login_as, make_user
from tests.letters_support import issued, scene
from tracker.extensions import db

pytestmark = pytest.mark.today("2026-11-27")


def other_department_letter(client, s):
    """A yellow letter to the other department, issued by hand."""
    from tests import factories

    item = factories.make_item(factories.make_plan("规划丙"), s.other, code="三.1")
    db.session.commit()
    login_as(client, s.office_user)
    response = client.post(
        "/letters/new",
        data={"level": "yellow", "plan_id": str(item.plan_id), "codes": "三.1", "note": "催报"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_the_list_office_sees_all_a_department_its_own(client, runner):
    s = scene()
    issued(runner, s)
    other_department_letter(client, s)
    login_as(client, s.office_user)
    page = client.get("/letters/").get_data(as_text=True)
    assert "〔2026〕督办第1号" in page and "〔2026〕催办第2号" in page
    filtered = client.get(f"/letters/?department={s.other.id}&state=open").get_data(as_text=True)
    assert "〔2026〕催办第2号" in filtered and "〔2026〕督办第1号" not in filtered
    by_level = client.get("/letters/?level=orange").get_data(as_text=True)
    assert "〔2026〕督办第1号" in by_level and "催办" not in by_level.split("<tbody>")[1]
    login_as(client, s.liaison)
    own = client.get(f"/letters/?department={s.other.id}").get_data(as_text=True)
    assert "〔2026〕催办第2号" not in own  # the filter cannot widen a liaison's view
    own = client.get("/letters/").get_data(as_text=True)
    assert "〔2026〕督办第1号" in own and "〔2026〕催办第2号" not in own
    login_as(client, s.other_liaison)
    assert client.get("/letters/1").status_code == 404


def test_the_department_home_lists_its_open_letters(client, runner):
    s = scene()
    issued(runner, s)
    login_as(client, s.liaison)
    page = client.get("/my").get_data(as_text=True)
    assert 'id="letters"' in page and "〔2026〕督办第1号" in page and "〔2026〕催办第1号" in page
    login_as(client, s.other_liaison)
    assert "〔2026〕督办第1号" not in client.get("/my").get_data(as_text=True)


def test_the_item_page_shows_the_letter_and_its_trail(client, runner):
    s = scene()
    orange, _ = issued(runner, s)
    login_as(client, s.leader)
    page = client.get(f"/items/{s.orange_item.id}").get_data(as_text=True)
    section = page.split('id="letters"')[1].split("</section>")[0]
    assert "〔2026〕督办第1号" in section
    assert f"/letters/{orange.id}" in section


def test_dashboard_counts_by_level_and_department_link_to_the_list(client, runner):
    s = scene()
    issued(runner, s)
    login_as(client, s.leader)
    page = client.get("/dashboard/").get_data(as_text=True)
    section = page.split('id="letters"')[1]
    assert f"/letters/?department={s.dept.id}&amp;level=orange&amp;state=open" in section
    assert "/letters/?level=yellow&amp;state=open" in section


def test_the_bulletin_has_a_letters_section(client, runner):
    s = scene()
    issued(runner, s)
    login_as(client, s.leader)
    page = client.get(f"/bulletins/{s.period_a.id}").get_data(as_text=True)
    assert "发改委" in page.split("/letters")[0] or "发改委" in page
    response = client.get(f"/bulletins/{s.period_a.id}.docx")
    from docx import Document

    document = Document(io.BytesIO(response.data))
    last = document.tables[-1]
    assert [c.text for c in last.rows[1].cells] == ["发改委", "0", "1", "1", "2"]


def test_a_letter_page_runs_the_same_statements_whatever_its_size(app, client):
    """One item or eight, one evidence file or three: the same number of statements."""
    from bench.pages import capture_sql
    from tests import factories
    from tests.conftest import make_department, make_user
    from tracker.letters.operations import issue_letter, reply_to_letter

    office = make_user("office", make_department("督查办", kind="office"))
    dept = make_department("局")
    liaison = make_user("liaison", dept)
    plan = factories.make_plan()
    counts = []
    for size in (1, 8):
        items = [factories.make_item(plan, dept) for _ in range(size)]
        with app.test_request_context():
            letter = issue_letter(office, level="yellow", item_ids=[i.id for i in items], note="x")
            files = [
                (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), f"f{n}.pdf") for n in range(max(1, size // 3))
            ]
            from werkzeug.datastructures import FileStorage

            reply_to_letter(liaison, letter, "已办", [FileStorage(f, name=n) for f, n in files])
            db.session.commit()
        login_as(client, office)
        client.get(f"/letters/{letter.id}")  # warm-up
        with app.app_context():
            engine = db.engine
        with capture_sql(engine) as capture:
            assert client.get(f"/letters/{letter.id}").status_code == 200
        counts.append(capture.count)
    assert counts[0] == counts[1], counts


def test_the_department_approver_is_copied_and_may_read_but_not_reply(client, runner):
    """A letter goes to the department's approver too (部门负责人), who reads it; the reply
    stays with the liaisons. Another department's approver does not see it."""
    from sqlalchemy import select

    from tracker.models import Letter, OutboxMessage

    s = scene()
    approver = make_user("approver", s.dept, email="boss@fgw.example")
    stranger = make_user("approver", s.other, email="boss@zjj.example")
    db.session.commit()
    issued(runner, s)
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "letter")).all()
    assert mails and all("boss@fgw.example" in m.cc_addrs for m in mails)
    assert all("boss@zjj.example" not in m.cc_addrs + m.to_addrs for m in mails)
    letter = db.session.scalars(select(Letter).order_by(Letter.id)).first()
    login_as(client, approver)
    assert client.get(f"/letters/{letter.id}").status_code == 200
    assert letter.number in client.get("/letters/").get_data(as_text=True)
    reply = client.post(f"/letters/{letter.id}/reply", data={"version": "1", "reply": "x"})
    assert reply.status_code == 403
    login_as(client, stranger)
    assert client.get(f"/letters/{letter.id}").status_code == 404
