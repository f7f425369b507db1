"""The documents in a file: where each starts, its title and 文号, what is back matter — pure.

One file may carry a notice and two documents it issues (若干政策 and 行动计划, each with its
own title line and its own 一、); the parser reads each and keeps the one with the most
headings. Back matter (抄送 … 印发, 附件 name lists) is cut off the end so no section swallows it.
"""

import re

from tracker.plans.headings import heading_candidate

_DOC_NUMBER_RE = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［【（(]\s*(?:19|20)\d{2}\s*[〕\]］】）)]\s*\d{1,4}\s*号"
)
_PLAN_WORD_RE = re.compile(r"(?:规划|纲要|方案|计划|意见|要点|办法|细则|政策|措施|举措)$")
_TRAILING_YEARS_RE = re.compile(r"\s*[（(][^（）()]*\d{4}[^（）()]*[）)]\s*$")
_DRAFT_SUFFIX_RE = re.compile(r"\s*[（(][^）)]*稿[）)]\s*$")
_COVER_LETTER_RE = re.compile(r"关于印发\s*《?(.+?)》?\s*的通知")
_ISSUED_RE = re.compile(r"印发(?:了)?\s*《([^《》]{4,80})》")
_COLOPHON_RE = re.compile(r"^(?:抄送|主送|印送|分送)[：:]|\d{4}\s*年.*日\s*印发$")
_ATTACHMENT_RE = re.compile(r"^附\s*件\s*[0-9一二三四五六七八九十]*\s*[：:]?\s*$")
# How far below a title line the document's first heading may be.
_TITLE_TO_HEADING_LINES = 12
_COLOPHON_TAIL_LINES = 12


def find_title(front_lines: list[str]) -> str:
    """The plan's name: its own title line, else the one named in the cover letter."""
    # A title printed on one line wins over one wrapped onto two.
    pairs = [a + b for a, b in zip(front_lines, front_lines[1:], strict=False)]
    for candidate in front_lines + pairs:
        name = _DRAFT_SUFFIX_RE.sub("", candidate).strip()
        if is_plan_title(name):
            return name
    joined = "".join(front_lines)
    for pattern in (_COVER_LETTER_RE, _ISSUED_RE):
        found = pattern.search(joined)
        if found:
            return found.group(1).strip()
    first = front_lines[0] if front_lines else ""
    return first if len(first) <= 40 and not re.search(r"[。，；：,;:]", first) else ""


def is_plan_title(text: str) -> bool:
    """A line that names a plan: short, ends with 规划/计划/意见 … (a year range may follow)."""
    core = _TRAILING_YEARS_RE.sub("", text)
    return (
        4 <= len(text) <= 60
        and bool(_PLAN_WORD_RE.search(core))
        and not re.search(r"[。，；：,;:]|关于|通知|印发", text)
    )


def find_doc_number(front_lines: list[str]) -> str | None:
    """The 文号 (绍政发〔2021〕19号) printed on the cover, as printed without spaces."""
    for line in front_lines:
        match = _DOC_NUMBER_RE.search(line)
        if match:
            return re.sub(r"\s+", "", match.group(0))
    return None


def document_starts(texts: list[str]) -> list[int]:
    """Indexes of the title lines that open a document: a plan title whose first heading
    below it is numbered 一 (or 第一章/第一篇). Empty when the file holds one document."""
    starts = []
    for index in range(len(texts)):
        if not _opens_title(texts, index):
            continue
        for following in texts[index + 1 : index + 1 + _TITLE_TO_HEADING_LINES]:
            candidate = heading_candidate(following)
            if candidate is None or candidate.style not in ("cn", "zhang", "pian", "bufen"):
                continue
            if candidate.value == 1:
                starts.append(index)
            break
    return starts if len(starts) > 1 else []


def _opens_title(texts: list[str], index: int) -> bool:
    """A plan title on this line, or starting here and wrapped onto the next one."""
    if is_plan_title(_DRAFT_SUFFIX_RE.sub("", texts[index]).strip()):
        return True
    if index + 1 >= len(texts) or (index and is_plan_title(texts[index - 1] + texts[index])):
        return False
    joined = texts[index] + texts[index + 1]
    return not is_plan_title(texts[index + 1]) and is_plan_title(
        _DRAFT_SUFFIX_RE.sub("", joined).strip()
    )


def back_matter_start(texts: list[str]) -> int:
    """Where the colophon or the attachments begin (len(texts) if there are none)."""
    headed = False
    for index, text in enumerate(texts):
        if headed and _ATTACHMENT_RE.match(text):
            return index
        candidate = heading_candidate(text)
        headed = headed or (candidate is not None and candidate.style in ("cn", "zhang", "bufen"))
    for index in range(max(len(texts) - _COLOPHON_TAIL_LINES, 0), len(texts)):
        if _COLOPHON_RE.search(texts[index]):
            return index
    return len(texts)


def single_year(title: str) -> int | None:
    """The year a 年度 plan is for ("2022年工作要点"), used to date "6月底前"; None if unclear."""
    years = set(re.findall(r"(20\d{2})\s*年", title or ""))
    ranges = re.search(r"20\d{2}\s*[-－—–~～至]\s*20\d{2}", title or "")
    return int(years.pop()) if len(years) == 1 and not ranges else None
