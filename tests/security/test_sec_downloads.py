"""Downloads (outside probe, issue 24): a .txt evidence file names its charset once, and
every file that carries department data — evidence, exports, bulletins, evaluations — is
`Cache-Control: private, no-store`, never send_file's `no-cache`."""

from __future__ import annotations

import io
import re

from werkzeug.datastructures import FileStorage

from tests.conftest import login_as
from tests.items_support import NOW, pinned_today  # noqa: F401
from tests.security.test_sec_version_order import build_scene
from tracker.extensions import db
from tracker.models import Attachment


def test_txt_evidence_names_its_charset_once(app, client):
    from tracker.items.reports import attach_evidence

    with app.test_request_context():
        scene = build_scene(app)
        draft = db.session.merge(scene.draft)
        attach_evidence(
            db.session.merge(scene.lead),
            draft,
            [FileStorage(io.BytesIO("进展说明：已完成。\n".encode()), "说明.txt")],
            now=NOW,
        )
        db.session.commit()
        txt = db.session.query(Attachment).filter(Attachment.original_name == "说明.txt").one()
        ids = (scene.item.id, txt.id)
    login_as(client, scene.lead)
    response = client.get(f"/items/{ids[0]}/evidence/{ids[1]}")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.get_data(as_text=True) == "进展说明：已完成。\n"


def test_every_download_is_no_store(app, client):
    with app.test_request_context():
        scene = build_scene(app)
    ids = {
        "item_id": scene.item.id,
        "attachment_id": scene.attachment.id,
        "period_id": scene.focus.id,
        "plan_id": scene.plan.id,
    }
    login_as(client, scene.office)
    downloads = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(("static", "vendor.")):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = re.sub(r"<[^>]*\b" + name + r">", str(ids.get(name, 1)), url)
        response = client.get(url)
        if "attachment" in response.headers.get("Content-Disposition", ""):
            downloads.append(rule.endpoint)
            assert response.headers["Cache-Control"] == "private, no-store", rule.endpoint
    # Evidence, the three spreadsheet exports, the bulletin and the evaluations at least.
    assert {
        "items.evidence",
        "spreadsheets.export_progress",
        "spreadsheets.export_decomposition",
        "bulletins.download",
        "indicators.evaluation_excel",
    } <= set(downloads)
