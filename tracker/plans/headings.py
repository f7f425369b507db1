"""Heading detection: which lines start like a heading, in which style, of which kind — pure.

A style is a way of writing a heading number (第一篇, 第一章, 第一节, 一、, （一）, 1., （1）); its
rank orders styles from the outermost. The kind (part, chapter, section, task, item) a style
stands for depends on the plan: each style has its usual kind (一、 chapter, （一） section,
1. task, （1） item), but a plan with 第X章 above 一、 shifts them one level down and 篇 adds a
``part`` above. Whether a candidate really is a heading is decided by the tree builder.
"""

import re
import unicodedata
from dataclasses import dataclass

from tracker.plans.indicator_table import chinese_numeral

_CN = "〇零一二两三四五六七八九十百"
_DIGITS = "0-9０-９"
_NUM = rf"[{_DIGITS}]{{1,3}}|[{_CN}]+"

# Styles from the outermost; the kinds below are the usual ones.
STYLE_RANKS = {
    "bufen": 0,
    "pian": 0,
    "zhang": 1,
    "jie": 2,
    "cn": 3,
    "paren_cn": 4,
    "arabic": 5,
    "paren_arabic": 6,
}
USUAL_KINDS = {"cn": "chapter", "paren_cn": "section", "arabic": "task", "paren_arabic": "item"}
KINDS_IN_ORDER = ("part", "chapter", "section", "task", "item")

# Tried in this order; what follows the marker is checked in heading_candidate.
_PATTERNS = (
    ("column", re.compile(rf"^专栏\s*({_NUM})\s*[：:、.．]?\s*(.*)$")),
    ("pian", re.compile(rf"^第\s*({_NUM})\s*篇(?![章节])\s*(.*)$")),
    ("bufen", re.compile(rf"^第\s*({_NUM})\s*部分\s*(.*)$")),
    ("zhang", re.compile(rf"^第\s*({_NUM})\s*章\s*(.*)$")),
    ("jie", re.compile(rf"^第\s*({_NUM})\s*节\s*(.*)$")),
    ("cn", re.compile(rf"^([{_CN}]+)\s*[、．]\s*(.*)$")),
    ("paren_cn", re.compile(rf"^[（(]\s*([{_CN}]+)\s*[）)]\s*(.*)$")),
    # A PDF that lost the opening bracket glyph: "一）指导思想".
    ("paren_cn", re.compile(rf"^([{_CN}]{{1,3}})[）)]\s*(\S.*)$")),
    ("paren_arabic", re.compile(rf"^[（(]\s*([{_DIGITS}]{{1,3}})\s*[）)]\s*(.*)$")),
    ("arabic", re.compile(rf"^([{_DIGITS}]{{1,3}})\s*[．.、﹒]\s*(.*)$")),
)
# After "1．" a heading goes on with words; a digit or % means a decimal like "1.5%".
_NOT_HEADING_START = re.compile(rf"^[{_DIGITS}.．%％，,。、)）]")
# A column entry printed as "01 名称" on its own line: a short name, no sentence punctuation.
_ENTRY_LINE_RE = re.compile(r"^(0?\d{1,2})\s+([^\s，。；：,;:]{2,24})$")
# A lead phrase: a short clause closed by a full stop at the start of a paragraph.
# A run-in title ("8．推动质量基础提升。夯实…") is a phrase, not a paragraph.
_MAX_TITLE_CHARS = 60
_LEAD_PHRASE_RE = re.compile(r"^[\u4e00-\u9fff“”、—０-９0-9A-Za-z（）()]{2,24}。")


@dataclass
class Candidate:
    """A line that starts with a heading marker; whether it is a heading is decided later."""

    style: str
    number: str
    value: int
    rest: str


def heading_candidate(text: str) -> Candidate | None:
    """Classify a line by its marker; None if it does not start like a heading."""
    for style, pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        number = unicodedata.normalize("NFKC", match.group(1))
        rest = match.group(2).strip()
        if style in ("arabic", "cn") and (not rest or _NOT_HEADING_START.match(rest)):
            return None  # "2.5%", "1、2月": a number in a sentence, not a heading
        value = int(number) if number.isdigit() else chinese_numeral(number)
        return Candidate(style, number, value, rest) if value else None
    return None


def entry_candidate(text: str) -> Candidate | None:
    """A 专栏 entry written "01 名称" on a line of its own."""
    match = _ENTRY_LINE_RE.match(text)
    if not match:
        return None
    return Candidate("entry", match.group(1), int(match.group(1)), match.group(2))


def starts_with_lead_phrase(text: str) -> bool:
    """加强关键核心技术攻关。…: a paragraph that opens with its own short title."""
    return bool(_LEAD_PHRASE_RE.match(text))


def assign_kinds(styles: set[str]) -> dict[str, str]:
    """The kind each heading style stands for in a plan that uses ``styles``."""
    kinds = dict(USUAL_KINDS)
    if "pian" in styles:
        kinds["pian"] = "part"
    top = next((style for style in ("zhang", "jie") if style in styles), None)
    if "bufen" in styles:
        # 第X部分 is a part above 第X章, else the chapter level itself.
        if top is None and "pian" not in styles:
            top = "bufen"
        else:
            kinds["bufen"] = "part"
    if top is None:
        return kinds
    # 第X章 (or 节 alone) is the chapter; the styles under it take the next kinds in turn.
    kinds[top] = "chapter"
    below = [
        style
        for style in sorted(STYLE_RANKS, key=STYLE_RANKS.get)
        if STYLE_RANKS[style] > STYLE_RANKS[top] and (style in styles or style in USUAL_KINDS)
    ]
    for index, style in enumerate(below):
        kinds[style] = KINDS_IN_ORDER[min(index + 2, len(KINDS_IN_ORDER) - 1)]
    return kinds


def label(style: str, number: str) -> str:
    """The number as printed in its style, for warnings: 第三章, 三、, （一）, 1．, 专栏2."""
    return {
        "column": "专栏{}",
        "pian": "第{}篇",
        "bufen": "第{}部分",
        "zhang": "第{}章",
        "jie": "第{}节",
        "cn": "{}、",
        "paren_cn": "（{}）",
        "arabic": "{}．",
        "paren_arabic": "（{}）",
        "entry": "{} ",
    }[style].format(number)


def split_run_in_title(paragraph: str) -> tuple[str, str]:
    """Split a run-in heading: 推动质量基础提升。夯实… → (推动质量基础提升, 夯实…);
    an entry named before a colon (示范工厂：建设…) → (示范工厂, 建设…)."""
    colon = re.match(r"^([^，。；：:,;]{2,20})[：:](?=\S)", paragraph)
    if colon:
        return colon.group(1).strip(), paragraph[colon.end() :].strip()
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
