"""The one response for a file download: evidence, exports, bulletins, evaluations.

Every file the tracker hands out carries some department's data, so every download is an
attachment (never rendered inline), keeps its declared type (nosniff), runs nothing if a
browser opens it anyway (a sandbox CSP), and is ``Cache-Control: private, no-store`` — not
send_file's ``no-cache``, which lets a shared cache or the browser keep a copy.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote

from flask import Response, send_file

DOWNLOAD_CSP = "default-src 'none'; sandbox"
_NOT_IN_QUOTED_NAME = re.compile(r'[^\x20-\x7e]|["\\]')


def send_download(
    body: bytes | Path,
    *,
    filename: str,
    mimetype: str,
    ascii_name: str | None = None,
    etag: str | None = None,
) -> Response:
    """``body`` (bytes built in memory, or a stored file's path) as an attachment.

    ``filename`` may be Chinese; it goes out as RFC 6266 ``filename*``. ``ascii_name`` is the
    plain ``filename=`` for old clients (by default an ASCII rendering of ``filename``).
    """
    source = body if isinstance(body, Path) else io.BytesIO(body)
    response = send_file(
        source,
        mimetype=mimetype,
        as_attachment=True,
        download_name=filename,
        max_age=0,
        etag=etag if etag is not None else False,
    )
    if ascii_name:
        fallback = _NOT_IN_QUOTED_NAME.sub("", ascii_name)
        response.headers["Content-Disposition"] = (
            f"attachment; filename=\"{fallback}\"; filename*=UTF-8''"
            + quote(filename, safe="!#$&+-.^_`|~")
        )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Cache-Control"] = "private, no-store"
    return response
