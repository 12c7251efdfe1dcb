"""The Markdown summary: counts that agree with the JSON report, the top findings, and scanned text
that cannot become Markdown or HTML."""
from __future__ import annotations

from sentinel_hooks.findings import Confidence, Finding, Severity
from sentinel_hooks.report import markdown
from sentinel_hooks.scan_result import ScanResult
from tests.report.conftest import OTHER_SECRET, SECRET


def finding(path: str, line: int, severity: Severity, message: str = "m") -> Finding:
    return Finding(rule_id="r", title="t", severity=severity, confidence=Confidence.HIGH, cwe="CWE-1",
                   path=path, line=line, column=1, end_line=line, end_column=2, snippet="", message=message, remediation="")


def test_counts_agree_with_the_json_report_and_no_secret_shows(scan):
    report = scan("markdown", "json")
    text, summary = report.text("markdown"), report.load("json")["summary"]
    assert f"| Critical | {summary['critical']} |" in text and f"| High | {summary['high']} |" in text
    assert f"{summary['suppressed']} suppressed" in text
    assert SECRET not in text and OTHER_SECRET not in text
    assert "`app.py:2`" in text


def test_top_findings_worst_first_and_limited():
    result = ScanResult(rules=[])
    result.findings = [finding(f"f{i:02}.py", i, Severity.LOW) for i in range(12)] + [finding("z.py", 1, Severity.CRITICAL)]
    result.finished = result.started
    rows = [line for line in markdown.lines(result) if line.startswith("| ") and ".py:" in line]
    assert len(rows) == markdown.TOP_FINDINGS
    assert rows[0].startswith("| CRITICAL | code | `z.py:1`")
    assert "**Top findings (10 of 13)**" in markdown.lines(result)


def test_scanned_text_cannot_make_markup():
    hostile = "a|b <img src=x onerror=alert(1)> [link](https://e.example) @someone **bold** `tick`"
    escaped = markdown.text(hostile)
    assert "<img" not in escaped.replace("\\<img", "")
    assert "|" not in escaped.replace("\\|", "")
    assert "@\u200bsomeone" in escaped and "\\[link\\]" in escaped and "\\*\\*bold\\*\\*" in escaped
    assert markdown.text("line\nbreak\x1b[31m") == "line break\\\\x1b\\[31m"  # renders as line break\x1b[31m


def test_code_span_holds_backticks_and_pipes_literally():
    assert markdown.code("a`b|c") == "``a`b\\|c``"
    assert markdown.code("`x`") == "`` `x` ``"


def test_incomplete_scan_says_so():
    result = ScanResult(rules=[], incomplete="scan timed out after 2s")
    result.finished = result.started
    text = "\n".join(markdown.lines(result))
    assert text.startswith("### MCP Sentinel: incomplete scan, no findings at or above LOW")
    assert "**Incomplete:** scan timed out after 2s" in text
