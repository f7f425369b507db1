"""Annotations on a heading: who is responsible and by when, read from the text — pure.

Implementation plans end a task with a bracketed note: （牵头单位：A；责任单位：B、C）,
（责任单位：A、B）, （A、B负责）, （A牵头，B配合）,
（牵头单位：A；配合单位：B；完成时限：2022年6月底前）.
Names are kept exactly as written and in order; a note that names no lead gives ``lead: []``
with every name in ``co``. Deadlines are read only from such notes or a labelled phrase
(完成时限：…), never from a date that merely appears in a sentence.
"""

import calendar
import re

_PAREN = r"[（(]((?:[^（）()]|[（(][^（）()]*[）)]){2,400}?)[）)]"
_ANNOTATION_RE = re.compile(_PAREN)
_LEAD_LABELS = ("牵头单位", "牵头部门", "主责单位", "主责部门", "牵头")
_CO_LABELS = (
    "责任单位",
    "责任部门",
    "配合单位",
    "配合部门",
    "参与单位",
    "参与部门",
    "协同单位",
    "协助单位",
    "实施单位",
)
_DEADLINE_LABELS = ("完成时限", "完成时间", "时间节点", "时间安排", "完成期限", "时限")
_LABEL_RE = re.compile(
    "(" + "|".join(sorted(_LEAD_LABELS + _CO_LABELS + _DEADLINE_LABELS, key=len)[::-1]) + ")[：:]"
)
# （A牵头，B配合） and （A、B负责）.
_DUTY = r"(?:按职责分工|按职责|分别)?"
_LEAD_CO_RE = re.compile(
    rf"^(?P<lead>.+?)牵头[，,、；;\s]*(?:(?P<co>.+?){_DUTY}(?:配合|参与|协同|负责|落实))?$"
)
_RESPONSIBLE_RE = re.compile(rf"^(?P<names>.+?){_DUTY}(?:负责|落实)$")
_SEPARATORS = re.compile(r"[、，,；;\s]+")
# A name is short and has no sentence in it.
_NAME_RE = re.compile(r"^[^\s。：:！？]{2,40}$")
_NOT_A_NAME = re.compile(r"\d{4}年|以上|以下|左右|亿元|万元|%|％")

_YEAR_END_RE = re.compile(r"(?P<year>20\d{2})\s*年\s*(?:底|末|年底|年末)")
_MONTH_END_RE = re.compile(
    r"(?:(?P<year>20\d{2})\s*年\s*)?(?P<month>1[0-2]|0?[1-9])\s*月\s*(?P<when>底|末|上旬|中旬|下旬|份|(?P<day>[1-3]?\d)\s*日)?"
)
_HALF_RE = re.compile(
    r"(?:(?P<year>20\d{2})\s*年\s*)?(?P<half>上半年|年中|下半年|(?P<q>[一二三四1-4])季度)"
)
_YEAR_ONLY_RE = re.compile(r"(?P<year>20\d{2})\s*年\s*(?:前|内|完成|建成|实现)")
_ONGOING = ("长期坚持", "持续推进", "长期推进", "持续开展", "常态化推进", "长期")
_DEADLINE_WORDS = re.compile(
    r"(?:20\d{2}\s*年|(?:1[0-2]|0?[1-9])\s*月|上半年|下半年|年中|季度)[^，,；;。（）()]*?"
    r"(?:底前|前|底|末|内)(?:完成|建成|实现|出台|落实)?|长期坚持|持续推进|长期推进|持续开展"
)


def ends_with_annotation(text: str) -> bool:
    """A line that ends with a responsibility note ends its paragraph."""
    match = re.search(_PAREN + r"\s*[。；]?$", text)
    return bool(match and any(parse_note(match.group(1))))


def parse_note(note: str) -> tuple[dict | None, dict | None]:
    """Responsibility and deadline from the inside of one bracketed note (None: not there)."""
    note = note.strip()
    rest, deadline_raw = _pull_deadline(note)
    fields = _labelled_fields(rest)
    responsibility = None
    if fields:
        lead = [n for label, value in fields if label in _LEAD_LABELS for n in _names(value)]
        co = [n for label, value in fields if label in _CO_LABELS for n in _names(value)]
        labelled = next((v for label, v in fields if label in _DEADLINE_LABELS), None)
        deadline_raw = deadline_raw or labelled
        if lead or co:
            responsibility = {"lead": lead, "co": co, "raw": note}
    elif rest:
        parts = [part.strip() for part in re.split(r"[；;]", rest) if part.strip()]
        for part in parts:
            found = _unlabelled(part)
            if found and responsibility is None:
                responsibility = {"lead": found[0], "co": found[1], "raw": note}
    if responsibility is None and deadline_raw is None:
        return None, None
    if responsibility is None and rest:
        return None, None  # a bracket with a date in a sentence-like note: not a note
    return responsibility, ({"raw": deadline_raw} if deadline_raw else None)


def _pull_deadline(note: str) -> tuple[str, str | None]:
    """The first clause that is only a deadline (6月底前完成, 长期坚持) taken out of the note:
    （A牵头，B配合，2022年底前完成）, （责任单位：A、B；6月底前）."""
    pieces = re.split(r"([；;，,])", note)
    kept: list[str] = []
    found = None
    for index in range(0, len(pieces), 2):
        clause = pieces[index].strip()
        separator = pieces[index + 1] if index + 1 < len(pieces) else ""
        if found is None and (_DEADLINE_WORDS.fullmatch(clause) or clause in _ONGOING):
            found = clause
            continue
        kept.append(pieces[index] + separator)
    return "".join(kept).strip("；;，, "), found


def _labelled_fields(note: str) -> list[tuple[str, str]]:
    matches = list(_LABEL_RE.finditer(note))
    if not matches or matches[0].start() != 0:
        return []
    fields = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(note)
        fields.append((match.group(1), note[match.end() : end].strip("；;，, ")))
    return fields


def _unlabelled(part: str) -> tuple[list[str], list[str]] | None:
    match = _LEAD_CO_RE.match(part)
    if match:
        lead = _names(match.group("lead"))
        co = _names(match.group("co") or "")
        return (lead, co) if lead else None
    match = _RESPONSIBLE_RE.match(part)
    if match:
        names = _names(match.group("names"))
        return ([], names) if names else None
    return None


def _names(value: str) -> list[str]:
    names = [name.strip() for name in _SEPARATORS.split(value) if name.strip()]
    if not names or not all(_NAME_RE.match(n) and not _NOT_A_NAME.search(n) for n in names):
        return []
    return names


def find_annotations(text: str) -> tuple[dict | None, dict | None, list[str]]:
    """The responsibility and deadline notes in a node's own text, and the notes' raw text.

    Several notes (one per paragraph) are merged in order; the raw texts say what to cut
    out of a title.
    """
    responsibility: dict | None = None
    deadline: dict | None = None
    raws: list[str] = []
    for match in _ANNOTATION_RE.finditer(text or ""):
        found, when = parse_note(match.group(1))
        if found is None and when is None:
            continue
        raws.append(match.group(0))
        if found is not None:
            if responsibility is None:
                responsibility = found
            else:
                responsibility = {
                    "lead": _merge(responsibility["lead"], found["lead"]),
                    "co": _merge(responsibility["co"], found["co"]),
                    "raw": responsibility["raw"] + "；" + found["raw"],
                }
        if when is not None and deadline is None:
            deadline = when
    return responsibility, deadline, raws


def _merge(first: list[str], second: list[str]) -> list[str]:
    return first + [name for name in second if name not in first]


def deadline_date(raw: str, default_year: int | None) -> str | None:
    """The last day a deadline phrase allows, as YYYY-MM-DD; None when it names no date."""
    if any(word in raw for word in _ONGOING):
        return None
    match = _HALF_RE.search(raw)
    if match:
        year = int(match.group("year") or default_year or 0)
        if not year:
            return None
        if match.group("q"):
            quarter = "一二三四".find(match.group("q")) + 1 or int(match.group("q"))
            month = quarter * 3
        else:
            month = 12 if match.group("half") == "下半年" else 6
        return _month_end(year, month)
    match = _YEAR_END_RE.search(raw)
    if match:
        return f"{int(match.group('year')):04d}-12-31"
    match = _MONTH_END_RE.search(raw)
    if match:
        year = int(match.group("year") or default_year or 0)
        if not year:
            return None
        month = int(match.group("month"))
        day = match.group("day")
        when = match.group("when") or ""
        if day:
            last = calendar.monthrange(year, month)[1]
            return f"{year:04d}-{month:02d}-{min(int(day), last):02d}"
        if when == "上旬":
            return f"{year:04d}-{month:02d}-10"
        if when == "中旬":
            return f"{year:04d}-{month:02d}-20"
        return _month_end(year, month)
    match = _YEAR_ONLY_RE.search(raw)
    if match:
        return f"{int(match.group('year')):04d}-12-31"
    return None


def _month_end(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def annotate(nodes, default_year: int | None = None) -> None:
    """Set ``responsibility`` and ``deadline`` on every node from its own notes.

    The notes stay in the node's text (it is the source) but are cut out of its title.
    """
    for node in nodes:
        responsibility, deadline, raws = find_annotations(node.title + "\n" + node.text)
        node.responsibility = responsibility
        if deadline is not None:
            deadline["date"] = deadline_date(deadline["raw"], default_year)
        node.deadline = deadline
        for raw in raws:
            node.title = node.title.replace(raw, "").strip()
        annotate(node.children, default_year)
