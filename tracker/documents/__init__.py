"""The office-document kit: every .xlsx and .docx the tracker hands out is built here.

- ``tracker.documents.xlsx`` — workbooks in the house style: a merged title line, an optional
  date line, a bold header row frozen and repeated on every printed page, bordered wrapped
  cells, columns fitted between a minimum and a maximum width (CJK counts double), real date
  cells, A4 landscape fitted to the page width. Every string goes through ``neutralise``: a
  leading ``= + - @`` (or tab / carriage return) gets an apostrophe so no spreadsheet runs it
  as a formula (CWE-1236), control characters openpyxl refuses are dropped, and text is cut at
  Excel's 32 767-character cell limit.
- ``tracker.documents.docx`` — documents laid out after GB/T 9704 (党政机关公文格式): A4 with
  37/35/28/26 mm margins, 28 pt line pitch, 方正小标宋 titles, 黑体 and 楷体 headings, 仿宋
  body with a two-character indent, bordered tables with a repeated header row, a red rule
  under a masthead, page numbers "— 1 —". East-Asian font names are set on every run.
- ``tracker.documents.download`` — the one response for a file download: an attachment
  (never inline), an ASCII fallback name beside the RFC 6266 UTF-8 name, nosniff, a sandbox
  CSP, and ``Cache-Control: private, no-store`` (every file here carries department data).

``xlsx`` and ``docx`` are pure (no database, no Flask); the area that owns a document gathers
its rows and texts (translated, in the document's locale) and calls the kit.
"""

from tracker.documents.docx import DOCX_MIMETYPE
from tracker.documents.xlsx import XLSX_MIMETYPE

__all__ = ["DOCX_MIMETYPE", "XLSX_MIMETYPE"]
