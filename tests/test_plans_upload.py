"""The office's upload → preview → apply flow: new plans, identical and revised texts, bad files."""

import pytest
from sqlalchemy import func, select

from tests.plans_support import (
    SHAOXING,
    SHAOXING_TITLE,
    SMALL_PLAN,
    field_value,
    import_id_from,
    import_via_pages,
    make_docx,
    make_scanned_pdf,
    make_text_pdf,
    read_sample,
    upload,
)
from tracker.extensions import db
from tracker.models import AuditEvent, Indicator, Plan, PlanImport, PlanNode, WorkItem

REVISED = SMALL_PLAN.replace("每年组织一次行动。", "每半年组织一次行动。").replace(
    "3．建设检验检测平台。建成检测中心三个。\n", ""
)


def counts() -> tuple[int, int, int, int]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Plan, PlanNode, Indicator, PlanImport)
    )


@pytest.fixture
def office(client, factories):
    user = factories.user("office")
    factories.login_as(client, user)
    return user


def node_ids() -> dict[str, int]:
    db.session.expire_all()
    return dict(db.session.execute(select(PlanNode.code, PlanNode.id)).all())


# --- a new plan --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["txt", "docx", "pdf"])
def test_office_uploads_previews_and_imports_a_plan(client, office, kind):
    text = read_sample(SHAOXING)
    data = {
        "txt": lambda: text.encode("utf-8"),
        "docx": lambda: make_docx(SMALL_PLAN),
        "pdf": lambda: make_text_pdf(text),
    }[kind]()
    response = upload(client, data, f"plan.{kind}")
    assert response.status_code == 302
    staged_id = import_id_from(response)
    assert counts()[:3] == (0, 0, 0)  # parsed and kept, nothing applied

    preview = client.get(f"/plans/import/{staged_id}")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    expected_title = SHAOXING_TITLE if kind != "docx" else "绍兴市测试工作“十四五”规划"
    assert field_value(preview, "title") == expected_title
    assert field_value(preview, "period") == "2021-2025"
    assert 'class="plan-text' in page and "column-box" in page
    if kind != "docx":
        assert "制造业产品质量合格率" in page  # the indicator table
        assert "共识别出 85 个条目、23 项指标" in page
    assert "作为新规划导入" in page

    applied = client.post(
        f"/plans/import/{staged_id}/apply",
        data={"title": expected_title, "period": "2021-2025", "base": ""},
    )
    assert applied.status_code == 302
    plan = db.session.scalar(select(Plan))
    assert applied.headers["Location"].endswith(f"/plans/{plan.id}")
    assert plan.title == expected_title and plan.imported_by_id == office.id
    staged = db.session.get(PlanImport, staged_id)
    assert staged.applied_at is not None and staged.target_plan_id == plan.id
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["plan_import.staged", "plan.imported", "plan_import.applied"]
    if kind != "docx":
        assert counts()[:3] == (1, 85, 23)
    detail = client.get(f"/plans/{plan.id}")
    assert "规划《" in detail.get_data(as_text=True)  # the flash


def test_title_and_period_given_on_upload_fill_the_preview(client, office):
    response = upload(client, SMALL_PLAN.encode(), title="另一个标题", period="2022-2026")
    preview = client.get(response.headers["Location"])
    assert field_value(preview, "title") == "另一个标题"
    assert field_value(preview, "period") == "2022-2026"


def test_applying_the_same_upload_twice_does_not_duplicate(client, office):
    staged_id = import_id_from(upload(client, SMALL_PLAN.encode()))
    form = {"title": "测试规划", "period": "2021-2025", "base": ""}
    assert client.post(f"/plans/import/{staged_id}/apply", data=form).status_code == 302
    before = counts()
    again = client.post(f"/plans/import/{staged_id}/apply", data=form)
    assert again.status_code == 409
    assert "已经应用过" in again.get_data(as_text=True)
    assert counts() == before
    # The preview of an applied upload sends you to the plan.
    assert client.get(f"/plans/import/{staged_id}").status_code == 302


def test_a_bad_period_on_apply_is_a_form_error(client, office):
    staged_id = import_id_from(upload(client, SMALL_PLAN.encode()))
    response = client.post(
        f"/plans/import/{staged_id}/apply", data={"title": "测试规划", "period": "明年", "base": ""}
    )
    assert response.status_code == 422
    assert "2021-2025" in response.get_data(as_text=True)
    assert counts()[0] == 0
    assert db.session.get(PlanImport, staged_id).applied_at is None


def test_an_upload_can_be_discarded(client, office):
    staged_id = import_id_from(upload(client, SMALL_PLAN.encode()))
    assert "待确认的上传" in client.get("/plans/import").get_data(as_text=True)
    assert client.post(f"/plans/import/{staged_id}/discard").status_code == 302
    assert counts() == (0, 0, 0, 0)
    assert "plan_import.discarded" in db.session.scalars(select(AuditEvent.action)).all()


# --- re-import and revision --------------------------------------------------------------


def test_reuploading_the_same_text_changes_nothing_and_says_so(client, office):
    plan_id = import_via_pages(client, SMALL_PLAN)
    before = counts()
    response = upload(client, SMALL_PLAN.encode())
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/plans/{plan_id}")
    assert "完全相同" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert counts() == before
    # The same plan as a PDF extracts to other bytes (page breaks): a preview with no changes.
    same_in_pdf = upload(client, make_text_pdf(SMALL_PLAN, lines_per_page=5), "plan.pdf")
    page = client.get(same_in_pdf.headers["Location"]).get_data(as_text=True)
    assert "条目、正文和指标均未变化" in page


def test_a_revised_text_shows_its_changes_and_keeps_node_ids(client, office):
    plan_id = import_via_pages(client, SMALL_PLAN)
    ids = node_ids()
    response = upload(client, REVISED.encode(), "revised.txt")
    staged_id = import_id_from(response)
    preview = client.get(response.headers["Location"])
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "data-diff" in page and "data-changed" in page and "data-removed" in page
    assert "二.1.(1)" in page and "二.3" in page
    assert '<ins class="diff-ins bg-success-subtle">半</ins>' in page
    assert "应用修改" in page
    assert counts()[1] == len(ids)  # nothing applied yet

    applied = client.post(
        f"/plans/import/{staged_id}/apply",
        data={
            "title": field_value(preview, "title"),
            "period": field_value(preview, "period"),
            "base": field_value(preview, "base"),
        },
    )
    assert applied.status_code == 302 and applied.headers["Location"].endswith(f"/plans/{plan_id}")
    after = node_ids()
    assert set(after) == set(ids) - {"二.3"}
    assert all(after[code] == ids[code] for code in after)
    node = db.session.get(PlanNode, ids["二.1.(1)"])
    assert "每半年" in node.text
    assert counts()[0] == 1
    revised = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "plan.revised"))
    assert revised.after["nodes_removed"] == ["二.3"]
    assert revised.after["nodes_changed"] == ["二.1.(1)"]
    assert "已更新" in client.get(f"/plans/{plan_id}").get_data(as_text=True)


def test_a_vanished_node_with_work_items_is_kept_and_reported(client, office):
    plan_id = import_via_pages(client, SMALL_PLAN)
    ids = node_ids()
    db.session.add(
        WorkItem(plan_id=plan_id, source_node_id=ids["二.3"], code="二.3", title="检测平台")
    )
    db.session.commit()
    response = upload(client, REVISED.encode(), "revised.txt")
    preview = client.get(response.headers["Location"])
    assert "保留：有 1 项工作事项来自该条目" in preview.get_data(as_text=True)
    applied = client.post(
        f"/plans/import/{import_id_from(response)}/apply",
        data={
            "title": field_value(preview, "title"),
            "period": "2021-2025",
            "base": field_value(preview, "base"),
        },
    )
    assert applied.status_code == 302
    page = client.get(applied.headers["Location"]).get_data(as_text=True)
    assert "予以保留：二.3" in page
    after = node_ids()
    assert after["二.3"] == ids["二.3"]  # kept, the work item still points at it
    item = db.session.scalar(select(WorkItem))
    assert item.source_node_id == ids["二.3"]


def test_a_revision_of_a_plan_changed_meanwhile_is_stale(client, office):
    import_via_pages(client, SMALL_PLAN)
    first = upload(client, REVISED.encode(), "a.txt")
    second = upload(client, SMALL_PLAN.replace("二十家", "三十家").encode(), "b.txt")
    first_preview = client.get(first.headers["Location"])
    second_preview = client.get(second.headers["Location"])
    for response, preview in ((first, first_preview), (second, second_preview)):
        result = client.post(
            f"/plans/import/{import_id_from(response)}/apply",
            data={
                "title": field_value(preview, "title"),
                "period": "2021-2025",
                "base": field_value(preview, "base"),
            },
        )
        last = result
    assert last.status_code == 409
    db.session.expire_all()
    assert db.session.get(PlanImport, import_id_from(second)).applied_at is None
    assert "二十家" in db.session.scalar(select(PlanNode).where(PlanNode.code == "专栏1")).text


def test_an_archived_plan_is_read_only(client, office):
    plan_id = import_via_pages(client, SMALL_PLAN)
    assert client.post(f"/plans/{plan_id}/archive").status_code == 302
    assert db.session.get(Plan, plan_id).status == "archived"
    detail = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "已归档" in detail and "取消归档" in detail
    response = upload(client, REVISED.encode())
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "请先取消归档" in preview and "应用修改" not in preview
    before = node_ids()
    applied = client.post(
        f"/plans/import/{import_id_from(response)}/apply",
        data={"title": "x", "period": "2021-2025", "base": ""},
    )
    assert applied.status_code == 409
    assert node_ids() == before
    assert client.post(f"/plans/{plan_id}/archive").status_code == 409
    assert client.post(f"/plans/{plan_id}/unarchive").status_code == 302
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "plan.archived" in actions and "plan.unarchived" in actions


def test_a_chosen_target_plan_is_revised_even_under_another_title(client, office):
    plan_id = import_via_pages(client, SMALL_PLAN)
    renamed = REVISED.replace("绍兴市测试工作“十四五”规划", "绍兴市测试工作“十四五”规划（修订）")
    response = upload(client, renamed.encode(), target=str(plan_id))
    preview = client.get(response.headers["Location"])
    assert field_value(preview, "title") == "绍兴市测试工作“十四五”规划"
    assert "data-diff" in preview.get_data(as_text=True)
    new_plan = upload(client, renamed.encode(), target="new")
    assert "作为新规划导入" in client.get(new_plan.headers["Location"]).get_data(as_text=True)


# --- bad input ---------------------------------------------------------------------------

NO_HEADINGS = "这是一段没有任何标题的文字。\n只是普通的段落，没有章节。\n".encode()


@pytest.mark.parametrize(
    ("filename", "data", "status", "message"),
    [
        ("empty.txt", b"", 422, "文件为空"),
        ("binary.txt", bytes(range(256)) * 8, 422, "不是文本文件"),
        ("scan.pdf", make_scanned_pdf(), 422, "没有文字层"),
        ("prose.txt", NO_HEADINGS, 422, "没有识别出任何标题"),
        ("plan.doc", SMALL_PLAN.encode(), 400, "另存为 .docx"),
        ("plan.html", b"<html><script>alert(1)</script></html>", 400, "不支持该文件类型"),
        ("broken.docx", b"PK\x03\x04broken", 422, "文件已损坏"),
        ("gbk.txt", b"\x81\x20" * 50, 422, "GB18030"),
        (None, None, 400, "请选择要上传的规划文件"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_written(
    client, office, filename, data, status, message
):
    response = upload(client, data, filename or "")
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert message in page
    assert "data-error" in page
    assert counts() == (0, 0, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_file_over_the_size_limit_is_refused(client, office, app, monkeypatch):
    monkeypatch.setitem(app.config, "PLAN_MAX_BYTES", 1024)
    response = upload(client, (SMALL_PLAN * 10).encode())
    assert response.status_code == 413
    assert "1024" not in response.get_data(as_text=True)  # said in MB, not bytes
    assert "大小限制" in response.get_data(as_text=True)
    assert counts() == (0, 0, 0, 0)


def test_a_bad_period_on_upload_is_refused(client, office):
    response = upload(client, SMALL_PLAN.encode(), period="2021")
    assert response.status_code == 422
    assert counts() == (0, 0, 0, 0)


# --- permissions -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["liaison", "leader"])
def test_liaisons_and_leaders_cannot_import_but_can_read(client, factories, role):
    office = factories.user("office")
    factories.login_as(client, office)
    plan_id = import_via_pages(client, SMALL_PLAN)
    staged_id = import_id_from(upload(client, REVISED.encode()))
    user = factories.user(role)
    factories.login_as(client, user)
    assert client.get("/plans/import").status_code == 403
    assert upload(client, SMALL_PLAN.encode()).status_code == 403
    assert client.get(f"/plans/import/{staged_id}").status_code == 403
    form = {"title": "x", "period": "2021-2025", "base": ""}
    assert client.post(f"/plans/import/{staged_id}/apply", data=form).status_code == 403
    assert client.post(f"/plans/import/{staged_id}/discard").status_code == 403
    assert client.post(f"/plans/{plan_id}/archive").status_code == 403
    assert db.session.get(Plan, plan_id).status == "active"
    index = client.get("/plans/")
    assert index.status_code == 200 and "绍兴市测试工作" in index.get_data(as_text=True)
    detail = client.get(f"/plans/{plan_id}")
    assert detail.status_code == 200
    page = detail.get_data(as_text=True)
    assert "加强质量监管" in page and "归档" not in page and "导入规划" not in page


def test_admin_may_import(client, factories):
    factories.login_as(client, factories.user("admin"))
    assert client.get("/plans/import").status_code == 200


# --- races (PostgreSQL: SQLite serialises writers and hides them) ------------------------


def _apply_at_once(app, staged_ids: list[int]) -> list[str]:
    """Apply each staged import in its own thread and transaction, all at the same moment."""
    import threading
    from datetime import datetime

    from tracker.errors import DomainError
    from tracker.plans.operations import apply_import

    barrier = threading.Barrier(len(staged_ids))
    outcomes: list[str] = []

    def run(staged_id: int) -> None:
        with app.test_request_context():  # a request's context: messages are translated
            staged = db.session.get(PlanImport, staged_id)
            barrier.wait()
            try:
                apply_import(
                    None,
                    staged,
                    title="测试规划",
                    period=(2021, 2025),
                    base_sha256=None,
                    now=datetime(2026, 11, 27, 2, 0),
                )
                db.session.commit()
                outcomes.append("applied")
            except DomainError as error:
                db.session.rollback()
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(staged_id,)) for staged_id in staged_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return sorted(outcomes)


@pytest.mark.postgres_only
def test_two_confirmations_at_once_make_one_plan(app, client, office, is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (set TEST_DATABASE_URL)")
    same = import_id_from(upload(client, SMALL_PLAN.encode()))
    assert _apply_at_once(app, [same, same]) == ["applied", "invalid_transition"]
    assert counts()[0] == 1
    other_a = import_id_from(upload(client, REVISED.encode(), target="new"))
    other_b = import_id_from(upload(client, REVISED.encode(), target="new"))
    assert _apply_at_once(app, [other_a, other_b]) == ["applied", "invalid_transition"]
    assert counts()[0] == 2
