"""Normalising plan text before parsing: characters first, then lines that carry no content — pure.

PDF text layers spell ordinary characters as compatibility forms: Kangxi radicals (⼀ U+2F00
for 一), CJK Radicals Supplement characters that NFKC leaves alone (⻅ ⺠ ⻓), small form
variants (﹒ U+FE52 for .). They are folded to the characters they stand for before anything
else looks at the text. Full-width punctuation and digits are kept as printed: they are
ordinary Chinese typography, and the heading patterns accept both widths.

Then the lines are cleaned: a table of contents (dotted leaders and page numbers), database
export headers (【法宝引证码】, 原文链接), and lines that a PDF glued together after a sentence
end ("…技术。 （二）深化推广应用") are split so the second part starts its own line.
"""

import re
import unicodedata

# CJK Radicals Supplement characters that stand for an ordinary (simplified) character in
# running text; NFKC has no mapping for them (Unicode's EquivalentUnifiedIdeograph data).
_RADICALS = dict(
    zip(
        "⺁⺇⺊⺎⺒⺓⺟⺠⺩⺬⺮⺯⺰⺻⺾⺿⻀⻁⻃⻄⻅⻆⻈⻉⻋⻌⻍⻎⻏⻐⻑⻒⻓⻔⻖⻗⻘⻙⻚⻛⻜⻝⻞⻟⻠⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳",
        "厂几卜兀巳幺母民王示竹糸纟聿艹艹艹虎覀西见角讠贝车辶辶辶阝钅長镸长门阝雨青韦页风飞食飠饣饣马骨鬼鱼鸟卤麦黄黾齐齿龙龟",
        strict=True,
    )
)
# Blocks whose NFKC forms are the ordinary characters: Kangxi radicals, CJK compatibility
# ideographs, vertical forms, CJK compatibility forms and small form variants.
_COMPAT_RANGES = (
    (0x2F00, 0x2FDF),
    (0xF900, 0xFAFF),
    (0xFE10, 0xFE1F),
    (0xFE30, 0xFE6F),
    (0x2F800, 0x2FA1F),
)
# What may glue a dropped line onto the one before it: sentence end, a space, then a heading.
_GLUE_RE = re.compile(r"(?<=[。！？；])[ \u3000\t]+(?=\S)")
_TOC_TITLE_RE = re.compile(r"^目\s*录$")
# A TOC entry: a title, a run of leader dots (or ellipses), a page number.
_TOC_ENTRY_RE = re.compile(r"^.{1,60}?(?:[.．·…⋯]\s*){4,}\s*\d{1,4}$")
# A leader cut off by a wrap (no page number), or the wrapped rest of one: dots are no text.
_LEADER_RE = re.compile(r"(?:[.．·]\s*){6,}\s*\d{0,4}$")
_EXPORT_HEADER_RE = re.compile(
    r"^(?:【法宝引证码】|原文链接[：:]|【(?:发布部门|发文字号|发布日期|实施日期|时效性|效力级别|"
    r"法规类别)】)|pkulaw\.(?:com|cn)"
)
_UNWANTED_CONTROLS = re.compile(r"[\u200b-\u200f\u2060\ufeff]")


def normalise_characters(text: str) -> str:
    """Compatibility spellings (⼀ ⻅ ﹒ 兀) folded to ordinary characters; the rest as printed."""
    out = []
    for ch in _UNWANTED_CONTROLS.sub("", text):
        code = ord(ch)
        if ch in _RADICALS:
            out.append(_RADICALS[ch])
        elif any(low <= code <= high for low, high in _COMPAT_RANGES):
            out.append(unicodedata.normalize("NFKC", ch))
        else:
            out.append(ch)
    return "".join(out)


def is_toc_line(line: str) -> bool:
    """目录 and its entries (title, leader dots, page number) carry no plan content."""
    return bool(_TOC_TITLE_RE.match(line) or _TOC_ENTRY_RE.match(line) or _LEADER_RE.search(line))


_PAGE_REF_RE = re.compile(r"\S\s*[.．·…⋯]*\s*\d{1,3}$")
# A table of contents without leader dots: this many heading lines in a row, each ending
# with a page number, and no body text between them.
_MIN_CONTENTS_RUN = 3


def contents_lines(lines: list[str], is_heading) -> set[int]:
    """Indexes of a table of contents printed without leader dots ("一、现状与形势  1").

    Its entries are headings that end with a page number: after a 目录 line every such line
    (and a bare page number), elsewhere only a run of them with no text in between.
    """
    found: set[int] = set()
    index = 0
    while index < len(lines):
        after_title = bool(_TOC_TITLE_RE.match(lines[index]))
        start = index + 1 if after_title else index
        end = start
        while end < len(lines) and (
            not lines[end]
            or (is_heading(lines[end]) and _PAGE_REF_RE.search(lines[end]))
            or (after_title and end > start and re.fullmatch(r"\d{1,3}", lines[end]))
        ):
            end += 1
        entries = sum(1 for line in lines[start:end] if line)
        if entries and (after_title or entries >= _MIN_CONTENTS_RUN):
            found.update(range(index, end))
            index = end
        else:
            index += 1
    return found


def is_export_header(line: str) -> bool:
    """Headers a law database puts on an exported document (【法宝引证码】, 原文链接 …)."""
    return bool(_EXPORT_HEADER_RE.search(line))


def split_glued(line: str, starts_paragraph) -> list[str]:
    """Split a line where a PDF glued the next paragraph on after a sentence end and a space.

    ``starts_paragraph(text)`` says whether the text after the gap opens a paragraph (a
    heading or a lead phrase); a space inside an ordinary sentence is left alone.
    """
    pieces: list[str] = []
    start = 0
    for match in _GLUE_RE.finditer(line):
        if starts_paragraph(line[match.end() :]):
            pieces.append(line[start : match.start()])
            start = match.end()
    pieces.append(line[start:])
    return [piece for piece in pieces if piece]
