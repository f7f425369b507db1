"""A look inside an uploaded Office file (.xlsx and .docx are zips) before any parser opens it.

One reading of the zip's directory for every importer — evidence uploads, the 任务分解表 import,
plan .docx files — so each can refuse a zip bomb (too many members, too much inflated data,
a member compressed far beyond any real document) or a file that is not the Office type it
claims, by its own limits and with its own message. Pure: no database, no Flask.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

ZIP_MAGIC = b"PK\x03\x04"
CONTENT_TYPES_PART = "[Content_Types].xml"
OFFICE_MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


@dataclass(frozen=True)
class ZipSummary:
    members: tuple[zipfile.ZipInfo, ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(member.filename for member in self.members)

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def inflated(self) -> int:
        """Bytes the whole archive unpacks to, as its directory declares."""
        return sum(member.file_size for member in self.members)

    def is_office(self, extension: str) -> bool:
        """Whether the package has the parts a .docx / .xlsx must have."""
        names = self.names
        return CONTENT_TYPES_PART in names and OFFICE_MAIN_PART[extension] in names

    def overcompressed(self, ratio: float, above: int) -> bool:
        """Whether a member over ``above`` bytes shrank more than ``ratio`` times (a bomb)."""
        return any(
            member.file_size > above and member.file_size > ratio * max(member.compress_size, 1)
            for member in self.members
        )


def zip_summary(source: bytes | Path) -> ZipSummary | None:
    """The archive's members, or None when ``source`` is not a readable zip."""
    try:
        with zipfile.ZipFile(source if isinstance(source, Path) else io.BytesIO(source)) as zf:
            return ZipSummary(tuple(zf.infolist()))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
