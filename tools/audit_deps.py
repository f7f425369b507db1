"""Dependency audit for `make check`: pip-audit against the pinned requirements.

A known vulnerability fails the check unless `docs/audit-exceptions.txt` lists its id
with a reason. When the advisory source cannot be reached (no network, or a mirror that does
not serve PyPI's JSON API, so every package comes back "not found"), the check prints a loud
warning and passes: an outage must not fail CI, a finding must.

    .venv/bin/python -m tools.audit_deps [-r requirements.txt ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXCEPTIONS = ROOT / "docs" / "audit-exceptions.txt"
TIMEOUT_SECONDS = 300


def load_exceptions(path: Path = EXCEPTIONS) -> dict[str, str]:
    """`ID  reason…` per line (GHSA-/PYSEC-/CVE- ids); `#` starts a comment."""
    exceptions: dict[str, str] = {}
    if not path.exists():
        return exceptions
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        vuln_id, _sep, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{path}: {vuln_id} has no reason; every exception needs one")
        exceptions[vuln_id.strip()] = reason.strip()
    return exceptions


def warn(message: str) -> None:
    bar = "!" * 78
    print(
        f"\n{bar}\n!!! {message}\n!!! the dependency audit was NOT done; run `make check` "
        f"again with network access\n{bar}\n",
        file=sys.stderr,
    )


def run_audit(requirements: list[str]) -> tuple[int, dict | None, str]:
    cmd = [
        sys.executable,
        "-m",
        "pip_audit",
        "--disable-pip",
        "--no-deps",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--timeout",
        "30",
    ]
    for name in requirements:
        cmd += ["-r", name]
    try:
        done = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        return -1, None, "pip-audit timed out"
    try:
        return done.returncode, json.loads(done.stdout), done.stderr
    except json.JSONDecodeError:
        return done.returncode, None, done.stderr or done.stdout


def evaluate(report: dict, exceptions: dict[str, str]) -> tuple[list, list, list]:
    """(vulnerabilities not excepted, excepted ones, packages that could not be audited)."""
    found, excepted, skipped = [], [], []
    for dep in report.get("dependencies", []):
        if dep.get("skip_reason"):
            skipped.append(dep["name"])
            continue
        for vuln in dep.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            entry = (dep["name"], dep.get("version"), vuln["id"], vuln.get("fix_versions", []))
            (excepted if ids & set(exceptions) else found).append(entry)
    return found, excepted, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--requirement", action="append", dest="requirements")
    args = parser.parse_args(argv)
    requirements = args.requirements or ["requirements.txt"]
    exceptions = load_exceptions()
    code, report, errors = run_audit(requirements)
    if report is None:
        warn(f"pip-audit could not reach its advisory source: {errors.strip()[-300:]}")
        return 0
    found, excepted, skipped = evaluate(report, exceptions)
    audited = len(report.get("dependencies", [])) - len(skipped)
    for name, version, vuln_id, _fixes in excepted:
        print(f"pip-audit: {name} {version} {vuln_id} excepted: {exceptions.get(vuln_id, '')}")
    if found:
        print("pip-audit: KNOWN VULNERABILITIES in the pinned requirements:")
        for name, version, vuln_id, fixes in found:
            print(f"  {name} {version}: {vuln_id} (fixed in {', '.join(fixes) or 'no release'})")
        print(f"  upgrade the pin, or list the id with a reason in {EXCEPTIONS.relative_to(ROOT)}")
        return 1
    if audited == 0:
        warn(
            "pip-audit's advisory source answered for none of the packages "
            f"({len(skipped)} skipped: {', '.join(skipped[:5])}…)"
        )
        return 0
    if skipped:
        print(f"pip-audit: could not audit {', '.join(skipped)}")
    print(f"pip-audit: no known vulnerabilities in {audited} pinned packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
