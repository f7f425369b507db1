"""Tidying free text from forms and the API before it is stored."""

from __future__ import annotations

MAX_TEXT = 20000


def clean_text(value, limit: int = MAX_TEXT) -> str:
    """Unix line ends, no surrounding blanks, at most `limit` characters."""
    return (value or "").replace("\r\n", "\n").strip()[:limit]
