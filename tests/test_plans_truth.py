"""Every real plan in ../shared/plans parsed through `plan parse --json` matches its truth file.

The truth files are written by hand from the documents (schema: ../shared/plans/truth/README.md);
the comparison lives in tests/plan_truth.py. Skipped when the shared folder is not checked out
beside the repository.
"""

import json
import time

import pytest

from tests.plan_truth import SHARED_PLANS, check_truth, fold, number_value

TRUTHS = sorted((SHARED_PLANS / "truth").glob("*.json")) if SHARED_PLANS.is_dir() else []
# The budget for one plan; the real plans take well under a second.
_SECONDS_PER_PLAN = 30


@pytest.mark.skipif(not TRUTHS, reason=f"no truth files in {SHARED_PLANS}")
@pytest.mark.parametrize("truth_path", TRUTHS, ids=lambda path: path.stem)
def test_real_plan_matches_its_truth(runner, truth_path):
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    plan = SHARED_PLANS / truth["file"]
    started = time.monotonic()
    result = runner.invoke(args=["plan", "parse", str(plan), "--json"])
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started < _SECONDS_PER_PLAN
    parsed = json.loads(result.output[result.output.index("{") :])
    problems = check_truth(parsed, truth)
    assert problems == [], "\n".join(problems)


def test_truth_comparison_folds_as_the_schema_says():
    # The checker itself: quotes, spaces, full-width forms and dashes fold; radicals do not.
    assert fold("“5G＋工业互联网” 融合") == fold('"5G+工业互联网"融合')
    assert fold("（2021－2023年）") == fold("(2021-2023年)")
    assert fold("意⻅") != fold("意见")
    assert number_value("一") == number_value("1") == number_value("01") == number_value("（一）")
    assert number_value("十二") == 12


def test_truth_comparison_reports_a_wrong_parse():
    truth = {
        "file": "x.txt",
        "chapters": ["总体要求"],
        "numbers": {"section": ["一", "二"]},
        "nowhere": ["目录"],
        "responsibility_sample": [["加强领导", ["甲局"], ["乙局"]]],
    }
    parsed = {
        "title": "",
        "nodes": [
            {
                "kind": "chapter",
                "number": "一",
                "title": "总体要求",
                "text": "目录",
                "children": [
                    {"kind": "section", "number": "一", "title": "加强领导", "text": ""},
                ],
            }
        ],
    }
    problems = check_truth(parsed, truth)
    assert any("numbers of section" in p for p in problems)
    assert any("nowhere" in p for p in problems)
    assert any("no responsibility" in p for p in problems)


def hard_wrapped(text: str, width: int, lines_per_page: int = 30) -> str:
    """The text as a PDF prints it: lines cut every ``width`` characters, a page number line
    after every ``lines_per_page`` printed lines."""
    out: list[str] = []
    printed = 0
    for line in text.replace("\r", "").split("\n"):
        line = line.strip()
        while len(line) > width:
            out.append(line[:width])
            line = line[width:]
            printed += 1
            if printed % lines_per_page == 0:
                out.append(str(printed // lines_per_page))
        out.append(line)
    return "\n".join(out)


# Plans exported one paragraph per line: their truth must also hold once hard-wrapped.
UNWRAPPED = [
    path
    for path in TRUTHS
    if (SHARED_PLANS / json.loads(path.read_text(encoding="utf-8"))["file"]).suffix == ".txt"
    and max(
        map(len, (SHARED_PLANS / path.stem).with_suffix(".txt").read_text().splitlines()),
        default=0,
    )
    > 100
]


@pytest.mark.skipif(not UNWRAPPED, reason=f"no one-paragraph-per-line plans in {SHARED_PLANS}")
@pytest.mark.parametrize("width", [28, 33, 40])
@pytest.mark.parametrize("truth_path", UNWRAPPED, ids=lambda path: path.stem)
def test_the_truth_holds_when_the_plan_is_hard_wrapped(truth_path, width):
    from tracker.plans.parser import parse_plan

    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    text = (SHARED_PLANS / truth["file"]).read_text(encoding="utf-8")
    parsed = parse_plan(hard_wrapped(text, width)).to_dict()
    problems = check_truth(parsed, truth)
    assert problems == [], "\n".join(problems)
