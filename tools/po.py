"""Write a translation fragment from a Python mapping: `write_fragment(path, {msgid: msgstr})`.

A convenience for engineers adding many messages at once; the fragment stays a normal .po.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po


def write_fragment(path: Path, translations: dict[str, str], locale: str = "zh_Hans_CN") -> None:
    """Merge `translations` into the fragment at `path` (created if missing), sorted."""
    catalog = Catalog(locale=locale)
    if path.exists():
        with path.open("rb") as fh:
            for message in read_po(fh, locale=locale):
                if message.id:
                    catalog.add(message.id, message.string)
    for msgid, msgstr in translations.items():
        catalog.add(msgid, msgstr)
    buffer = BytesIO()
    write_po(buffer, catalog, omit_header=True, sort_output=True, width=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
