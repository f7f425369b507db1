"""Reading an uploaded plan file (.txt, .pdf with a text layer, .docx) into plain text — pure."""

from __future__ import annotations

import logging
import unicodedata
import zipfile
from io import BytesIO
from pathlib import PurePath

from tracker.documents.archive import zip_summary
from tracker.plans.ocr import ocr_pages
from tracker.plans.pdf_tables import pages_with_tables

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, ".pdf", ".docx")

# A text file in which more than this share of characters are control characters is binary.
_MAX_CONTROL_SHARE = 0.05
# Fewer letters than this in a whole PDF: the pages are images (a scan) with no text layer.
_MIN_PDF_LETTERS = 20
# A .docx is a zip: refuse one that would inflate far beyond the upload limit (a zip bomb).
_MAX_INFLATION = 20
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")

# Leading bytes of formats that are never plan text, whatever the file is called.
_BINARY_SIGNATURES = (
    b"%PDF-",
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",  # OLE2: .doc, .xls
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x7fELF",
    b"\x1f\x8b",
)


class PlanFileError(Exception):
    """A file that cannot be read as plan text; ``code`` is stable, the UI translates it."""

    CODES = (
        "empty",
        "too_large",
        "binary",
        "not_utf8",
        "no_text_layer",
        "encrypted",
        "corrupt",
        "unsupported_type",
        "legacy_doc",
    )

    def __init__(self, code: str, detail: str = ""):
        assert code in self.CODES, code
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def file_suffix(filename: str) -> str:
    return PurePath(filename or "").suffix.lower()


def read_plan_file(filename: str, data: bytes, max_bytes: int) -> str:
    """The text of an uploaded plan file, or PlanFileError saying why there is none."""
    if len(data) > max_bytes:
        raise PlanFileError("too_large", f"{len(data)} > {max_bytes} bytes")
    if not data.strip():
        raise PlanFileError("empty")
    suffix = file_suffix(filename)
    if suffix in TEXT_SUFFIXES:
        text = decode_text(data)
    elif suffix == ".pdf":
        text = read_pdf(data)
    elif suffix == ".docx":
        text = read_docx(data, max_bytes)
    elif suffix == ".doc" or data.startswith(b"\xd0\xcf\x11\xe0"):
        # Word 97–2003 (an OLE2 compound file): no pure reader; Word or WPS converts it.
        raise PlanFileError("legacy_doc", suffix)
    else:
        raise PlanFileError("unsupported_type", suffix or "no extension")
    if not text.strip():
        raise PlanFileError("empty")
    return text


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, else GB18030; binaries refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _check_text(data.decode("utf-16"))
        except UnicodeDecodeError:
            raise PlanFileError("not_utf8", "bad UTF-16") from None
    if data.startswith(_BINARY_SIGNATURES) or b"\x00" in data:
        raise PlanFileError("binary", "NUL bytes or a binary signature")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _check_text(text)
    raise PlanFileError("not_utf8")


def _check_text(text: str) -> str:
    if not text:
        return text
    controls = sum(
        1
        for ch in text
        if ch not in _TEXT_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")
    )
    if controls / len(text) > _MAX_CONTROL_SHARE:
        raise PlanFileError("binary", f"{controls} control characters")
    return text.lstrip("\ufeff")


def read_pdf(data: bytes) -> str:
    """The text layer of every page, pages separated by a form feed (the parser's page break)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.lstrip().startswith(b"%PDF"):
        raise PlanFileError("corrupt", "no PDF header")
    try:
        reader = PdfReader(BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PlanFileError("encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except PlanFileError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        logger.info("unreadable PDF: %s", exc)
        raise PlanFileError("corrupt", type(exc).__name__) from None
    except NotImplementedError:  # e.g. an encryption algorithm pypdf lacks
        raise PlanFileError("encrypted") from None
    for index, page_text in pages_with_tables(data, pages).items():
        pages[index] = page_text
    scanned = [i for i, page in enumerate(pages) if sum(ch.isalpha() for ch in page) < 2]
    for index, page_text in ocr_pages(data, scanned).items():
        pages[index] = page_text
    text = "\n\f".join(pages)
    letters = sum(1 for ch in text if ch.isalpha())
    if letters < _MIN_PDF_LETTERS:
        raise PlanFileError("no_text_layer", f"{letters} letters on {len(pages)} pages")
    return text


def read_docx(data: bytes, max_bytes: int) -> str:
    """Paragraphs and table cells in document order, one paragraph or cell per line."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    summary = zip_summary(data)
    if summary is None:
        raise PlanFileError("corrupt", "not a zip archive")
    if summary.inflated > max_bytes * _MAX_INFLATION:
        raise PlanFileError("too_large", f"inflates to {summary.inflated} bytes")
    try:
        document = docx.Document(BytesIO(data))
        lines = list(_docx_lines(document))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        logger.info("unreadable DOCX: %s", exc)
        raise PlanFileError("corrupt", type(exc).__name__) from None
    return "\n".join(lines)


def _docx_lines(document):
    """Body paragraphs and tables as they come; a merged cell is read once per row."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            yield from _table_lines(block)


def _table_lines(table):
    """One row per line, cells separated by tabs (the grid the indicator reader takes); a
    horizontally merged cell is read once, a vertically merged one on every row it spans."""
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            yield "\t".join(cells)
