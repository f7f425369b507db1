"""What each refused plan file is called in the interface, and the HTTP status it gets."""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l

logger = logging.getLogger(__name__)

# Stable codes (PlanFileError.code, plus "no_headings" and "no_file") → one clear sentence.
FILE_ERROR_MESSAGES = {
    "no_file": _l("Choose a plan file to upload."),
    "empty": _l("The file is empty: there is no text in it."),
    "too_large": _l("The file is larger than the limit of %(limit)s MB."),
    "binary": _l(
        "The file is not a text file (it looks like a binary file). "
        "Upload the plan as .txt, .docx or a PDF with a text layer."
    ),
    "not_utf8": _l("The text file is neither UTF-8 nor GB18030 encoded; save it as UTF-8."),
    "no_text_layer": _l(
        "The PDF has no text layer (it is probably a scan). Upload the Word file or a PDF "
        "exported from it, or run text recognition (OCR) first."
    ),
    "encrypted": _l("The PDF is password-protected; upload an unprotected copy."),
    "corrupt": _l("The file is damaged or not really a %(type)s file."),
    "unsupported_type": _l(
        "This kind of file is not supported: upload the plan as .txt, .pdf or .docx."
    ),
    "legacy_doc": _l(
        "This is an old Word (.doc) file, which cannot be read directly: open it in Word or "
        "WPS, save it as .docx, and upload that."
    ),
    "no_headings": _l(
        "No headings were recognised in the text (一、 （一） 1． （1） 专栏), so it does not "
        "look like a plan. Nothing was imported."
    ),
}

FILE_ERROR_STATUS = {
    "no_file": 400,
    "unsupported_type": 400,
    "legacy_doc": 400,
    "too_large": 413,
}


def file_error_message(code: str, *, limit_bytes: int = 0, suffix: str = "") -> str:
    """The translated sentence for a refused file (needs a request or a forced locale)."""
    template = FILE_ERROR_MESSAGES.get(code, FILE_ERROR_MESSAGES["corrupt"])
    params = {
        "limit": f"{limit_bytes / (1024 * 1024):g}",
        "type": (suffix or ".?").lstrip(".").upper(),
    }
    return str(template) % params if "%(" in str(template) else str(template)


def file_error_status(code: str) -> int:
    return FILE_ERROR_STATUS.get(code, 422)
