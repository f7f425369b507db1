"""No module but the review kernel (tracker/transitions.py) writes the review state of a
report, an indicator value or an extension request: a walk over tracker/'s source.

What counts as a write: `update(<Model>)…values(state=…)`, `claim(<Model>, …, values={"state":
…})`, a dict `{"state": ReviewState.X.value}` handed to some other writer (not an audit's
before/after), an assignment or setattr to `.state`, and a constructor `<Model>(state=…)` with
any state but the initial one (draft, pending). Demo modules seed history rows directly and are
exempt from the constructor rule only.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "tracker"
KERNEL = ROOT / "transitions.py"
MODELS = {
    "Report",
    "IndicatorValue",
    "ExtensionRequest",
    "MilestonePlan",
    "Milestone",
    "ItemAssignment",
    "Instruction",
}
INITIAL = {
    "ReviewState.DRAFT.value",
    "ExtensionState.PENDING.value",
    "AckState.PENDING.value",
    "InstructionState.OPEN.value",
    "'draft'",
    "'pending'",
}


def _chain_models(node) -> set[str]:
    """Model names passed to update(...) anywhere down a method chain."""
    found = set()
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id == "update":
                found |= {a.id for a in node.args if isinstance(a, ast.Name)}
            node = node.func
        else:
            node = node.value
    return found


def _has_state_key(node) -> bool:
    return isinstance(node, ast.Dict) and any(
        isinstance(k, ast.Constant) and k.value == "state" for k in node.keys
    )


def state_writes(source: str, *, demo: bool = False) -> list[tuple[int, str]]:
    """(line, what) for every write of a review state in `source`."""
    found = []
    tree = ast.parse(source)
    journal = {
        id(k.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for k in node.keywords
        if k.arg in ("before", "after")
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and id(node) not in journal:
            for key, value in zip(node.keys, node.values, strict=True):
                text = ast.unparse(value) if value is not None else ""
                named = text.startswith(
                    ("ReviewState.", "ExtensionState.", "AckState.", "InstructionState.")
                )
                is_state = isinstance(key, ast.Constant) and key.value == "state"
                if is_state and named and text not in INITIAL:
                    found.append((node.lineno, "a target state handed to a writer"))
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and part.attr == "state":
                        found.append((node.lineno, "assignment to .state"))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        keywords = {k.arg: k.value for k in node.keywords}
        second = node.args[1] if len(node.args) > 1 else None
        if name == "setattr" and isinstance(second, ast.Constant) and second.value == "state":
            found.append((node.lineno, "setattr state"))
        sets_state = "state" in keywords or any(_has_state_key(a) for a in node.args)
        if name == "values" and sets_state and _chain_models(func) & MODELS:
            found.append((node.lineno, "UPDATE … SET state"))
        claimed = getattr(node.args[0], "id", None) if node.args else None
        if name == "claim" and claimed in MODELS and _has_state_key(keywords.get("values")):
            found.append((node.lineno, "claim(…, values={'state': …})"))
        made = ast.unparse(keywords["state"]) if "state" in keywords else None
        if name in MODELS and made is not None and made not in INITIAL and not demo:
            found.append((node.lineno, f"{name}(state=…) not initial"))
    return found


def test_only_the_kernel_writes_review_states():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if path == KERNEL:
            continue
        demo = "demo" in path.relative_to(ROOT).parts or path.stem == "demo"
        for line, what in state_writes(path.read_text(encoding="utf-8"), demo=demo):
            offenders.append(f"{path.relative_to(ROOT.parent)}:{line}: {what}")
    assert not offenders, "\n".join(offenders)


def test_the_walk_sees_each_kind_of_write():
    source = """
update(Report).where(Report.id == 1).values(state="verified")
update(IndicatorValue).values({"state": "submitted"}, version=2)
claim(Report, report, 3, values={"state": "submitted"})
report.state = "returned"
setattr(request, "state", "approved")
ExtensionRequest(item_id=1, state=ExtensionState.APPROVED.value)
_guarded_update(row, expected, {"state": ReviewState.SUBMITTED.value})
"""
    assert sorted(line for line, _ in state_writes(source)) == [2, 3, 4, 5, 6, 7, 8]
    harmless = """
update(OutboxMessage).values(state="pending")
Report(item_id=1, state=ReviewState.DRAFT.value)
ExtensionRequest(state=ExtensionState.PENDING.value)
before = {"state": report.state}
audit(actor, "x", obj, now, before={"state": ReviewState.SUBMITTED.value})
"""
    assert state_writes(harmless) == []
