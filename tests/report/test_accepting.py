"""The accept/suppress hint under a report: the finding's fingerprint and its file type's comment."""
from __future__ import annotations

from sentinel_hooks.findings import Confidence, Finding, Severity
from sentinel_hooks.report.accepting import hint_lines, inline_comment


def finding(path: str) -> Finding:
    f = Finding(rule_id="demo-rule", title="t", severity=Severity.HIGH, confidence=Confidence.HIGH, cwe="CWE-1",
                path=path, line=1, column=1, end_line=1, end_column=2, snippet="", message="m", remediation="")
    f.fingerprint = "0123abcd:0"
    return f


def test_comment_form_per_file_type():
    assert inline_comment(finding("a.py")) == "# mcp-sentinel: ignore[demo-rule] <reason>"
    assert inline_comment(finding("src/a.TS")) == "// mcp-sentinel: ignore[demo-rule] <reason>"
    assert inline_comment(finding("t.html")) == "<!-- mcp-sentinel: ignore[demo-rule] <reason> -->"
    assert inline_comment(finding("web/.npmrc")) == "; mcp-sentinel: ignore[demo-rule] <reason>"
    assert inline_comment(finding("notes.unknown")) == "# mcp-sentinel: ignore[demo-rule] <reason>"
    assert inline_comment(finding(".cursor/mcp.json")) is None  # JSON has no comments


def test_hint_names_the_first_findings_fingerprint():
    lines = hint_lines([finding("cfg.json"), finding("a.py")])
    assert 'mcp-sentinel ignore add 0123abcd:0 --reason "<why>"' in lines[1]
    assert len(lines) == 2  # no inline form offered for a JSON file
    assert hint_lines([]) == []
