"""Compare a plan parse (the ``plan parse --json`` dict) with a hand-written truth file.

The schema is ``../shared/plans/truth/README.md``: every key but ``file`` and ``chapters`` is
optional, and a key the truth leaves out is not checked. ``check_truth`` returns the list of
differences (empty: the parse is exact) so a failing test names all of them at once.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# CI checks the shared folder out beside the repository; a worktree sits beside it too.
SHARED_PLANS = REPO_ROOT.parent / "shared" / "plans"

_QUOTES = "\"'“”‘’「」『』"
_DASHES = "‐‑‒–—―－﹣−"


def fold(text: str | None) -> str:
    """Whitespace and quotes dropped, full-width ASCII and dashes folded; radicals kept."""
    out = []
    for ch in text or "":
        if ch.isspace() or ch in _QUOTES:
            continue
        if "\uff01" <= ch <= "\uff5e":
            ch = chr(ord(ch) - 0xFEE0)
        elif ch in _DASHES:
            ch = "-"
        out.append(ch)
    return "".join(out)


_CN = dict(zip("〇一二三四五六七八九", range(10), strict=True)) | {"零": 0}


def number_value(number: str | None) -> int | None:
    """一 = 1 = 01 = （一）: the value of a heading number, None if not a number."""
    text = unicodedata.normalize("NFKC", number or "").strip("()（）、.． ")
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _CN:
            current = _CN[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            return None
    return total + current if text else None


def _walk(nodes, in_column=False, depth=0):
    for node in nodes:
        yield node, in_column, depth
        yield from _walk(node.get("children", []), in_column or node["kind"] == "column", depth + 1)


def _subtree_text(node, skip_columns=True) -> str:
    parts = [node.get("title", ""), node.get("text", "")]
    for child in node.get("children", []):
        if skip_columns and child["kind"] == "column":
            continue
        parts.append(_subtree_text(child, skip_columns))
    return "\n".join(parts)


def _count(node, kind) -> int:
    return sum(1 for child, _, _ in _walk(node.get("children", [])) if child["kind"] == kind)


def _find_path(roots, path: str):
    nodes, node = roots, None
    for part in path.split("/"):
        want = number_value(part)
        node = next(
            (n for n in nodes if n["kind"] != "column" and number_value(n["number"]) == want),
            None,
        )
        if node is None:
            return None
        nodes = node.get("children", [])
    return node


def _title(title: str, ignore: list[str]) -> str:
    for pattern in ignore:
        title = re.sub(pattern, "", title or "")
    return fold(title)


def check_truth(parsed: dict, truth: dict) -> list[str]:
    """Every way ``parsed`` differs from ``truth``; [] when it is exact."""
    problems: list[str] = []
    roots = parsed.get("nodes", [])
    every = list(_walk(roots))
    ignore = truth.get("title_ignore", [])
    if "title" in truth:
        want = truth["title"]
        if (want is None and parsed.get("title")) or (
            want is not None and fold(parsed.get("title")) != fold(want)
        ):
            problems.append(f"title {parsed.get('title')!r} != {want!r}")
    for phrase in truth.get("title_not_contains", []):
        if fold(phrase) in fold(parsed.get("title")):
            problems.append(f"title holds {phrase!r}")
    if "doc_number" in truth and fold(parsed.get("doc_number")) != fold(truth["doc_number"]):
        problems.append(f"doc_number {parsed.get('doc_number')!r} != {truth['doc_number']!r}")
    if "levels" in truth:
        problems += _check_levels(roots, truth["levels"])
    chapters = [n for n, inside, _ in every if n["kind"] == "chapter" and not inside]
    titles = [_title(n["title"], ignore) for n in chapters]
    if titles != [fold(t) for t in truth["chapters"]]:
        problems.append(f"chapters {[n['title'] for n in chapters]} != {truth['chapters']}")
    for index, want in enumerate(truth.get("counts", [])):
        if index >= len(chapters):
            break
        got = {kind: _count(chapters[index], kind) for kind in want}
        if got != want:
            problems.append(f"counts of chapter {index + 1}: {got} != {want}")
    for kind, want in truth.get("numbers", {}).items():
        got = [n["number"] for n, inside, _ in every if n["kind"] == kind and not inside]
        if [number_value(x) for x in got] != [number_value(x) for x in want]:
            problems.append(f"numbers of {kind}: {got} != {want}")
    for path, want in truth.get("titles_sample", {}).items():
        node = _find_path(roots, path)
        if node is None or _title(node["title"], ignore) != fold(want):
            problems.append(f"title at {path}: {node and node['title']!r} != {want!r}")
    for key, expect in (("text_contains", True), ("text_absent", False)):
        for path, phrase in truth.get(key, []):
            node = _find_path(roots, path)
            found = node is not None and fold(phrase) in fold(_subtree_text(node))
            if node is None or found != expect:
                problems.append(f"{key} {path}: {phrase!r} (node found: {node is not None})")
    problems += _check_columns(every, truth.get("columns"))
    problems += _check_indicators(parsed.get("indicators", []), truth.get("indicators"))
    problems += _check_annotations(every, truth)
    for phrase in truth.get("nowhere", []):
        for node, _, _ in every:
            if fold(phrase) in fold(node.get("title")) or fold(phrase) in fold(node.get("text")):
                problems.append(f"nowhere: {phrase!r} in {node['number']} {node['title']!r}")
                break
    for phrase in truth.get("not_titles", []):
        for node, _, _ in every:
            if fold(phrase) in fold(node.get("title")):
                problems.append(f"not_titles: {phrase!r} in title {node['title']!r}")
                break
    return problems


def _check_levels(roots, levels: list[str]) -> list[str]:
    problems = []
    for root in roots:
        if root["kind"] != levels[0]:
            problems.append(f"root {root['number']} {root['title']!r} is a {root['kind']}")

    def visit(node, rank):
        for child in node.get("children", []):
            if node["kind"] == "column":
                if child["kind"] != "item":
                    problems.append(f"column {node['number']} holds a {child['kind']}")
                continue
            if child["kind"] == "column":
                visit(child, rank)
                continue
            if child["kind"] not in levels or levels.index(child["kind"]) <= rank:
                problems.append(
                    f"{child['kind']} {child['number']} {child['title']!r} under {node['kind']}"
                )
                continue
            visit(child, levels.index(child["kind"]))

    for root in roots:
        if root["kind"] in levels:
            visit(root, levels.index(root["kind"]))
    return problems


def _check_columns(every, columns) -> list[str]:
    if columns is None:
        return []
    problems = []
    found = {number_value(n["number"]): n for n, _, _ in every if n["kind"] == "column"}
    if set(found) != {number_value(k) for k in columns}:
        problems.append(f"columns {sorted(found)} != {sorted(columns)}")
    for key, want in columns.items():
        column = found.get(number_value(key))
        if column is None:
            continue
        items = [c for c in column.get("children", []) if c["kind"] == "item"]
        if "title" in want and fold(column["title"]) != fold(want["title"]):
            problems.append(f"column {key} title {column['title']!r} != {want['title']!r}")
        if "entries" in want and len(items) != want["entries"]:
            problems.append(f"column {key}: {len(items)} entries != {want['entries']}")
        for number, title in want.get("entry_titles_sample", {}).items():
            item = next((i for i in items if number_value(i["number"]) == int(number)), None)
            if item is None or fold(item["title"]) != fold(title):
                problems.append(f"column {key} entry {number}: {item and item['title']!r}")
        body = fold(_subtree_text(column, skip_columns=False))
        for phrase in want.get("contains", []):
            if fold(phrase) not in body:
                problems.append(f"column {key} lacks {phrase!r}")
        for phrase in want.get("absent", []):
            if fold(phrase) in body:
                problems.append(f"column {key} holds {phrase!r}")
    return problems


def _check_indicators(rows, want) -> list[str]:
    if want is None:
        return []
    problems = []
    if "count" in want and len(rows) != want["count"]:
        problems.append(f"{len(rows)} indicators != {want['count']}")
    if "categories" in want:
        got = list(dict.fromkeys(r.get("category") for r in rows))
        if [fold(c) for c in got] != [fold(c) for c in want["categories"]]:
            problems.append(f"indicator categories {got} != {want['categories']}")
    if "binding" in want:
        got = sum(1 for r in rows if r.get("attribute") == "约束性")
        if got != want["binding"]:
            problems.append(f"{got} binding indicators != {want['binding']}")
    for name, target in want.get("sample", []):
        row = next((r for r in rows if fold(name) in fold(r.get("name"))), None)
        if row is None or fold(str(row.get("target"))) != fold(str(target)):
            problems.append(f"indicator {name!r}: {row and row.get('target')!r} != {target!r}")
    return problems


def _check_annotations(every, truth) -> list[str]:
    problems = []
    nodes = [n for n, _, _ in every]
    for key in ("responsibility", "deadline"):
        if f"{key}_count" in truth:
            got = sum(1 for n in nodes if n.get(key))
            if got != truth[f"{key}_count"]:
                problems.append(f"{got} nodes with {key} != {truth[f'{key}_count']}")
    for title, lead, co in truth.get("responsibility_sample", []):
        node = next((n for n in nodes if fold(title) in fold(n["title"])), None)
        got = (node or {}).get("responsibility")
        if not got:
            problems.append(f"no responsibility on {title!r}")
            continue
        got_lead, got_co = [fold(x) for x in got["lead"]], [fold(x) for x in got["co"]]
        if lead is None:
            ok = got_lead + got_co == [fold(x) for x in co]
        else:
            ok = got_lead == [fold(x) for x in lead] and got_co == [fold(x) for x in co]
        if not ok:
            problems.append(f"responsibility of {title!r}: {got['lead']} / {got['co']}")
    for title, raw, date in truth.get("deadline_sample", []):
        node = next((n for n in nodes if fold(title) in fold(n["title"])), None)
        got = (node or {}).get("deadline")
        if not got or fold(got.get("raw")) != fold(raw) or got.get("date") != date:
            problems.append(f"deadline of {title!r}: {got!r} != {raw!r} {date!r}")
    return problems
