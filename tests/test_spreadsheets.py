"""Excel out (what each user may see) and Excel in (preview, then all or nothing)."""

import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from tests.conftest import login_as
from tests.dashboard_support import make_item, make_period, make_plan, make_report
from tests.indicators_support import add_value
from tests.spreadsheet_support import xlsx, zip_bomb
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    DepartmentAlias,
    Indicator,
    SpreadsheetImport,
    WorkItem,
)


@pytest.fixture
def world(factories):
    fgw = factories.department("市发改委")
    db.session.add(DepartmentAlias(department=fgw, alias="市发展改革委"))
    jxj = factories.department("市经信局")
    kjj = factories.department("市科技局")
    office = factories.department("市质量强市办", kind="office")
    plan, nodes = make_plan()
    s1 = nodes["三.(一)"]
    own = make_item(
        plan,
        "三.1.(1)",
        fgw,
        co=[jxj],
        due=date(2025, 12, 31),
        section=s1,
        source=nodes["三.1"],
        title="加强计量基础",
        description='=HYPERLINK("x")',
    )
    other = make_item(
        plan,
        "三.2.(1)",
        kjj,
        due=date(2024, 6, 30),
        section=nodes["三.(二)"],
        source=nodes["三.2"],
        title="科技任务",
    )
    return dict(
        plan=plan,
        nodes=nodes,
        fgw=fgw,
        jxj=jxj,
        kjj=kjj,
        office=office,
        own=own,
        other=other,
        office_user=factories.user("office", office),
    )


def _sheet(response):
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"].startswith("attachment")
    return openpyxl.load_workbook(io.BytesIO(response.data)).active


def _codes(ws):
    return {row[0] for row in ws.iter_rows(min_row=4, values_only=True) if row[1]}


# --- Excel out ---------------------------------------------------------------------------


def test_office_exports_every_item_grouped_by_section(client, world):
    login_as(client, world["office_user"])
    ws = _sheet(client.get(f"/spreadsheets/export/decomposition.xlsx?plan={world['plan'].id}"))
    assert [c.value for c in ws[3]][:8] == [
        "序号",
        "章节",
        "重点任务",
        "具体内容",
        "牵头单位",
        "配合单位",
        "完成时限",
        "进展情况",
    ]
    assert ws["A4"].value == "（一）夯实质量基础"
    assert ws["A5"].value == "三.1.(1)" and ws["F5"].value == "市经信局"
    assert ws["D5"].value.startswith("'=") and ws["D5"].data_type == "s"  # SECURITY case 34
    assert ws["G5"].is_date
    assert _codes(ws) == {"三.1.(1)", "三.2.(1)"}


def test_sec_14_liaison_export_contains_only_what_they_may_see(client, factories, world):
    login_as(client, factories.user("liaison", world["jxj"]))  # co-owner of one item
    ws = _sheet(client.get(f"/spreadsheets/export/decomposition.xlsx?plan={world['plan'].id}"))
    assert _codes(ws) == {"三.1.(1)"}
    login_as(client, factories.user("liaison", world["kjj"]))
    ws = _sheet(client.get(f"/spreadsheets/export/decomposition.xlsx?plan={world['plan'].id}"))
    assert _codes(ws) == {"三.2.(1)"}


def test_progress_table_shows_the_latest_verified_report_up_to_the_period(client, factories, world):
    plan = world["plan"]
    q2 = make_period(plan, "2026Q2", date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 8))
    q3 = make_period(plan, "2026Q3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 13))
    q4 = make_period(plan, "2026Q4", date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 8))
    make_report(
        world["own"],
        q2,
        "verified",
        narrative="第二季度",
        progress=30,
        reviewed_at=datetime(2026, 7, 9, 2),
    )
    make_report(world["own"], q3, "submitted", narrative="第三季度未审", progress=50)
    make_report(world["own"], q4, "verified", narrative="第四季度", progress=80)
    login_as(client, world["office_user"])
    ws = _sheet(client.get(f"/spreadsheets/export/progress.xlsx?plan={plan.id}&period={q3.id}"))
    rows = {row[0]: row for row in ws.iter_rows(min_row=3, values_only=True)}
    own = rows["三.1.(1)"]
    assert own[5] == "2026Q2" and own[6] == "第二季度" and own[10] == 0.3
    assert rows["三.2.(1)"][6] is None
    assert ws.freeze_panes == "A4"  # title, date line, header
    other_plan, _nodes = make_plan("另一规划")
    other_period = make_period(
        other_plan, "2026Q3", date(2026, 7, 1), date(2026, 9, 30), date(2026, 10, 13)
    )
    db.session.commit()
    assert (
        client.get(
            f"/spreadsheets/export/progress.xlsx?plan={plan.id}&period={other_period.id}"
        ).status_code
        == 404
    )


def test_indicator_export_has_yearly_values_and_status(client, factories, world):
    plan = world["plan"]
    ind = Indicator(
        plan=plan,
        number=1,
        category="质量建设",
        name="制造业产品质量合格率",
        unit="%",
        baseline=96.56,
        baseline_text="96.56",
        target=96.0,
        target_text="96",
        attribute="约束性",
        kind="floor",
        department_id=world["fgw"].id,
    )
    other = Indicator(
        plan=plan,
        number=2,
        category="质量建设",
        name="其他指标",
        unit="个",
        baseline=1,
        baseline_text="1",
        target=5,
        target_text="5",
        attribute="预期性",
        kind="target",
        department_id=world["kjj"].id,
    )
    db.session.add_all([ind, other])
    db.session.flush()
    add_value(ind, 2022, 95.0)
    login_as(client, world["office_user"])
    ws = _sheet(client.get(f"/spreadsheets/export/indicators.xlsx?plan={plan.id}"))
    header = [c.value for c in ws[3]]
    assert header[:7] == ["序号", "类别", "指标", "单位", "2020年基期值", "2025年目标值", "属性"]
    year_column = header.index("2022年") + 1
    assert ws.cell(row=4, column=year_column).value == 95.0
    assert ws.cell(row=4, column=len(header)).value == "预警"
    login_as(client, factories.user("liaison", world["kjj"]))
    ws = _sheet(client.get(f"/spreadsheets/export/indicators.xlsx?plan={plan.id}"))
    assert [row[2] for row in ws.iter_rows(min_row=4, values_only=True)] == ["其他指标"]


def test_unknown_plan_is_404(client, world):
    login_as(client, world["office_user"])
    assert client.get("/spreadsheets/export/decomposition.xlsx?plan=999").status_code == 404


# --- Excel in ----------------------------------------------------------------------------


def _upload(client, world, data, name="任务分解表.xlsx"):
    return client.post(
        "/spreadsheets/import",
        data={"plan_id": world["plan"].id, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _rows(*rows):
    return xlsx(list(rows), title_row="任务分解表")


def _item_count():
    return db.session.scalar(select(func.count(WorkItem.id)))


def test_upload_previews_and_writes_nothing_until_confirmed(client, world):
    login_as(client, world["office_user"])
    data = _rows(
        [
            "三.1.(1)",
            "（一）夯实质量基础",
            "加强计量基础（修订）",
            None,
            "市发展改革委",
            "市经信局、市科技局",
            "2026年6月底前",
            None,
        ],
        ["三.2.(1)", None, "科技任务", None, "市科技局", None, date(2024, 6, 30), None],
        [
            "新1",
            "（二）提升产品质量",
            "新任务",
            "内容",
            None,
            "市科技局（牵头）\n市发改委",
            "2026年底前",
            None,
        ],
    )
    response = _upload(client, world, data)
    assert response.status_code == 302
    upload = db.session.scalar(select(SpreadsheetImport))
    counts = upload.preview_json["counts"]
    assert counts == {"create": 1, "update": 1, "unchanged": 1, "error": 0}
    assert _item_count() == 2  # nothing written yet
    page = client.get(response.location).get_data(as_text=True)
    assert "加强计量基础（修订）" in page and "新任务" in page
    assert "市科技局" in page

    applied = client.post(f"/spreadsheets/import/{upload.id}/apply")
    assert applied.status_code == 302
    db.session.expire_all()
    assert _item_count() == 3
    own = db.session.get(WorkItem, world["own"].id)
    assert own.title == "加强计量基础（修订）" and own.due_date == date(2026, 6, 30)
    assert {d.id for d in own.co_departments} == {world["jxj"].id, world["kjj"].id}
    new = db.session.scalar(select(WorkItem).where(WorkItem.code == "新1"))
    assert new.lead_department_id == world["kjj"].id
    assert [d.id for d in new.co_departments] == [world["fgw"].id]
    assert new.section_node_id == world["nodes"]["三.(二)"].id
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {
        "spreadsheet.previewed",
        "spreadsheet.applied",
        "item.created",
        "item.updated",
        "item.assigned",
    } <= actions
    # Applying the same preview twice does nothing the second time.
    again = client.post(f"/spreadsheets/import/{upload.id}/apply")
    assert again.status_code == 302
    db.session.expire_all()
    assert _item_count() == 3


def test_sec_34_rows_that_cannot_be_read_are_listed_and_block_everything(client, world):
    login_as(client, world["office_user"])
    data = _rows(
        ["新1", None, "好任务", None, "市发改委", None, "2026年底前", None],
        ["新2", None, "坏单位", None, "市不存在局", None, "2026年底前", None],
        ["新3", None, "坏日期", None, "市发改委", None, "尽快", None],
        ["新4", None, None, None, "市发改委", None, "2026年底前", None],
    )
    response = _upload(client, world, data)
    upload = db.session.scalar(select(SpreadsheetImport))
    assert upload.preview_json["counts"]["error"] == 3
    page = client.get(response.location).get_data(as_text=True)
    assert "牵头单位 (E)" in page and "市不存在局" in page
    assert "完成时限 (G)" in page and "尽快" in page
    assert "重点任务 (C)" in page
    assert "apply" not in page.split('<ul class="nav nav-tabs')[0]  # no confirm button
    assert client.post(f"/spreadsheets/import/{upload.id}/apply").status_code == 302
    db.session.expire_all()
    assert _item_count() == 2
    assert db.session.get(SpreadsheetImport, upload.id).applied_at is None


def test_all_or_nothing_when_an_item_changed_since_the_preview(client, world):
    login_as(client, world["office_user"])
    data = _rows(
        ["新1", None, "新任务", None, "市发改委", None, "2026年底前", None],
        ["三.1.(1)", None, "改名", None, "市发改委", "市经信局", "2025年12月31日", None],
    )
    _upload(client, world, data)
    upload = db.session.scalar(select(SpreadsheetImport))
    # Someone edits the item between preview and confirmation.
    own = db.session.get(WorkItem, world["own"].id)
    own.version += 1
    db.session.commit()
    response = client.post(f"/spreadsheets/import/{upload.id}/apply")
    assert response.status_code == 302 and response.location.endswith(f"/import/{upload.id}")
    db.session.expire_all()
    assert _item_count() == 2  # the new row was not created either
    assert db.session.get(WorkItem, world["own"].id).title == "加强计量基础"
    assert db.session.get(SpreadsheetImport, upload.id).applied_at is None


def test_a_section_dropped_since_the_preview_is_refused_not_a_500(client, world):
    """The preview resolved the 章节 to a node; a plan revision deleted it before the office
    confirmed. The update used to hit the foreign key (a 500); now nothing is written and the
    office reads why."""
    from tracker.models import PlanNode

    login_as(client, world["office_user"])
    data = _rows(
        ["三.1.(1)", "专栏1", "加强计量基础", None, "市发改委", "市经信局", "2025年12月31日", None]
    )
    _upload(client, world, data)
    upload = db.session.scalar(select(SpreadsheetImport))
    assert upload.preview_json["counts"]["update"] == 1
    own = db.session.get(WorkItem, world["own"].id)
    section, version = own.section_node_id, own.version
    db.session.execute(db.delete(PlanNode).where(PlanNode.id == world["nodes"]["专栏1"].id))
    db.session.commit()
    response = client.post(f"/spreadsheets/import/{upload.id}/apply", follow_redirects=True)
    assert response.status_code == 200
    assert "请选择同一规划中的章节" in response.get_data(as_text=True)
    db.session.expire_all()
    own = db.session.get(WorkItem, world["own"].id)
    assert (own.section_node_id, own.version) == (section, version)
    assert db.session.get(SpreadsheetImport, upload.id).applied_at is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (lambda: b"not a spreadsheet at all", "不是 Excel"),
        (lambda: b"<html><script>alert(1)</script></html>", "不是 Excel"),
        (lambda: xlsx([["张三", "13800000000"]], headers=["姓名", "电话"]), "表头"),
        (lambda: zip_bomb(60), "远超"),
    ],
    ids=["text", "html", "wrong-columns", "zip-bomb"],
)
def test_sec_34_hostile_or_wrong_files_are_refused_with_a_message(client, world, data, message):
    login_as(client, world["office_user"])
    response = _upload(client, world, data())
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SpreadsheetImport.id))) == 0
    assert _item_count() == 2


def test_sec_34_too_many_rows_are_refused(app, client, world, monkeypatch):
    login_as(client, world["office_user"])
    rows = [[f"新{n}", None, "任务", None, "市发改委", None, "2026年底前", None] for n in range(30)]
    monkeypatch.setitem(app.config, "SPREADSHEET_MAX_ROWS", 20)
    response = _upload(client, world, _rows(*rows))
    assert response.status_code == 422
    assert "20" in response.get_data(as_text=True)
    assert _item_count() == 2


def test_import_is_for_the_office_only(client, factories, world):
    login_as(client, factories.user("liaison", world["fgw"]))
    data = _rows(["新1", None, "新任务", None, "市发改委", None, "2026年底前", None])
    assert _upload(client, world, data).status_code == 403
    login_as(client, world["office_user"])
    _upload(client, world, data)
    upload = db.session.scalar(select(SpreadsheetImport))
    for role in ("liaison", "leader"):
        login_as(client, factories.user(role, world["fgw"]))
        assert client.get(f"/spreadsheets/import/{upload.id}").status_code == 403
        assert client.post(f"/spreadsheets/import/{upload.id}/apply").status_code == 403
    db.session.expire_all()
    assert _item_count() == 2


def test_expired_preview_cannot_be_applied(client, world):
    login_as(client, world["office_user"])
    row = ["新1", None, "新任务", None, "市发改委", None, "2026年底前", None]
    _upload(client, world, _rows(row))
    upload = db.session.scalar(select(SpreadsheetImport))
    upload.created_at -= timedelta(days=2)
    db.session.commit()
    client.post(f"/spreadsheets/import/{upload.id}/apply")
    db.session.expire_all()
    assert _item_count() == 2


def test_index_page_for_each_role(client, factories, world):
    login_as(client, world["office_user"])
    html = client.get("/spreadsheets/").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    login_as(client, factories.user("liaison", world["fgw"]))
    html = client.get("/spreadsheets/").get_data(as_text=True)
    assert "decomposition.xlsx" in html and 'enctype="multipart/form-data"' not in html


@pytest.mark.postgres_only
def test_two_confirmations_at_once_apply_once(app, is_postgres, world, factories):
    """Two office users confirm the same preview at the same moment: one applies it."""
    if not is_postgres:
        pytest.skip("races need PostgreSQL (SQLite serialises writers)")
    import threading

    from tracker.errors import DomainError
    from tracker.models import User
    from tracker.spreadsheets.operations import apply_import, preview_upload

    rows = [[f"新{n}", None, "任务", None, "市发改委", None, "2026年底前", None] for n in range(5)]
    with app.test_request_context():
        upload = preview_upload(
            world["office_user"], world["plan"], _rows(*rows), "t.xlsx", today=date(2026, 11, 27)
        )
        second_user = factories.user("office", world["office"])
        db.session.commit()
        ids = (upload.id, world["office_user"].id, second_user.id)
    db.session.remove()
    barrier = threading.Barrier(2, timeout=20)
    outcomes = {}

    def run(user_id):
        with app.test_request_context():
            try:
                actor = db.session.get(User, user_id)
                upload_row = db.session.get(SpreadsheetImport, ids[0])
                barrier.wait()
                apply_import(actor, upload_row)
                db.session.commit()
                outcomes[user_id] = "won"
            except DomainError as error:
                db.session.rollback()
                outcomes[user_id] = error.code
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(uid,)) for uid in ids[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == ["invalid_transition", "won"]
    assert _item_count() == 2 + 5
    applied = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "spreadsheet.applied")
    ).all()
    assert len(applied) == 1
