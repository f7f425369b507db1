"""Responsible units as cells write them: 市发改委、市经信局 / X（牵头） / X牵头，Y配合 — pure."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# "牵头单位：X；责任单位：Y" — a label says what every unit after it is.
_LEAD_LABEL = re.compile(r"^(?:牵头单位|牵头部门|主办单位|牵头)[:：]")
_OTHER_LABEL = re.compile(r"^(?:责任单位|配合单位|配合部门|协办单位|参与单位|责任部门)[:：]")
_SEGMENT_SPLIT = re.compile(r"[;；]")
_UNIT_SPLIT = re.compile(r"[、,，/／\s]+")
_LEAD_MARK = re.compile(r"[(（]?牵头[)）]?$")
# Words after a unit that say nothing about who leads (X配合, X负责, X按职责分工负责, X等).
_NEUTRAL_SUFFIX = re.compile(
    r"(?:[(（]?(?:配合|协办|参与|负责|按职责分工负责|按职责负责)[)）]?|等)$"
)
_WRAPPING_PARENS = re.compile(r"^[(（](.*)[)）]$", re.S)


@dataclass(frozen=True)
class UnitMention:
    """One unit named in a cell and whether the cell marks it as lead (牵头)."""

    name: str
    marked_lead: bool = False


def split_units(cell: object) -> list[UnitMention]:
    """The units named in one cell, in order, with 牵头 marks and labels honoured."""
    if cell is None:
        return []
    text = unicodedata.normalize("NFKC", str(cell)).strip()
    # NFKC turns （ into ( but leaves 、 and ， — both are separators here.
    match = _WRAPPING_PARENS.match(text)
    if match:
        text = match.group(1)
    mentions: list[UnitMention] = []
    for raw_segment in _SEGMENT_SPLIT.split(text):
        segment = raw_segment.strip()
        segment_lead = False
        if label := _LEAD_LABEL.match(segment):
            segment, segment_lead = segment[label.end() :], True
        elif label := _OTHER_LABEL.match(segment):
            segment = segment[label.end() :]
        # "(牵头)" written with a space before it would otherwise split off as its own token.
        segment = re.sub(r"\s+(?=[(（]?牵头)", "", segment)
        for token in _UNIT_SPLIT.split(segment):
            name, lead = token.strip(), segment_lead
            if _LEAD_MARK.search(name):
                name, lead = _LEAD_MARK.sub("", name), True
            name = _NEUTRAL_SUFFIX.sub("", name).strip("()（）")
            if name:
                mentions.append(UnitMention(name, lead))
    return mentions


@dataclass(frozen=True)
class Owners:
    """Who owns a row: a lead unit and co-units (ids), plus names nobody recognised."""

    lead: int | None
    co: tuple[int, ...]
    unknown: tuple[str, ...]


def resolve_owners(
    lead_cells: Iterable[UnitMention],
    co_cells: Iterable[UnitMention],
    resolve: Callable[[str], int | None],
) -> Owners:
    """The lead is the first unit marked 牵头, else the first of the lead column, else the
    first unit at all (where no lead is marked, the first-listed unit leads)."""
    ordered = list(lead_cells) + list(co_cells)
    unknown: list[str] = []
    ids: list[tuple[int | None, bool]] = []
    for mention in ordered:
        department_id = resolve(mention.name)
        if department_id is None and mention.name not in unknown:
            unknown.append(mention.name)
        ids.append((department_id, mention.marked_lead))
    marked = [d for d, lead in ids if lead and d is not None]
    # Unmarked: the first-listed unit leads, even when it is unknown (the row is an error then,
    # and guessing another lead would be wrong).
    lead = marked[0] if marked else (ids[0][0] if ids else None)
    co: list[int] = []
    for department_id, _lead in ids:
        if department_id is not None and department_id != lead and department_id not in co:
            co.append(department_id)
    return Owners(lead=lead, co=tuple(co), unknown=tuple(unknown))
