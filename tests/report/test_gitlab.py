"""GitLab SAST report (schema 15.x): required fields, stable ids, identifiers, suppressed left out."""
from __future__ import annotations

import re
import uuid

from sentinel_hooks.report import gitlab
from sentinel_hooks.scan_result import ScanResult
from tests.report.conftest import SECRET

TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


def test_scan_block(scan):
    report = scan("gitlab-sast").load("gitlab-sast")
    assert re.match(r"^15\.\d+\.\d+$", report["version"])
    block = report["scan"]
    assert block["type"] == "sast" and block["status"] == "success"
    assert TIME.match(block["start_time"]) and TIME.match(block["end_time"])
    for key in ("analyzer", "scanner"):
        tool = block[key]
        assert tool["id"] == "mcp-sentinel" and tool["name"] and tool["version"] and tool["vendor"]["name"]


def test_vulnerabilities(scan):
    vulns = scan("gitlab-sast").load("gitlab-sast")["vulnerabilities"]
    token = next(v for v in vulns if v["identifiers"][0]["value"] == "demo-token")
    assert token["severity"] == "Critical"
    assert token["name"] == "Demo service token"
    assert token["description"].startswith("A demo service token")
    assert token["solution"].startswith("Revoke the token")
    assert token["location"] == {"file": "app.py", "start_line": 2, "end_line": 2}
    assert token["identifiers"] == [
        {"type": "mcp_sentinel_rule_id", "name": "mcp-sentinel rule demo-token", "value": "demo-token"},
        {"type": "cwe", "name": "CWE-798", "value": "798", "url": "https://cwe.mitre.org/data/definitions/798.html"},
    ]
    assert {v["severity"] for v in vulns} == {"Critical", "High", "Medium", "Low"}
    for v in vulns:
        assert str(uuid.UUID(v["id"])) == v["id"]
        assert set(v) <= {"id", "name", "description", "severity", "solution", "location", "identifiers", "details"}
    assert token["details"] == {"context": {"name": "Context", "type": "text", "value": "code"}}


def test_ids_are_stable_and_unique(scan, project):
    first = [v["id"] for v in scan("gitlab-sast").load("gitlab-sast")["vulnerabilities"]]
    (project / "app.py").write_text("\n\n" + (project / "app.py").read_text(encoding="utf-8"), encoding="utf-8")
    second = [v["id"] for v in scan("gitlab-sast").load("gitlab-sast")["vulnerabilities"]]
    assert len(set(first)) == len(first)
    assert sorted(first) == sorted(second)


def test_suppressed_and_ignored_findings_are_left_out(scan, project):
    data = scan("json", "gitlab-sast")
    findings = data.load("json")["findings"]
    assert len(data.load("gitlab-sast")["vulnerabilities"]) == len(findings) - 1  # the inline-suppressed one
    debug_fp = next(f["fingerprint"] for f in findings if f["rule_id"] == "demo-debug")
    (project / ".mcp-sentinel-ignore").write_text(debug_fp + "\n", encoding="utf-8")
    vulns = scan("gitlab-sast").load("gitlab-sast")["vulnerabilities"]
    assert len(vulns) == len(findings) - 2
    assert "demo-debug" not in {v["identifiers"][0]["value"] for v in vulns}


def test_secret_appears_nowhere(scan):
    assert SECRET not in scan("gitlab-sast").text("gitlab-sast")


def test_failed_files_mark_the_scan_failed():
    result = ScanResult(rules=[], errors=[("locked.py", "Permission denied")])
    assert gitlab.document(result)["scan"]["status"] == "failure"
