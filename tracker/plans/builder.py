"""Tree building: rejoins wrapped lines into paragraphs and hangs headings on the tree — pure.

A candidate (tracker.plans.headings) becomes a heading only where a paragraph may start and
where its number continues the numbering of its would-be siblings (straight through the
document or restarting under each parent); otherwise it stays text and, when it looked like
a heading, a warning says so. A 专栏 holds its entries (（1）, 1., "01 名称") as items and
ends at the next heading, or where a PDF glued the next paragraph onto its last line.
"""

import re
import statistics
import unicodedata
from dataclasses import dataclass, field

from tracker.plans.annotations import ends_with_annotation
from tracker.plans.headings import (
    STYLE_RANKS,
    Candidate,
    assign_kinds,
    entry_candidate,
    heading_candidate,
    label,
    split_run_in_title,
)
from tracker.plans.lead_tasks import lead_phrase_tasks

# A printed line is 20–40 CJK characters wide; "one paragraph per line" files have far longer
# lines and snippets may have only short ones, so the estimate is clamped to that range.
_MIN_PRINTED_WIDTH = 40
_MAX_PRINTED_WIDTH = 80
# A line narrower than this share of a full line was not wrapped: its paragraph ends there.
_SHORT_LINE_SHARE = 0.8
_MIN_WIDTH_SAMPLE = 8
# A paragraph this short without punctuation inside a node is an orphan (OCR debris, a lost
# caption); it is kept but reported.
_STRAY_FRAGMENT_CHARS = 6
# 第X章 and the like count as a plan's level only when the plan uses them more than once.
_MIN_NAMED_LEVEL = 2
# The most of a wrapped 专栏 caption that spills onto the next line.
_CAPTION_TAIL_CHARS = 3
# A responsibility note wraps over this many printed lines at most.
_NOTE_LINES = 4
_NAMED = ("pian", "bufen", "zhang", "jie")
_ENTRY_STYLES = ("paren_arabic", "arabic", "entry")
# A line that ends a sentence (or introduces a list) ends a paragraph; "。”" counts too.
TERMINAL_RE = re.compile(r"[。！？!?：][”’」』）)】》]*$")
_BULLET_RE = re.compile(r"^(?:——|—|--|[●•▲△■□◆◇★☆○√※➢▶►])")


@dataclass
class Node:
    """One heading of the plan with its own text; ``ordinal`` is the number's value."""

    kind: str
    number: str
    title: str = ""
    text: str = ""
    children: list["Node"] = field(default_factory=list)
    ordinal: int = field(default=0, repr=False)
    style: str = field(default="", repr=False)
    responsibility: dict | None = None
    deadline: dict | None = None

    def to_dict(self) -> dict:
        """The JSON shape other tools rely on (``ordinal`` and ``style`` are internal)."""
        data = {
            "kind": self.kind,
            "number": self.number,
            "title": self.title,
            "text": self.text,
            "children": [child.to_dict() for child in self.children],
        }
        if self.responsibility:
            data["responsibility"] = self.responsibility
        if self.deadline:
            data["deadline"] = self.deadline
        return data


@dataclass
class Line:
    """A content line: stripped text, its 1-based line number in the input, display width.

    ``glued`` marks a line split off the previous one, where a PDF had run two paragraphs
    together on one printed line.
    """

    text: str
    number: int
    width: int
    glued: bool = False


def display_width(text: str) -> int:
    """Printed width in half-width cells: CJK characters and punctuation take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


class TreeBuilder:
    """Walks the content lines once, rejoining paragraphs and hanging headings on the tree."""

    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.candidates = [heading_candidate(line.text) for line in lines]
        counts: dict[str, int] = {}
        for candidate in self.candidates:
            if candidate:
                counts[candidate.style] = counts.get(candidate.style, 0) + 1
        styles = {
            style
            for style, count in counts.items()
            if count >= _MIN_NAMED_LEVEL or style not in _NAMED
        }
        self.kinds = assign_kinds(styles)
        self.full_width = _typical_full_width(lines, self.candidates)
        self.roots: list[Node] = []
        self.preamble: list[str] = []
        self.warnings: list[str] = []
        self.first_heading_index = len(lines)
        # Open nodes from the outermost; the flag marks nodes inside a 专栏.
        self._stack: list[tuple[Node, bool]] = []
        self._last_value: dict[str, int] = {}
        self._paragraph: list[str] = []
        self._paragraph_line = 0
        self._paragraphs: dict[int, list[str]] = {}
        self._title_pending: Node | None = None

    def run(self) -> None:
        """Build ``roots``, ``preamble`` and ``warnings`` from the lines."""
        for index, line in enumerate(self.lines):
            if line.glued and self._open_column() is not None:
                self._flush()
                self._close_column()
            candidate = self.candidates[index]
            if candidate is None and self._open_column() is not None:
                candidate = entry_candidate(line.text)
            if candidate and candidate.style not in self.kinds and candidate.style in _NAMED:
                candidate = None  # a lone 第X章 in a sentence-like line is not a level
            if candidate and self._try_heading(index, candidate):
                self._paragraph = [candidate.rest]
            else:
                if not self._paragraph:
                    self._paragraph_line = line.number
                self._paragraph.append(line.text)
            if self._ends_paragraph(index):
                self._flush()
        self._flush()
        self.warnings += lead_phrase_tasks(self.roots, self._paragraphs)
        self._assign_texts(self.roots)

    # -- paragraphs ---------------------------------------------------------------------

    def _ends_paragraph(self, index: int) -> bool:
        if index + 1 >= len(self.lines):
            return True
        text = self.lines[index].text
        candidate = self.candidates[index]
        if candidate and not candidate.rest:
            return False  # a bare marker ("（1）") takes its title from the next line
        following = self.lines[index + 1]
        if candidate and candidate.style == "column":
            # A 专栏 title is the box's caption bar, never run-in; a full caption line may
            # wrap a last word or two onto the next line ("…推广工" / "程").
            return not (
                not self._is_short(index)
                and len(following.text) <= _CAPTION_TAIL_CHARS
                and not re.search(r"[\W\d]", following.text)
            )
        return bool(
            TERMINAL_RE.search(text)
            or self._ends_with_note(index)
            or following.glued
            or self._is_short(index)
            or _BULLET_RE.match(following.text)
        )

    def _ends_with_note(self, index: int) -> bool:
        # A note wrapped over lines: "…（牵头单位：省" / "工业和信息化厅；责任单位：…）".
        if not self.lines[index].text.endswith(("）", ")", "）。", ")。")):
            return False
        start = max(index - _NOTE_LINES + 1, 0)
        return ends_with_annotation("".join(line.text for line in self.lines[start : index + 1]))

    def _is_short(self, index: int) -> bool:
        return self.lines[index].width < _SHORT_LINE_SHARE * self.full_width

    def _at_paragraph_start(self, index: int) -> bool:
        return index == 0 or self._ends_paragraph(index - 1)

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._paragraph)).strip()
        self._paragraph = []
        node = self._title_pending
        if node is not None:
            self._title_pending = None
            node.title, text = split_run_in_title(text)
        if not text:
            return
        if self._stack:
            owner = self._stack[-1][0]
            self._paragraphs.setdefault(id(owner), []).append(text)
            if len(text) <= _STRAY_FRAGMENT_CHARS and not re.search(r"[\W\d]", text):
                self.warnings.append(
                    f"line {self._paragraph_line}: stray fragment {text!r} "
                    f"kept in the text of {_label(owner)}{owner.title}"
                )
        else:
            self.preamble.append(text)

    def _assign_texts(self, nodes: list[Node]) -> None:
        for node in nodes:
            node.text = "\n".join(self._paragraphs.get(id(node), []))
            self._assign_texts(node.children)

    # -- 专栏 ---------------------------------------------------------------------------

    def _open_column(self) -> Node | None:
        return next((node for node, _ in reversed(self._stack) if node.kind == "column"), None)

    def _close_column(self) -> None:
        while self._stack and self._stack[-1][1]:
            self._stack.pop()
        if self._stack and self._stack[-1][0].kind == "column":
            self._stack.pop()

    # -- headings -----------------------------------------------------------------------

    def _try_heading(self, index: int, candidate: Candidate) -> bool:
        parent, in_column = self._parent_for(candidate)
        if candidate.style == "entry" and not in_column:
            return False
        siblings = self._children(parent)
        allowed = self._allowed_values(candidate, siblings, in_column)
        line = self.lines[index]
        kind = self._kind(candidate, in_column)
        if candidate.value not in allowed:
            if not self._at_paragraph_start(index):
                return False  # a number inside a sentence, not a heading
            if not self._is_forward_gap(index, candidate, allowed):
                self.warnings.append(
                    f"line {line.number}: {_quote(line.text)} looks like a {kind} "
                    f"heading but {candidate.number} does not follow "
                    f"{_describe(allowed)} under {self._path(parent)}; kept as text"
                )
                return False
            self.warnings.append(
                f"line {line.number}: {kind} numbering jumps to {candidate.number} "
                f"(expected {_describe(allowed)}) under {self._path(parent)}"
            )
        elif not self._at_paragraph_start(index):
            self.warnings.append(
                f"line {line.number}: {_quote(line.text)} continues the previous line, so it "
                f"is kept as text although its number fits as a {kind}"
            )
            return False
        self._flush()
        node = Node(
            kind, candidate.number, ordinal=candidate.value, style=self._style(candidate, in_column)
        )
        self._open(node, parent, in_column)
        self.first_heading_index = min(self.first_heading_index, index)
        return True

    def _kind(self, candidate: Candidate, in_column: bool) -> str:
        if in_column:
            return "item"
        if candidate.style == "column":
            return "column"
        return self.kinds.get(candidate.style, "item")

    @staticmethod
    def _style(candidate: Candidate, in_column: bool) -> str:
        return "entry" if in_column else candidate.style

    def _parent_for(self, candidate: Candidate) -> tuple[Node | None, bool]:
        """Where the heading would hang, and whether that is inside a 专栏."""
        if candidate.style in _ENTRY_STYLES:
            column = self._open_column()
            if column is not None and self._continues_column(column, candidate):
                return column, True
        outside = [node for node, inside in self._stack if not inside and node.kind != "column"]
        if candidate.style in ("column", "entry"):
            return (outside[-1] if outside else None), False
        rank = STYLE_RANKS[candidate.style]
        for node in reversed(outside):
            if STYLE_RANKS.get(node.style, -1) < rank:
                return node, False
        return None, False

    @staticmethod
    def _continues_column(column: Node, candidate: Candidate) -> bool:
        # A 专栏's own entries start at 1; a number that continues the enclosing numbering
        # ("（3）" after a 专栏 under "（2）", "8﹒" after one under "7﹒") closes the 专栏.
        items = [child for child in column.children if child.kind == "item"]
        expected = items[-1].ordinal + 1 if items else 1
        return candidate.value == expected

    def _allowed_values(
        self, candidate: Candidate, siblings: list[Node], in_column: bool
    ) -> set[int]:
        style = self._style(candidate, in_column)
        same = [node for node in siblings if node.style == style]
        if same:
            return {same[-1].ordinal + 1}
        allowed = {1}
        # Plans number sections either per chapter or straight through the document, and
        # 专栏 always straight through, so a first child may also continue the last number.
        if not in_column and style in self._last_value:
            allowed.add(self._last_value[style] + 1)
        return allowed

    def _is_forward_gap(self, index: int, candidate: Candidate, allowed: set[int]) -> bool:
        """Accept a skipped number only when the next heading of the style follows it."""
        if candidate.style not in self._last_value and self._open_column() is None:
            return True  # the first of its style: an excerpt may start at 三、 or 8．
        if candidate.value <= max(allowed) or candidate.value - max(allowed) > 2:
            return False
        following = next(
            (
                c
                for c in self.candidates[index + 1 :]
                if c is not None and c.style == candidate.style
            ),
            None,
        )
        return following is not None and following.value == candidate.value + 1

    def _open(self, node: Node, parent: Node | None, in_column: bool) -> None:
        if parent is None:
            self.roots.append(node)
            self._stack = []
        else:
            parent.children.append(node)
            while self._stack and self._stack[-1][0] is not parent:
                self._stack.pop()
        self._stack.append((node, in_column))
        self._title_pending = node
        if not in_column:
            self._last_value[node.style] = node.ordinal

    def _children(self, parent: Node | None) -> list[Node]:
        return self.roots if parent is None else parent.children

    def _path(self, parent: Node | None) -> str:
        if parent is None:
            return "the top level"
        path = []
        for node, _ in self._stack:
            path.append(_label(node))
            if node is parent:
                break
        return " / ".join(path)


def _typical_full_width(lines: list[Line], candidates: list[Candidate | None]) -> int:
    """Width of a full printed line: most wrapped lines are full, headings and ends are not."""
    wrapped = [
        line.width
        for line, candidate in zip(lines, candidates, strict=True)
        if candidate is None and not TERMINAL_RE.search(line.text)
    ]
    if len(wrapped) >= _MIN_WIDTH_SAMPLE:
        estimate = int(statistics.quantiles(wrapped, n=4)[2])
    else:  # too few wrapped lines to judge (a snippet): the widest line is a full one
        estimate = max((line.width for line in lines), default=0)
    return min(max(estimate, _MIN_PRINTED_WIDTH), _MAX_PRINTED_WIDTH)


def _describe(values: set[int]) -> str:
    return " or ".join(str(value) for value in sorted(values))


def _quote(text: str) -> str:
    return repr(text if len(text) <= 24 else text[:24] + "…")


def _label(node: Node) -> str:
    return label(node.style or "entry", node.number)
