"""The checks `make check` runs: a dependency finding fails, an advisory outage does not."""

from __future__ import annotations

import pytest

from tools import audit_deps


def _report(*deps):
    return {"dependencies": list(deps)}


VULN = {
    "name": "flask",
    "version": "0.1",
    "vulns": [{"id": "PYSEC-0000-1", "aliases": ["CVE-0000-1"], "fix_versions": ["0.2"]}],
}
CLEAN = {"name": "babel", "version": "2.19.0", "vulns": []}
SKIPPED = {"name": "wtforms", "skip_reason": "Dependency not found on PyPI"}


@pytest.mark.parametrize(
    ("report", "code"),
    [
        (_report(VULN, CLEAN), 1),  # a finding fails
        (_report(CLEAN, SKIPPED), 0),
        (_report(SKIPPED, SKIPPED), 0),  # the advisory source answered for nothing: warn
        (None, 0),  # pip-audit could not run or reach the network: warn
    ],
)
def test_sec_tools_audit_fails_on_findings_and_only_warns_on_outages(
    monkeypatch, report, code, capsys
):
    monkeypatch.setattr(audit_deps, "run_audit", lambda reqs: (1, report, "network down"))
    monkeypatch.setattr(audit_deps, "load_exceptions", lambda: {})
    assert audit_deps.main([]) == code
    if report is None or report == _report(SKIPPED, SKIPPED):
        assert "NOT done" in capsys.readouterr().err


def test_sec_tools_a_documented_exception_lets_the_finding_pass(monkeypatch, tmp_path):
    listed = tmp_path / "exceptions.txt"
    listed.write_text("# comment\nCVE-0000-1  only the CLI is affected; we never run it\n")
    exceptions = audit_deps.load_exceptions(listed)
    assert exceptions == {"CVE-0000-1": "only the CLI is affected; we never run it"}
    monkeypatch.setattr(audit_deps, "run_audit", lambda reqs: (1, _report(VULN), ""))
    monkeypatch.setattr(audit_deps, "load_exceptions", lambda: exceptions)
    assert audit_deps.main([]) == 0


def test_sec_tools_an_exception_without_a_reason_is_refused(tmp_path):
    listed = tmp_path / "exceptions.txt"
    listed.write_text("CVE-0000-1\n")
    with pytest.raises(SystemExit):
        audit_deps.load_exceptions(listed)


def test_sec_tools_the_repository_exceptions_file_parses():
    assert isinstance(audit_deps.load_exceptions(), dict)
