"""Build the translation catalogs from per-area fragments, and check nothing is missing.

Message ids are English. Chinese translations live in `i18n/zh_Hans_CN/<area>.po`, one
fragment per area so engineers working on different areas never edit the same file. `build`
merges the fragments into `translations/zh_Hans_CN/LC_MESSAGES/messages.{po,mo}`; `check`
extracts every string from the code and templates and fails on any without a translation.

    python -m tools.i18n build | check | missing [AREA]
"""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
FRAGMENTS = ROOT / "i18n"
OUTPUT = ROOT / "translations"
LOCALES = ("zh_Hans_CN", "en")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
}
METHOD_MAP = [
    ("tracker/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]


def _wanted_directory(dirpath: str) -> bool:
    """Babel skips folders starting with '_' by default; templates/_macros must be read."""
    name = Path(dirpath).name
    return name not in {".venv", "__pycache__", "node_modules", ".git", "instance"} and not (
        name.startswith(".") and name != "."
    )


def extract_messages() -> dict[str, list[str]]:
    """Every translatable message id in the code and templates, with where it is used."""
    found: dict[str, list[str]] = {}
    options = {
        "templates/**.html": {"extensions": "jinja2.ext.do"},
        "templates/**.txt": {"extensions": "jinja2.ext.do"},
    }
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT),
        METHOD_MAP,
        options_map=options,
        keywords=KEYWORDS,
        directory_filter=_wanted_directory,
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def read_fragments(locale: str) -> Catalog:
    """All fragments of one locale merged; a later duplicate must agree with the earlier one."""
    merged = Catalog(locale=locale)
    folder = FRAGMENTS / locale
    for path in sorted(folder.glob("*.po")) if folder.exists() else []:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        for message in catalog:
            if not message.id or not message.string:
                continue
            existing = merged.get(message.id)
            if existing is not None and existing.string != message.string:
                print(
                    f"warning: {path.name} translates {message.id!r} differently", file=sys.stderr
                )
                continue
            merged.add(message.id, message.string)
    return merged


def build() -> None:
    for locale in LOCALES:
        catalog = read_fragments(locale)
        target = OUTPUT / locale / "LC_MESSAGES"
        target.mkdir(parents=True, exist_ok=True)
        buffer = BytesIO()
        write_po(buffer, catalog)
        (target / "messages.po").write_bytes(buffer.getvalue())
        with (target / "messages.mo").open("wb") as fh:
            write_mo(fh, catalog)
    print(f"built catalogs for {', '.join(LOCALES)} in {OUTPUT}")


def missing() -> dict[str, list[str]]:
    translated = read_fragments("zh_Hans_CN")
    return {
        msgid: places
        for msgid, places in extract_messages().items()
        if translated.get(msgid) is None
    }


def print_missing_stub(area: str | None = None) -> None:
    """Print the missing messages as a .po stub to paste into a fragment and translate."""
    for msgid, places in sorted(missing().items(), key=lambda kv: kv[1][0]):
        if area and not any(area in place for place in places):
            continue
        escaped = msgid.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        print(f'#: {" ".join(places[:3])}\nmsgid "{escaped}"\nmsgstr ""\n')


def check() -> int:
    gaps = missing()
    for msgid, places in sorted(gaps.items()):
        print(f"untranslated: {msgid!r} ({places[0]})")
    print(f"{len(gaps)} messages without a Chinese translation")
    return 1 if gaps else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "build"
    if command == "build":
        build()
    elif command == "check":
        sys.exit(check())
    elif command == "missing":
        print_missing_stub(sys.argv[2] if len(sys.argv) > 2 else None)
    else:
        sys.exit(f"unknown command {command}")
