"""Evidence uploads: checked by extension and content, stored under random names outside the
web root, and only kept when the database transaction that references them commits.

A file is first written to `UPLOAD_FOLDER/.staging/`; the session's `after_commit` moves it
to its final name and the end of any other transaction (rollback, an exception, a request
that never commits) deletes it. So a failure between writing the file and committing the
report leaves neither a row nor a file behind (SECURITY case 19).
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tracker.documents import DOCX_MIMETYPE, XLSX_MIMETYPE
from tracker.documents.archive import ZIP_MAGIC, zip_summary
from tracker.documents.download import send_download
from tracker.errors import NotFound, ValidationFailed
from tracker.extensions import db
from tracker.models import Attachment

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
STAGING = ".staging"
MAX_FILES_PER_UPLOAD = 10
# A docx/xlsx is a zip; refuse one that would inflate beyond this (zip bombs).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000
_STORED_NAME_RE = re.compile(r"^[0-9a-f]{32}$")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Extension → (MIME type, content check). Everything else is refused.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": DOCX_MIMETYPE,
    "xlsx": XLSX_MIMETYPE,
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain; charset=utf-8",
}
ALLOWED_EXTENSIONS = tuple(CONTENT_TYPES)
_MARKUP_START = re.compile(rb"^\s*<(?:!doctype|html|svg|\?xml|script|head|body)", re.IGNORECASE)

_STAGED_KEY = "tracker.evidence.staged"
_DOOMED_KEY = "tracker.evidence.doomed"


class FileTooLarge(ValidationFailed):
    status = 413
    code = "file_too_large"


class UnsupportedFileType(ValidationFailed):
    status = 415
    code = "unsupported_file_type"


@dataclass
class StagedFile:
    """A checked upload waiting for its transaction: the row to create and where it lives."""

    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str
    temp_path: Path
    final_path: Path

    def attachment(self, actor, **owner) -> Attachment:
        """The Attachment row for this file, uploaded by `actor`, belonging to `owner`
        (item_id/report_id/contribution_id/indicator_value_id, and created_at if given)."""
        return Attachment(
            original_name=self.original_name,
            stored_name=self.stored_name,
            content_type=self.content_type,
            size=self.size,
            sha256=self.sha256,
            uploaded_by_id=getattr(actor, "id", None),
            **owner,
        )


# ---------------------------------------------------------------- pure checks


def extension_of(filename: str) -> str:
    name = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def clean_filename(filename: str) -> str:
    """The name to show and offer on download: no folders, no control characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext) if dot else name[:200]
    return name or "file"


def content_matches(extension: str, head: bytes, path: Path | None = None) -> bool:
    """Whether the bytes really are what the extension claims (renamed binaries fail)."""
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension in ("doc", "xls"):
        return head.startswith(OLE_MAGIC)
    if extension in ("docx", "xlsx"):
        return head.startswith(ZIP_MAGIC) and path is not None and _office_zip_ok(path, extension)
    if extension == "txt":
        return _plain_text_ok(head)
    return False


def _office_zip_ok(path: Path, extension: str) -> bool:
    summary = zip_summary(path)
    return (
        summary is not None
        and summary.is_office(extension)
        and summary.count <= MAX_ZIP_MEMBERS
        and summary.inflated <= MAX_UNZIPPED_BYTES
    )


def _plain_text_ok(head: bytes) -> bool:
    if b"\x00" in head or _MARKUP_START.match(head):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            # The head may end inside a multi-byte character: an incremental decoder that
            # is not told the input is final accepts an incomplete tail, nothing else.
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


# ---------------------------------------------------------------- storage


def upload_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]).resolve()
    (folder / STAGING).mkdir(parents=True, exist_ok=True)
    return folder


def max_file_bytes() -> int:
    return int(
        current_app.config.get("EVIDENCE_MAX_FILE_BYTES")
        or current_app.config.get("MAX_CONTENT_LENGTH")
        or 20 * 1024 * 1024
    )


def stored_path(stored_name: str) -> Path:
    """Where a stored file lives; a name that is not ours never leaves the folder."""
    if not _STORED_NAME_RE.match(stored_name or ""):
        raise NotFound()
    return upload_folder() / stored_name


def _limit_text(limit: int) -> str:
    return f"{limit / (1024 * 1024):.0f} MB" if limit >= 1024 * 1024 else f"{limit} B"


def stage_upload(session, upload) -> StagedFile:
    """Check one uploaded file and write it to the staging folder for `session`.

    `upload` is a werkzeug FileStorage (or anything with `.filename` and `.stream`).
    Raises FileTooLarge (413) or UnsupportedFileType (415); nothing is kept then.
    """
    original = clean_filename(upload.filename or "")
    extension = extension_of(original)
    allowed = ", ".join(ALLOWED_EXTENSIONS)
    if extension not in CONTENT_TYPES:
        raise UnsupportedFileType(
            {
                "files": _(
                    "%(name)s: this type of file is not accepted. Allowed: %(allowed)s.",
                    name=original,
                    allowed=allowed,
                )
            }
        )
    limit = max_file_bytes()
    folder = upload_folder()
    session = _real_session(session)
    if not session.in_transaction():
        # The file's fate is tied to a transaction's end, so there must be one.
        session.begin()
    stored_name = secrets.token_hex(16)
    temp_path = folder / STAGING / f"{stored_name}.part"
    digest = hashlib.sha256()
    size = 0
    head = b""
    try:
        with temp_path.open("xb") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FileTooLarge(
                        {
                            "files": _(
                                "%(name)s is larger than %(limit)s.",
                                name=original,
                                limit=_limit_text(limit),
                            )
                        }
                    )
                if len(head) < 4096:
                    head += chunk[: 4096 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise UnsupportedFileType({"files": _("%(name)s is empty.", name=original)})
        if not content_matches(extension, head, temp_path):
            raise UnsupportedFileType(
                {
                    "files": _(
                        "%(name)s does not look like a .%(ext)s file; it was not accepted.",
                        name=original,
                        ext=extension,
                    )
                }
            )
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    staged = StagedFile(
        original_name=original,
        stored_name=stored_name,
        content_type=CONTENT_TYPES[extension],
        size=size,
        sha256=digest.hexdigest(),
        temp_path=temp_path,
        final_path=folder / stored_name,
    )
    session.info.setdefault(_STAGED_KEY, []).append(staged)
    return staged


def stage_uploads(session, uploads) -> list[StagedFile]:
    """Stage several files; all or none (a refused one discards those staged before it)."""
    uploads = [u for u in uploads or [] if u is not None and getattr(u, "filename", "")]
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise ValidationFailed({"files": _("At most %(n)s files at once.", n=MAX_FILES_PER_UPLOAD)})
    staged: list[StagedFile] = []
    try:
        for upload in uploads:
            staged.append(stage_upload(session, upload))
    except BaseException:
        discard_staged(session, staged)
        raise
    return staged


def _real_session(session):
    """db.session is a scoped_session proxy; the events see the Session behind it."""
    return session.registry() if hasattr(session, "registry") else session


def discard_staged(session, staged: list[StagedFile]) -> None:
    pending = _real_session(session).info.get(_STAGED_KEY, [])
    for item in staged:
        item.temp_path.unlink(missing_ok=True)
        if item in pending:
            pending.remove(item)


def delete_after_commit(session, stored_name: str) -> None:
    """Remove a stored file once the transaction deleting its row has committed."""
    _real_session(session).info.setdefault(_DOOMED_KEY, []).append(stored_path(stored_name))


@event.listens_for(Session, "after_commit")
def _keep_staged_files(session):
    for staged in session.info.pop(_STAGED_KEY, []):
        try:
            os.replace(staged.temp_path, staged.final_path)
        except OSError:  # the row exists but the file is gone: the download says so
            logger.exception("could not move evidence %s into place", staged.stored_name)
    for path in session.info.pop(_DOOMED_KEY, []):
        Path(path).unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted_files(session, transaction):
    if transaction.parent is not None:
        return
    for staged in session.info.pop(_STAGED_KEY, []):
        staged.temp_path.unlink(missing_ok=True)
    session.info.pop(_DOOMED_KEY, None)


# ---------------------------------------------------------------- download


def item_attachments(item_id: int) -> list[Attachment]:
    """Every evidence file of a work item (its reports' and contributions'), oldest first."""
    return list(
        db.session.scalars(
            select(Attachment).where(Attachment.item_id == item_id).order_by(Attachment.created_at)
        )
    )


def owned_attachment(attachment_id: int, **owner) -> Attachment:
    """The attachment with this id that belongs to `owner` (item_id=… or report_id=…);
    one of another item or report is simply not there."""
    where = [getattr(Attachment, column) == value for column, value in owner.items()]
    attachment = db.session.scalar(select(Attachment).where(Attachment.id == attachment_id, *where))
    if attachment is None:
        raise NotFound()
    return attachment


def send_evidence(attachment):
    """The file as a download (never inline), with the type we stored and nosniff."""
    path = stored_path(attachment.stored_name)
    if not path.is_file():
        logger.error("evidence file missing for attachment %s", attachment.id)
        raise NotFound()
    # Rows store "text/plain; charset=utf-8"; send_file adds the charset to any text/*
    # type again, so hand it the bare type (the header then names the charset once).
    return send_download(
        path,
        filename=attachment.original_name,
        mimetype=attachment.content_type.split(";", 1)[0].strip(),
        etag=attachment.sha256,
    )
