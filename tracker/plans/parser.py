"""Plan-text parser: turns the extracted text of a 规划 into its heading tree and indicators — pure.

Input is text as it comes out of a PDF, a .docx or a law database: lines broken mid-sentence,
page-number footers (``— 4 —``, ``-3``, ``一1一``, ``7``), a table of contents, radicals in
place of characters, full-width and ASCII heading markers mixed. The steps each live in their
own module: characters and lines are normalised (normalise), indicator tables are read
(indicator_table), the file is split into documents and back matter (documents), headings
are recognised (headings) and hung on a tree (builder), and responsibility and deadline
notes are read (annotations). Nothing in here knows about a particular plan. Where the text
is ambiguous the text is kept and a warning says what could not be placed. ``parse_plan``
never raises.
"""

import logging
import re
from dataclasses import dataclass

from tracker.plans.annotations import annotate
from tracker.plans.builder import Line, Node, TreeBuilder, display_width, split_run_in_title
from tracker.plans.documents import (
    back_matter_start,
    document_starts,
    find_doc_number,
    find_title,
    is_plan_title,
    single_year,
)
from tracker.plans.headings import Candidate, heading_candidate, starts_with_lead_phrase
from tracker.plans.indicator_grid import extract_grid_tables
from tracker.plans.indicator_table import Indicator, extract_indicator_tables
from tracker.plans.normalise import (
    contents_lines,
    is_export_header,
    is_toc_line,
    normalise_characters,
    split_glued,
)
from tracker.plans.ocr import OCR_MARK

logger = logging.getLogger(__name__)

__all__ = [
    "Candidate",
    "Line",
    "Node",
    "ParsedPlan",
    "display_width",
    "heading_candidate",
    "parse_plan",
    "split_run_in_title",
]

_FOOTER_RE = re.compile(r"^[—\-–－一~～\s]*\d{1,3}[—\-–－一~～\s]*$")
_RULE_LINE_RE = re.compile(r"^[=＝\-－_＿*＊~～—]{4,}$")
_FRONT_MATTER_LINES = 60
# A page with fewer letters than this has no text layer (a page number is not text).
_MIN_PAGE_LETTERS = 2


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
    empty_pages = _pages_without_text(text)
    text = text.replace(OCR_MARK, "")
    raw = [_clean(line) for line in re.split(r"\r\n|\r|\n", normalise_characters(text))]
    if not any(raw):
        return ParsedPlan(
            title="", doc_number=None, nodes=[], indicators=[], warnings=["the text is empty"]
        )
    raw = ["" if is_toc_line(line) or is_export_header(line) else line for line in raw]
    contents = contents_lines(raw, lambda line: heading_candidate(line) is not None)
    raw = ["" if index in contents else line for index, line in enumerate(raw)]
    indicators, spans, warnings = extract_grid_tables(raw)
    in_grid = {index for span in spans for index in range(span.start, span.end)}
    found, text_spans, text_warnings = extract_indicator_tables(
        ["" if index in in_grid else line for index, line in enumerate(raw)]
    )
    indicators, spans, warnings = _merge_tables(
        indicators, found, spans + text_spans, warnings + text_warnings
    )
    in_table = {index for span in spans for index in range(span.start, span.end)}
    lines: list[Line] = []
    for index, line in enumerate(raw):
        if index in in_table or not line or _is_noise(line):
            continue
        for piece_index, piece in enumerate(split_glued(line, _starts_paragraph)):
            lines.append(Line(piece, index + 1, display_width(piece), glued=piece_index > 0))
    cut = back_matter_start([line.text for line in lines])
    back_matter = "\n".join(line.text for line in lines[cut:])
    lines = lines[:cut]
    builder, prelude, skipped = _best_document(lines)
    warnings = empty_pages + builder.warnings + warnings
    if skipped:
        warnings.append(
            "the file holds more than one document; parsed the one with the most headings, "
            "skipped: " + "; ".join(skipped)
        )
    if not builder.roots:
        warnings.append("no headings recognised: the whole text is kept as preamble")
    front = [line.text for line in builder.lines[: builder.first_heading_index]]
    front = front[:_FRONT_MATTER_LINES]
    title = find_title(front) or find_title(prelude[:_FRONT_MATTER_LINES])
    if not title:
        warnings.append("no plan title found before the first heading")
    if builder.roots and not is_plan_title(title) and not any(n.children for n in builder.roots):
        warnings.append(
            "this may not be a plan: its title does not name a plan (规划, 计划, 方案, 意见 …) "
            "and its headings have no sections, tasks or 专栏 under them"
        )
    annotate(builder.roots, single_year(title))
    return ParsedPlan(
        title=title,
        doc_number=find_doc_number(prelude[:_FRONT_MATTER_LINES] + front),
        nodes=builder.roots,
        indicators=indicators,
        warnings=warnings,
        preamble="\n".join(prelude + builder.preamble),
        back_matter=back_matter,
    )


def _pages_without_text(text: str) -> list[str]:
    """A page (between form feeds) with no letters is a scan or blank: say which, so the
    office knows what the preview is missing."""
    pages = text.split("\f")
    read_by_ocr = [
        f"page {number} is a scan read by text recognition (OCR): check its text"
        for number, page in enumerate(pages, start=1)
        if page.lstrip().startswith(OCR_MARK)
    ]
    # Blank pages after the last text (a back cover, a trailing page break) miss nothing.
    while pages and sum(ch.isalpha() for ch in pages[-1]) < _MIN_PAGE_LETTERS:
        pages.pop()
    if len(pages) < 2:
        return read_by_ocr
    return read_by_ocr + [
        f"page {number} has no text (a scanned image or a blank page): anything printed on "
        "it is missing here (text recognition is not installed, ran out of time or read "
        "nothing), so type it in or import a PDF with a text layer"
        for number, page in enumerate(pages, start=1)
        if sum(ch.isalpha() for ch in page) < _MIN_PAGE_LETTERS
    ]


def _clean(line: str) -> str:
    """Page breaks and indentation off; a grid row keeps the tabs around its empty cells."""
    line = line.replace("\f", "")
    if line.count("\t") >= 2 and line.strip(" \t\u3000\xa0"):
        return line.strip(" \u3000\xa0")
    return line.strip(" \t\u3000\xa0")


def _merge_tables(first, second, spans, warnings):
    """Indicators of grid and text tables together; numbered afresh if numbers repeat."""
    indicators = list(first) + list(second)
    if len({row.number for row in indicators}) < len(indicators):
        for number, row in enumerate(indicators, start=1):
            row.number = number
    return indicators, spans, warnings


def _starts_paragraph(text: str) -> bool:
    return heading_candidate(text) is not None or starts_with_lead_phrase(text)


def _best_document(lines: list[Line]) -> tuple[TreeBuilder, list[str], list[str]]:
    """Build every document in the file; keep the one with the most headings.

    Returns its builder, the text before the first document (the cover notice) and the
    titles of the documents skipped.
    """
    starts = document_starts([line.text for line in lines])
    if not starts:
        builder = TreeBuilder(lines)
        builder.run()
        return builder, [], []
    bounds = [*starts, len(lines)]
    builders = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        builder = TreeBuilder(lines[start:end])
        builder.run()
        builders.append(builder)
    best = max(builders, key=lambda b: _count(b.roots))
    skipped = [b.lines[0].text for b in builders if b is not best]
    return best, [line.text for line in lines[: starts[0]]], skipped


def _count(nodes: list[Node]) -> int:
    return sum(1 + _count(node.children) for node in nodes)


def _is_noise(line: str) -> bool:
    """Page-number footers and separator rules carry no content."""
    return bool(_FOOTER_RE.match(line) or _RULE_LINE_RE.match(line))
