"""Evidence uploads and downloads (SECURITY cases 19, 28, 29, 30)."""

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook

from tests.conftest import login_as
from tests.items_support import (
    NOW,
    PDF_BYTES,
    PNG_BYTES,
    Scene,
    make_report,
    pinned_today,  # noqa: F401
)
from tracker.evidence import OLE_MAGIC, content_matches, extension_of
from tracker.extensions import db
from tracker.models import Attachment, AuditEvent, Notice, Report


def _docx() -> bytes:
    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _zip(names) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "x")
    return buffer.getvalue()


GOOD_FILES = {
    "进展.pdf": PDF_BYTES,
    "现场.png": PNG_BYTES,
    "照片.JPG": b"\xff\xd8\xff\xe0" + b"\x00" * 16,
    "方案.docx": _docx(),
    "台账.xlsx": _xlsx(),
    "旧版.doc": OLE_MAGIC + b"\x00" * 64,
    "旧表.xls": OLE_MAGIC + b"\x00" * 64,
    "说明.txt": "已完成。".encode(),
    "说明-gbk.txt": "已完成全部工作。".encode("gb18030"),
}
BAD_FILES = {
    "page.html": b"<html><script>alert(1)</script></html>",
    "logo.svg": b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
    "setup.exe": b"MZ\x90\x00" + b"\x00" * 60,
    "renamed.pdf": b"MZ\x90\x00" + b"\x00" * 60,
    "renamed.png": PDF_BYTES,
    "fake.docx": _zip(["hello.txt"]),
    "sheet-as-doc.docx": _xlsx(),
    "binary.txt": b"abc\x00def",
    "markup.txt": b"<!DOCTYPE html><html></html>",
    "noextension": PDF_BYTES,
    "empty.pdf": b"",
}


@pytest.fixture
def scene(app):
    with app.test_request_context():
        scene = Scene()
        db.session.commit()
    return scene


@pytest.fixture
def uploads(app):
    folder = Path(app.config["UPLOAD_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True)

    def files():
        return {p.relative_to(folder) for p in folder.rglob("*") if p.is_file()}

    return files


def _post_report(client, scene, files, action="save", narrative="本季度完成了标准制定。"):
    data = {
        "period_id": str(scene.focus.id),
        "narrative": narrative,
        "progress": "40",
        "action": action,
        "files": files,
    }
    return client.post(
        f"/items/{scene.item.id}/report", data=data, content_type="multipart/form-data"
    )


def test_content_sniffing_table():
    for name, data in GOOD_FILES.items():
        path = None
        if name.endswith(("docx", "xlsx")):
            path = Path("/tmp") / f"sniff-{name}"
            path.write_bytes(data)
        assert content_matches(extension_of(name), data[:4096], path), name
    for name, data in BAD_FILES.items():
        path = Path("/tmp") / f"sniff-{name}"
        path.write_bytes(data)
        assert not content_matches(extension_of(name), data[:4096], path) or not data, name


def test_every_allowed_type_is_stored_under_a_random_name(client, scene, uploads):
    before = uploads()
    login_as(client, scene.lead)
    files = [(io.BytesIO(data), name) for name, data in GOOD_FILES.items()]
    response = _post_report(client, scene, files)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    rows = db.session.query(Attachment).all()
    assert sorted(r.original_name for r in rows) == sorted(GOOD_FILES)
    new_files = uploads() - before
    assert {str(p) for p in new_files} == {r.stored_name for r in rows}
    assert all(len(r.stored_name) == 32 and r.stored_name.isalnum() for r in rows)
    assert db.session.query(AuditEvent).filter_by(action="evidence.added").count() == len(rows)


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_refused_types_store_nothing(client, scene, uploads, name):
    before = uploads()
    login_as(client, scene.lead)
    response = _post_report(client, scene, [(io.BytesIO(BAD_FILES[name]), name)])
    assert response.status_code == 415
    html = response.get_data(as_text=True)
    assert "不接受" in html or "不像" in html or "为空" in html
    assert db.session.query(Report).count() == 0  # the report text was not saved either
    assert db.session.query(Attachment).count() == 0
    assert uploads() == before


def test_one_bad_file_refuses_the_whole_upload(client, scene, uploads):
    before = uploads()
    login_as(client, scene.lead)
    files = [(io.BytesIO(PDF_BYTES), "good.pdf"), (io.BytesIO(b"MZ"), "bad.exe")]
    assert _post_report(client, scene, files).status_code == 415
    assert uploads() == before and db.session.query(Attachment).count() == 0


def test_per_file_limit_is_413(client, scene, uploads, app, monkeypatch):
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_FILE_BYTES", 1024)
    before = uploads()
    login_as(client, scene.lead)
    big = PDF_BYTES + b"0" * 2048
    response = _post_report(client, scene, [(io.BytesIO(big), "big.pdf")])
    assert response.status_code == 413
    assert "big.pdf" in response.get_data(as_text=True)
    assert uploads() == before and db.session.query(Report).count() == 0


def test_request_limit_is_413(client, scene, uploads, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    before = uploads()
    login_as(client, scene.lead)
    response = _post_report(client, scene, [(io.BytesIO(b"%PDF-" + b"0" * 8000), "big.pdf")])
    assert response.status_code == 413
    assert uploads() == before and db.session.query(Report).count() == 0


def test_path_in_the_name_never_leaves_the_folder(client, scene, uploads, app):
    login_as(client, scene.lead)
    before = uploads()
    response = _post_report(client, scene, [(io.BytesIO(PDF_BYTES), "../../app.py.pdf")])
    assert response.status_code == 302
    row = db.session.query(Attachment).one()
    assert row.original_name == "app.py.pdf"
    assert [str(p) for p in uploads() - before] == [row.stored_name]
    assert not (Path(app.config["UPLOAD_FOLDER"]).parent / "app.py.pdf").exists()


def test_download_is_an_attachment_with_the_item_permission(client, scene):
    login_as(client, scene.lead)
    _post_report(client, scene, [(io.BytesIO(PDF_BYTES), "进展 报告.pdf")])
    row = db.session.query(Attachment).one()
    url = f"/items/{scene.item.id}/evidence/{row.id}"
    for user in (scene.lead, scene.co, scene.office, scene.leader):
        login_as(client, user)
        response = client.get(url)
        assert response.status_code == 200
        assert response.data == PDF_BYTES
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.mimetype == "application/pdf"
    login_as(client, scene.other)
    assert client.get(url).status_code == 404
    # An attachment id under another item's URL is not found either.
    login_as(client, scene.office)
    assert client.get(f"/items/{scene.item.id + 1000}/evidence/{row.id}").status_code == 404


def test_failure_after_the_file_is_written_leaves_nothing(client, scene, uploads, monkeypatch):
    """SECURITY case 19: the upload is staged, then the notice fails before commit."""
    import tracker.transitions as kernel  # the review kernel queues the submission's notice

    def explode(*args, **kwargs):
        raise RuntimeError("mail queue down")

    monkeypatch.setattr(kernel, "queue_notice", explode)
    before, notices = uploads(), db.session.query(Notice).count()
    login_as(client, scene.lead)
    response = _post_report(client, scene, [(io.BytesIO(PDF_BYTES), "证明.pdf")], action="submit")
    assert response.status_code == 500
    db.session.expire_all()
    assert db.session.query(Report).count() == 0
    assert db.session.query(Attachment).count() == 0
    assert db.session.query(Notice).count() == notices
    assert uploads() == before  # neither the staged nor a final file


def test_files_staged_by_a_rolled_back_service_call_are_removed(app, scene, uploads):
    from werkzeug.datastructures import FileStorage

    from tracker.items.reports import attach_evidence, create_report

    before = uploads()
    with app.test_request_context():
        report = create_report(scene.lead, db.session.merge(scene.item), scene.focus, now=NOW)
        attach_evidence(scene.lead, report, [FileStorage(io.BytesIO(PDF_BYTES), "a.pdf")])
        assert len(uploads() - before) == 1  # staged
        db.session.rollback()
    assert uploads() == before


def test_evidence_seen_by_the_office_cannot_be_removed(client, scene):
    login_as(client, scene.lead)
    _post_report(client, scene, [(io.BytesIO(PDF_BYTES), "a.pdf")], action="submit")
    report = db.session.query(Report).one()
    with client.application.test_request_context():
        from tracker.review.operations import return_report

        report = db.session.merge(report)
        return_report(scene.office, report, expected_version=report.version, reason="补材料")
        db.session.commit()
    attachment = db.session.query(Attachment).one()
    response = client.post(f"/reports/{report.id}/evidence/{attachment.id}/delete")
    assert response.status_code == 409
    assert db.session.query(Attachment).count() == 1


def test_a_draft_file_can_be_removed(client, scene, uploads):
    login_as(client, scene.lead)
    before = uploads()
    _post_report(client, scene, [(io.BytesIO(PDF_BYTES), "a.pdf")])
    report = db.session.query(Report).one()
    attachment = db.session.query(Attachment).one()
    response = client.post(f"/reports/{report.id}/evidence/{attachment.id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.query(Attachment).count() == 0
    assert uploads() == before


def test_contribution_with_evidence_from_a_co_department(client, scene):
    login_as(client, scene.co)
    response = client.post(
        f"/items/{scene.item.id}/contributions",
        data={"body": "配合局提供了检测数据", "files": [(io.BytesIO(PNG_BYTES), "数据.png")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    row = db.session.query(Attachment).one()
    assert row.contribution_id is not None and row.item_id == scene.item.id
    login_as(client, scene.lead)
    page = client.get(f"/items/{scene.item.id}").get_data(as_text=True)
    assert "配合局提供了检测数据" in page and "数据.png" in page


def test_make_report_helper_is_usable_here(app, scene):
    with app.test_request_context():
        item = db.session.merge(scene.item)
        report = make_report(item, scene.lead, scene.focus, "submitted", now=NOW)
        assert report.state == "submitted"
