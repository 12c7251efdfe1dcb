"""SARIF 2.1.0: schema, GitHub's ingestion fields, fingerprints, suppressions, no machine paths."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sentinel_hooks.cli import main
from sentinel_hooks.findings import Confidence, Finding, Severity
from sentinel_hooks.report import sarif
from sentinel_hooks.scan_result import ScanResult, ScanScope
from tests.report.conftest import SECRET


def results_by_rule(run: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in run["results"]:
        out.setdefault(r["ruleId"], []).append(r)
    return out


def test_validates_against_the_sarif_schema(scan, sarif_schema):
    jsonschema = pytest.importorskip("jsonschema")
    log = scan("sarif").load("sarif")
    jsonschema.validate(log, sarif_schema)
    assert log["version"] == "2.1.0"


def test_driver_and_one_rule_entry_per_fired_rule(scan):
    run = scan("sarif").load("sarif")["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "mcp-sentinel"
    assert driver["semanticVersion"].count(".") == 2 and driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    assert sorted(ids) == ["demo-debug", "demo-eval", "demo-script-tag", "demo-token"]  # not demo-unused
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_rule_metadata_for_github(scan):
    rules = {r["id"]: r for r in scan("sarif").load("sarif")["runs"][0]["tool"]["driver"]["rules"]}
    token = rules["demo-token"]
    assert token["shortDescription"]["text"] == "Demo service token."
    assert "written in the source" in token["fullDescription"]["text"]
    assert "Revoke the token" in token["help"]["text"] and "Revoke the token" in token["help"]["markdown"]
    assert "security" in token["properties"]["tags"] and "external/cwe/cwe-798" in token["properties"]["tags"]
    assert token["defaultConfiguration"]["level"] == "error"
    scores = {rid: float(r["properties"]["security-severity"]) for rid, r in rules.items()}
    assert scores["demo-token"] >= 9.0
    assert 7.0 <= scores["demo-eval"] <= 8.9
    assert 4.0 <= scores["demo-script-tag"] <= 6.9
    assert 0.1 <= scores["demo-debug"] <= 3.9
    assert all(isinstance(r["properties"]["security-severity"], str) for r in rules.values())
    assert {rid: r["properties"]["precision"] for rid, r in rules.items()} == {
        "demo-token": "high", "demo-eval": "low", "demo-script-tag": "medium", "demo-debug": "medium"}
    assert {rid: r["defaultConfiguration"]["level"] for rid, r in rules.items()} == {
        "demo-token": "error", "demo-eval": "warning", "demo-script-tag": "note", "demo-debug": "none"}
    assert {rid: r["properties"]["problem.severity"] for rid, r in rules.items()} == {
        "demo-token": "error", "demo-eval": "warning", "demo-script-tag": "recommendation",
        "demo-debug": "recommendation"}


def test_results_have_relative_locations_and_full_regions(scan, tmp_path):
    report = scan("sarif")
    run = report.load("sarif")["runs"][0]
    by_rule = results_by_rule(run)
    token = by_rule["demo-token"][0]
    location = token["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    region = location["region"]
    assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) == (2, 10, 2, 39)
    assert region["snippet"]["text"] == 'TOKEN = "demo****************"'
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert "dir%20with%20space/%C3%B1ame.py" in uris
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    assert str(tmp_path) not in report.text("sarif")
    assert "file://" not in report.text("sarif")


def test_secret_appears_nowhere(scan):
    assert SECRET not in scan("sarif").text("sarif")


def test_inline_suppression_is_an_in_source_suppression(scan):
    run = scan("sarif").load("sarif")["runs"][0]
    tokens = results_by_rule(run)["demo-token"]
    assert len(tokens) == 2
    suppressed = [r for r in tokens if "suppressions" in r]
    assert len(suppressed) == 1
    assert suppressed[0]["suppressions"][0]["kind"] == "inSource"
    assert suppressed[0]["suppressions"][0]["status"] == "accepted"


def test_ignore_file_suppression_is_external_with_the_reason(scan, project):
    first = scan("json").load("json")
    eval_fp = next(f["fingerprint"] for f in first["findings"] if f["path"] == "app.py" and f["rule_id"] == "demo-eval")
    (project / ".mcp-sentinel-ignore").write_text(f"{eval_fp}  demo-eval  app.py  # reviewed: input is trusted\n")
    run = scan("sarif").load("sarif")["runs"][0]
    ignored = [r for r in run["results"] if r["partialFingerprints"]["mcpSentinel/v1"] == eval_fp]
    assert ignored[0]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "reviewed: input is trusted"}]


def test_fingerprints_survive_unrelated_lines_moving(scan, project):
    before = {r["ruleId"]: r for r in scan("sarif").load("sarif")["runs"][0]["results"]
              if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app.py" and "suppressions" not in r}
    app = project / "app.py"
    app.write_text("# a new header comment\n\n\n" + app.read_text(encoding="utf-8").replace("import os\n", "import os\nimport sys\n"),
                   encoding="utf-8")
    after = {r["ruleId"]: r for r in scan("sarif").load("sarif")["runs"][0]["results"]
             if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app.py" and "suppressions" not in r}
    assert set(before) == set(after) == {"demo-token", "demo-debug", "demo-eval"}
    for rule_id in before:
        old, new = before[rule_id], after[rule_id]
        assert new["locations"][0]["physicalLocation"]["region"]["startLine"] == \
            old["locations"][0]["physicalLocation"]["region"]["startLine"] + 4
        assert new["partialFingerprints"] == old["partialFingerprints"]


def _finding(line: int, snippet: str, rule_id: str = "demo-eval") -> Finding:
    return Finding(rule_id=rule_id, title="Dynamic evaluation", severity=Severity.HIGH,
                   confidence=Confidence.LOW, cwe="CWE-95", path="a.py", line=line, column=1, end_line=line,
                   end_column=6, snippet=snippet, remediation="Do not.", fingerprint=f"{'0' * 32}:{line}")


def test_line_hash_ignores_whitespace_and_counts_repeats():
    hashes = sarif.line_hashes([_finding(1, "x = eval(a)"), _finding(5, "x  =  eval(a)"),
                                _finding(9, "y = eval(b)"), _finding(9, "y = eval(b)", rule_id="other")])
    digest = hashes[0].split(":")[0]
    assert hashes[0] == f"{digest}:0" and hashes[1] == f"{digest}:1"
    assert hashes[2].split(":")[0] != digest and hashes[2].endswith(":0")
    assert hashes[3] == hashes[2]  # counted per rule: another rule on the line changes nothing
    assert len(digest) == 16 and int(digest, 16) >= 0


def test_failed_files_make_execution_unsuccessful():
    result = ScanResult(rules=[], errors=[("locked.py", "Permission denied")])
    result.finished = result.started
    run = sarif.document(result)["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "locked.py" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []


def test_category_default_and_flag(scan):
    assert scan("sarif").load("sarif")["runs"][0]["automationDetails"]["id"] == "mcp-sentinel/"
    run = scan("sarif", extra=("--sarif-category", "pr-diff")).load("sarif")["runs"][0]
    assert run["automationDetails"]["id"] == "pr-diff/"


def test_absolute_paths_keep_only_the_file_name():
    assert sarif.artifact_uri("/home/someone/project/app.py") == "app.py"
    assert sarif.artifact_uri("C:\\Users\\someone\\app.py") == "app.py"
    assert sarif.artifact_uri("src/a b#c.py") == "src/a%20b%23c.py"


def multitool() -> str:
    """The Multitool binary: $SARIF_MULTITOOL, on PATH, or in a node_modules here; skips otherwise."""
    candidates = [os.environ.get("SARIF_MULTITOOL"), shutil.which("Sarif.Multitool")]
    here = Path(__file__).resolve().parents[2]
    candidates += [str(base / "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool")
                   for base in (here, Path.cwd())]
    present = [c for c in candidates if c and os.path.isfile(c)]
    for path in present:
        if os.access(path, os.X_OK):
            return path
    if present:
        pytest.skip(f"{present[0]} is not executable (npm skips its postinstall chmod): chmod u+x it")
    pytest.skip("SARIF Multitool not found: npm install @microsoft/sarif-multitool and set SARIF_MULTITOOL "
                "to node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool")


def test_sarif_multitool_finds_no_errors_or_warnings(scan, tmp_path):
    tool = multitool()
    sarif_file = scan("sarif").outputs["sarif"]
    merged = tmp_path / "merged.sarif"
    assert main(["merge-results", str(sarif_file), str(sarif_file), "--output", str(merged)]) == 0
    verdict = tmp_path / "validation.sarif"
    proc = subprocess.run([tool, "validate", "--rule-kind", "Gh;Sarif", "--level", "Error;Warning",
                           "--output", str(verdict), str(sarif_file), str(merged)],
                          capture_output=True, text=True, timeout=300)
    assert verdict.is_file(), proc.stdout + proc.stderr
    findings = json.loads(verdict.read_text(encoding="utf-8-sig"))["runs"][0].get("results", [])
    problems = [f"{r['ruleId']} {r.get('level')}: {r['message']}" for r in findings
                if r.get("level", "warning") in ("error", "warning")]
    assert problems == []


def test_diff_scan_metadata_goes_into_run_properties():
    result = ScanResult(rules=[], scope=ScanScope(mode="staged", range="HEAD..index"),
                        sarif_category="pre-commit/x")
    result.finished = result.started
    run = sarif.document(result)["runs"][0]
    assert run["properties"]["mode"] == "staged" and run["properties"]["range"] == "HEAD..index"
    assert run["automationDetails"]["id"] == "pre-commit/x/"
    assert run["invocations"][0]["executionSuccessful"] is True
