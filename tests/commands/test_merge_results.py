"""`mcp-sentinel merge-results`: one valid run per tool, rules re-indexed, duplicates dropped, clear errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from sentinel_hooks.cli import main
from tests.report.conftest import write_project

pytestmark = pytest.mark.needs_git


@pytest.fixture
def sarif_files(tmp_path: Path, monkeypatch) -> dict[str, Path]:
    """SARIF logs of two parallel scans over different parts of one repository, and of the whole."""
    monkeypatch.chdir(write_project(tmp_path))
    out = {}
    for name, paths in {"app": ["app.py"], "rest": ["web", "dir with space"], "all": ["."]}.items():
        out[name] = tmp_path / f"{name}.sarif"
        main(["scan", *paths, "--no-builtin-rules", "--rules", str(tmp_path / "pack.yaml"),
              "-o", "sarif", "--output-file", str(out[name])])
    return out


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def result_keys(run: dict) -> list[tuple]:
    return sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                   r["partialFingerprints"]["mcpSentinel/v1"]) for r in run["results"])


def test_parallel_scans_merge_into_the_whole_scan(sarif_files, tmp_path, sarif_schema):
    jsonschema = pytest.importorskip("jsonschema")
    combined = tmp_path / "combined.sarif"
    assert main(["merge-results", str(sarif_files["app"]), str(sarif_files["rest"]), "--output", str(combined)]) == 0
    merged = load(combined)
    jsonschema.validate(merged, sarif_schema)
    assert len(merged["runs"]) == 1
    run, whole = merged["runs"][0], load(sarif_files["all"])["runs"][0]
    assert result_keys(run) == result_keys(whole)
    rules = run["tool"]["driver"]["rules"]
    assert sorted(r["id"] for r in rules) == sorted(r["id"] for r in whole["tool"]["driver"]["rules"])
    assert len({r["id"] for r in rules}) == len(rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["automationDetails"]["id"] == "mcp-sentinel/"


def test_identical_results_are_kept_once(sarif_files, tmp_path):
    combined = tmp_path / "combined.sarif"
    assert main(["merge-results", str(sarif_files["all"]), str(sarif_files["app"]), str(sarif_files["all"]),
                 "-o", str(combined)]) == 0
    run = load(combined)["runs"][0]
    assert result_keys(run) == result_keys(load(sarif_files["all"])["runs"][0])


def test_other_tools_keep_their_own_run(sarif_files, tmp_path, capsys):
    other = load(sarif_files["app"])
    other["runs"][0]["tool"]["driver"]["name"] = "another-scanner"
    other_path = tmp_path / "other.sarif"
    other_path.write_text(json.dumps(other), encoding="utf-8")
    assert main(["merge-results", str(sarif_files["rest"]), str(other_path)]) == 0
    merged = json.loads(capsys.readouterr().out)
    assert [r["tool"]["driver"]["name"] for r in merged["runs"]] == ["mcp-sentinel", "another-scanner"]


def test_failed_invocation_stays_failed(sarif_files, tmp_path, capsys):
    failed = load(sarif_files["app"])
    failed["runs"][0]["invocations"][0]["executionSuccessful"] = False
    failed_path = tmp_path / "failed.sarif"
    failed_path.write_text(json.dumps(failed), encoding="utf-8")
    assert main(["merge-results", str(sarif_files["rest"]), str(failed_path)]) == 0
    assert json.loads(capsys.readouterr().out)["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_rule_index_is_remapped_when_rule_order_differs(tmp_path, capsys):
    def log(rules: list[str], result_rule: str) -> Path:
        data = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t", "rules": [{"id": r} for r in rules]}},
                                               "results": [{"ruleId": result_rule, "ruleIndex": rules.index(result_rule),
                                                            "message": {"text": "m."}}]}]}
        path = tmp_path / f"{'-'.join(rules)}.sarif"
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    assert main(["merge-results", str(log(["a", "b"], "a")), str(log(["c", "b"], "b"))]) == 0
    run = json.loads(capsys.readouterr().out)["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["a", "b", "c"]
    assert [(r["ruleId"], r["ruleIndex"]) for r in run["results"]] == [("a", 0), ("b", 1)]


@pytest.mark.parametrize("content, message", [
    ("not json at all", "not a SARIF file (invalid JSON)"),
    ('{"findings": []}', "not a SARIF 2.1.0 file (version is None)"),
    ('{"version": "2.1.0", "runs": [{"tool": {}}]}', "runs[0] has no tool.driver.name"),
    ("[1, 2]", "the top level is not an object"),
])
def test_invalid_content_is_exit_2_with_one_line(tmp_path, capsys, content, message):
    bad = tmp_path / "bad.sarif"
    bad.write_text(content, encoding="utf-8")
    assert main(["merge-results", str(bad)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_unreadable_input_is_exit_8(tmp_path, capsys):
    assert main(["merge-results", str(tmp_path / "missing.sarif")]) == 8
    assert "missing.sarif: no such file" in capsys.readouterr().err
    assert main(["merge-results", str(tmp_path)]) == 8
    assert "is a directory" in capsys.readouterr().err


def test_merged_log_on_a_cp1252_console_is_utf8(tmp_path: Path, monkeypatch):
    """Windows pipes default to cp1252; SARIF is UTF-8 whatever the console."""
    import io
    import sys

    log = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t", "rules": []}},
                                         "results": [{"ruleId": "r", "message": {"text": "a \u2192 b \U0001f600"}}]}]}
    (tmp_path / "one.sarif").write_text(json.dumps(log), encoding="utf-8")
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="cp1252"))
    assert main(["merge-results", str(tmp_path / "one.sarif")]) == 0
    sys.stdout.flush()
    merged = json.loads(raw.getvalue().decode("utf-8"))
    assert merged["runs"][0]["results"][0]["message"]["text"] == "a \u2192 b \U0001f600"
