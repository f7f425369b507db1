"""Plan-text parser: turns the extracted text of a 规划 into its heading tree and indicators — pure.

Input is text as it comes out of a PDF: lines broken mid-sentence, page breaks that leave a
leading space or a form feed, page-number footers (``— 4 —``, ``-3``, ``一1一``, ``7``),
full-width and ASCII heading markers mixed. The rules are generic for Chinese government
plans (一、 chapter, （一） section, 1． task, （1） item, 专栏 column); nothing in here knows
about a particular plan. Where the text is ambiguous the text is kept and a warning says what
could not be placed. ``parse_plan`` never raises.
"""

import logging
import re
import statistics
import unicodedata
from dataclasses import dataclass, field

from tracker.plans.indicator_table import Indicator, chinese_numeral, extract_indicator_tables

logger = logging.getLogger(__name__)

LEVELS = {"chapter": 0, "section": 1, "task": 2, "item": 3}

_CN_NUMERAL = "〇零一二两三四五六七八九十百"
_DIGITS = "0-9０-９"
# Heading markers by kind, tried in this order; what follows the marker is checked in
# heading_candidate, and the number's place in the sequence by TreeBuilder.
_HEADING_PATTERNS = (
    ("column", re.compile(rf"^专栏\s*([{_DIGITS}]{{1,3}}|[{_CN_NUMERAL}]+)\s*[：:、.．]?\s*(.*)$")),
    ("chapter", re.compile(rf"^([{_CN_NUMERAL}]+)\s*、\s*(.*)$")),
    ("section", re.compile(rf"^[（(]\s*([{_CN_NUMERAL}]+)\s*[）)]\s*(.*)$")),
    ("item", re.compile(rf"^[（(]\s*([{_DIGITS}]{{1,3}})\s*[）)]\s*(.*)$")),
    ("task", re.compile(rf"^([{_DIGITS}]{{1,3}})\s*[．.、]\s*(.*)$")),
)
# After "1．" a heading goes on with words; a digit or % means a decimal like "1.5%".
_NOT_HEADING_START = re.compile(rf"^[{_DIGITS}.．%％，,。、]")
_FOOTER_RE = re.compile(r"^[—\-–－一~～\s]*\d{1,3}[—\-–－一~～\s]*$")
_RULE_LINE_RE = re.compile(r"^[=＝\-－_＿*＊~～—]{4,}$")
# A line that ends a sentence (or introduces a list) ends a paragraph; "。”" counts too.
_TERMINAL_RE = re.compile(r"[。！？!?：][”’」』）)】》]*$")
_BULLET_RE = re.compile(r"^(?:——|—|[●•▲△■□◆◇★☆○√※➢▶►])")
_DOC_NUMBER_RE = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［【（(]\s*(?:19|20)\d{2}\s*[〕\]］】）)]\s*\d{1,4}\s*号"
)
_PLAN_WORD_RE = re.compile(r"(?:规划|纲要|方案|计划|意见|要点|办法|细则)$")
_DRAFT_SUFFIX_RE = re.compile(r"\s*[（(][^）)]*稿[）)]\s*$")
_COVER_LETTER_RE = re.compile(r"关于印发\s*《?(.+?)》?\s*的通知")
_COLOPHON_RE = re.compile(r"^(?:抄送|主送|印送|分送)[：:]|\d{4}\s*年.*日\s*印发$")

# A printed line is 20–40 CJK characters wide; "one paragraph per line" files have far longer
# lines and snippets may have only short ones, so the estimate is clamped to that range.
_MIN_PRINTED_WIDTH = 40
_MAX_PRINTED_WIDTH = 80
# A line narrower than this share of a full line was not wrapped: its paragraph ends there.
_SHORT_LINE_SHARE = 0.8
# A run-in title ("8．推动质量基础提升。夯实…") is a phrase, not a paragraph.
_MAX_TITLE_CHARS = 60
_FRONT_MATTER_LINES = 60
_MIN_WIDTH_SAMPLE = 8
# A paragraph this short without punctuation inside a node is an orphan (OCR debris, a lost
# caption); it is kept but reported.
_STRAY_FRAGMENT_CHARS = 6


@dataclass
class Node:
    """One heading of the plan with its own text; ``ordinal`` is the number's value."""

    kind: str
    number: str
    title: str = ""
    text: str = ""
    children: list["Node"] = field(default_factory=list)
    ordinal: int = field(default=0, repr=False)

    def to_dict(self) -> dict:
        """The JSON shape other tools rely on (``ordinal`` is internal)."""
        return {
            "kind": self.kind,
            "number": self.number,
            "title": self.title,
            "text": self.text,
            "children": [child.to_dict() for child in self.children],
        }


@dataclass
class ParsedPlan:
    """The parse result. ``preamble`` (cover letter, lead-in) and ``back_matter`` (抄送 …)
    are kept for callers but are not part of the JSON contract."""

    title: str
    doc_number: str | None
    nodes: list[Node]
    indicators: list[Indicator]
    warnings: list[str]
    preamble: str = ""
    back_matter: str = ""

    def to_dict(self) -> dict:
        """The JSON contract: title, doc_number, nodes, indicators, warnings."""
        return {
            "title": self.title,
            "doc_number": self.doc_number,
            "nodes": [node.to_dict() for node in self.nodes],
            "indicators": [indicator.to_dict() for indicator in self.indicators],
            "warnings": list(self.warnings),
        }


@dataclass
class Line:
    """A content line: stripped text, its 1-based line number in the input, display width."""

    text: str
    number: int
    width: int


@dataclass
class Candidate:
    """A line that starts with a heading marker; whether it is a heading is decided later."""

    kind: str
    number: str
    value: int
    rest: str


def parse_plan(text: str) -> ParsedPlan:
    """Parse plan text into title, doc number, heading tree, indicators and warnings."""
    try:
        return _parse(text if isinstance(text, str) else "")
    except Exception as exc:  # odd input must come back as a warning, never as a crash
        logger.exception("plan parser failed")
        return ParsedPlan(
            title="",
            doc_number=None,
            nodes=[],
            indicators=[],
            warnings=[f"parser failed ({type(exc).__name__}: {exc}); nothing parsed"],
            preamble=text if isinstance(text, str) else "",
        )


def _parse(text: str) -> ParsedPlan:
    # Form feeds mark page breaks; line numbers in warnings count newlines only.
    raw = [line.replace("\f", "").strip(" \t\u3000\xa0") for line in re.split(r"\r\n|\r|\n", text)]
    if not any(raw):
        return ParsedPlan(
            title="", doc_number=None, nodes=[], indicators=[], warnings=["the text is empty"]
        )
    indicators, spans, warnings = extract_indicator_tables(raw)
    in_table = {index for span in spans for index in range(span.start, span.end)}
    lines = [
        Line(line, index + 1, display_width(line))
        for index, line in enumerate(raw)
        if index not in in_table and line and not _is_noise(line)
    ]
    lines, back_matter = _split_back_matter(lines)
    builder = TreeBuilder(lines)
    builder.run()
    warnings = builder.warnings + warnings
    if not builder.roots:
        warnings.append("no headings recognised: the whole text is kept as preamble")
    front = [line.text for line in lines[: builder.first_heading_index][:_FRONT_MATTER_LINES]]
    title = find_title(front)
    if not title:
        warnings.append("no plan title found before the first heading")
    return ParsedPlan(
        title=title,
        doc_number=find_doc_number(front),
        nodes=builder.roots,
        indicators=indicators,
        warnings=warnings,
        preamble="\n".join(builder.preamble),
        back_matter=back_matter,
    )


def display_width(text: str) -> int:
    """Printed width in half-width cells: CJK characters and punctuation take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def _is_noise(line: str) -> bool:
    """Page-number footers and separator rules carry no content."""
    return bool(_FOOTER_RE.match(line) or _RULE_LINE_RE.match(line))


def _split_back_matter(lines: list[Line]) -> tuple[list[Line], str]:
    """Cut the document's colophon (抄送 … / … 印发) off the end so no section swallows it."""
    for index in range(max(len(lines) - 12, 0), len(lines)):
        if _COLOPHON_RE.search(lines[index].text):
            return lines[:index], "\n".join(line.text for line in lines[index:])
    return lines, ""


def heading_candidate(text: str) -> Candidate | None:
    """Classify a line by its marker; None if it does not start like a heading."""
    for kind, pattern in _HEADING_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        number = unicodedata.normalize("NFKC", match.group(1))
        rest = match.group(2).strip()
        if kind in ("task", "chapter") and (not rest or _NOT_HEADING_START.match(rest)):
            return None  # "2.5%", "1、2月": a number in a sentence, not a heading
        value = int(number) if number.isdigit() else chinese_numeral(number)
        return Candidate(kind, number, value, rest) if value else None
    return None


class TreeBuilder:
    """Walks the content lines once, rejoining paragraphs and hanging headings on the tree.

    A candidate becomes a heading only where a paragraph may start and where its number
    continues the numbering of its would-be siblings; otherwise it stays text and, when it
    looked like a heading, a warning says so.
    """

    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.candidates = [heading_candidate(line.text) for line in lines]
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
            candidate = self.candidates[index]
            if candidate and self._try_heading(index, candidate):
                self._paragraph = [candidate.rest]
            else:
                if not self._paragraph:
                    self._paragraph_line = line.number
                self._paragraph.append(line.text)
            if self._ends_paragraph(index):
                self._flush()
        self._flush()
        self._assign_texts(self.roots)

    # -- paragraphs ---------------------------------------------------------------------

    def _ends_paragraph(self, index: int) -> bool:
        if index + 1 >= len(self.lines):
            return True
        text = self.lines[index].text
        candidate = self.candidates[index]
        if candidate and not candidate.rest:
            return False  # a bare marker ("（1）") takes its title from the next line
        if candidate and candidate.kind == "column":
            return True  # a 专栏 title is the box's caption bar: one line, never run-in
        return bool(
            _TERMINAL_RE.search(text)
            or self._is_short(index)
            or _BULLET_RE.match(self.lines[index + 1].text)
        )

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

    # -- headings -----------------------------------------------------------------------

    def _try_heading(self, index: int, candidate: Candidate) -> bool:
        parent, in_column = self._parent_for(candidate)
        siblings = self._children(parent)
        allowed = self._allowed_values(candidate, siblings, in_column)
        line = self.lines[index]
        if candidate.value not in allowed:
            if not self._at_paragraph_start(index):
                return False  # a number inside a sentence, not a heading
            if not self._is_forward_gap(index, candidate, allowed):
                self.warnings.append(
                    f"line {line.number}: {_quote(line.text)} looks like a {candidate.kind} "
                    f"heading but {candidate.number} does not follow "
                    f"{_describe(allowed)} under {self._path(parent)}; kept as text"
                )
                return False
            self.warnings.append(
                f"line {line.number}: {candidate.kind} numbering jumps to {candidate.number} "
                f"(expected {_describe(allowed)}) under {self._path(parent)}"
            )
        elif not self._at_paragraph_start(index):
            self.warnings.append(
                f"line {line.number}: {_quote(line.text)} continues the previous line, so it "
                f"is kept as text although its number fits as a {candidate.kind}"
            )
            return False
        self._flush()
        self._open(
            Node(candidate.kind, candidate.number, ordinal=candidate.value), parent, in_column
        )
        self.first_heading_index = min(self.first_heading_index, index)
        return True

    def _parent_for(self, candidate: Candidate) -> tuple[Node | None, bool]:
        """Where the heading would hang, and whether that is inside a 专栏."""
        if candidate.kind == "item":
            column = next(
                (node for node, _ in reversed(self._stack) if node.kind == "column"), None
            )
            if column is not None and self._continues_column(column, candidate):
                return column, True
        outside = [node for node, inside in self._stack if not inside and node.kind != "column"]
        if candidate.kind == "column":
            return (outside[-1] if outside else None), False
        level = LEVELS[candidate.kind]
        for node in reversed(outside):
            if LEVELS[node.kind] < level:
                return node, False
        return None, False

    @staticmethod
    def _continues_column(column: Node, candidate: Candidate) -> bool:
        # A 专栏's own entries start at (1); an item that continues the enclosing task's
        # numbering ("（3）" after 专栏 under "（2）") closes the 专栏 instead.
        items = [child for child in column.children if child.kind == "item"]
        expected = items[-1].ordinal + 1 if items else 1
        return candidate.value == expected

    def _allowed_values(
        self, candidate: Candidate, siblings: list[Node], in_column: bool
    ) -> set[int]:
        same = [node for node in siblings if node.kind == candidate.kind]
        if same:
            return {same[-1].ordinal + 1}
        allowed = {1}
        # Plans number sections either per chapter or straight through the document, and
        # 专栏 always straight through, so a first child may also continue the last number.
        if not in_column and candidate.kind in self._last_value:
            allowed.add(self._last_value[candidate.kind] + 1)
        return allowed

    def _is_forward_gap(self, index: int, candidate: Candidate, allowed: set[int]) -> bool:
        """Accept a skipped number only when the next heading of the kind follows it."""
        if candidate.kind not in self._last_value and self._stack_has_no_column():
            return True  # the first of its kind: an excerpt may start at 三、 or 8．
        if candidate.value <= max(allowed) or candidate.value - max(allowed) > 2:
            return False
        following = next(
            (c for c in self.candidates[index + 1 :] if c is not None and c.kind == candidate.kind),
            None,
        )
        return following is not None and following.value == candidate.value + 1

    def _stack_has_no_column(self) -> bool:
        return all(node.kind != "column" for node, _ in self._stack)

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
            self._last_value[node.kind] = node.ordinal

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
        if candidate is None and not _TERMINAL_RE.search(line.text)
    ]
    if len(wrapped) >= _MIN_WIDTH_SAMPLE:
        estimate = int(statistics.quantiles(wrapped, n=4)[2])
    else:  # too few wrapped lines to judge (a snippet): the widest line is a full one
        estimate = max((line.width for line in lines), default=0)
    return min(max(estimate, _MIN_PRINTED_WIDTH), _MAX_PRINTED_WIDTH)


def split_run_in_title(paragraph: str) -> tuple[str, str]:
    """Split a run-in heading: 推动质量基础提升。夯实… → (推动质量基础提升, 夯实…)."""
    stop = paragraph.find("。")
    if 0 < stop <= _MAX_TITLE_CHARS:
        return paragraph[:stop].strip(), paragraph[stop + 1 :].strip()
    if len(paragraph) <= _MAX_TITLE_CHARS:
        return paragraph, ""
    # No sentence end near the start: the heading line is the title, the rest is body text.
    cut = _first_clause_end(paragraph)
    return paragraph[:cut].strip(), paragraph[cut:].lstrip("，,：: ").strip()


def _first_clause_end(paragraph: str) -> int:
    for mark in "：:；;，,":
        position = paragraph.find(mark)
        if 0 < position <= _MAX_TITLE_CHARS:
            return position
    return _MAX_TITLE_CHARS


def find_title(front_lines: list[str]) -> str:
    """The plan's name: its own title line, else the one named in the cover letter."""
    # A title printed on one line wins over one wrapped onto two.
    pairs = [a + b for a, b in zip(front_lines, front_lines[1:], strict=False)]
    for candidate in front_lines + pairs:
        name = _DRAFT_SUFFIX_RE.sub("", candidate).strip()
        if _is_plan_title(name):
            return name
    cover = _COVER_LETTER_RE.search("".join(front_lines))
    if cover:
        return cover.group(1).strip()
    first = front_lines[0] if front_lines else ""
    return first if len(first) <= 40 and not re.search(r"[。，；：,;:]", first) else ""


def _is_plan_title(text: str) -> bool:
    return (
        4 <= len(text) <= 60
        and bool(_PLAN_WORD_RE.search(text))
        and not re.search(r"[。，；：,;:]|关于|通知|印发", text)
    )


def find_doc_number(front_lines: list[str]) -> str | None:
    """The 文号 (绍政发〔2021〕19号) printed on the cover, as printed without spaces."""
    for line in front_lines:
        match = _DOC_NUMBER_RE.search(line)
        if match:
            return re.sub(r"\s+", "", match.group(0))
    return None


def _describe(values: set[int]) -> str:
    return " or ".join(str(value) for value in sorted(values))


def _quote(text: str) -> str:
    return repr(text if len(text) <= 24 else text[:24] + "…")


def _label(node: Node) -> str:
    if node.kind == "column":
        return f"专栏{node.number}"
    return {"chapter": "{}、", "section": "（{}）", "task": "{}．", "item": "（{}）"}[
        node.kind
    ].format(node.number)
