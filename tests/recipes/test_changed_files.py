"""Item 1: recipes that hand `git diff --name-only` to a full scan name the files a change deletes."""
from __future__ import annotations

import json

from recipes.conftest import bash


def sarif_rules(path) -> list[str]:
    return [r["ruleId"] for r in json.loads(path.read_text())["runs"][0]["results"]]


def test_gitlab_merge_request_recipe_skips_the_deleted_file_and_reports_the_leak(ci_checkout):
    clone, base, head = ci_checkout
    # the guide's GitLab `security-matrix` job, merge-request branch
    proc = bash("""mcp-sentinel scan \\
          --output sarif \\
          --output-file mr-scan-3.11.sarif \\
          $(git diff --name-only $CI_MERGE_REQUEST_DIFF_BASE_SHA...$CI_COMMIT_SHA)""", clone,
                CI_MERGE_REQUEST_DIFF_BASE_SHA=base, CI_COMMIT_SHA=head)
    assert proc.returncode == 3, proc.stderr  # the CRITICAL decides, not the deleted file
    assert "old_config.py" not in proc.stderr
    assert "github-pat-classic" in sarif_rules(clone / "mr-scan-3.11.sarif")
    run = json.loads((clone / "mr-scan-3.11.sarif").read_text())["runs"][0]
    assert run["properties"]["skipped"] == {"deleted": 1}
    assert run["invocations"][0]["executionSuccessful"] is True


def test_incremental_recipe_through_xargs(ci_checkout):
    clone, _, _ = ci_checkout
    # the guide's "Incremental Scanning" best practice
    proc = bash("""CHANGED_FILES=$(git diff --name-only origin/main...HEAD)
  echo "$CHANGED_FILES" | xargs mcp-sentinel scan""", clone)
    assert proc.returncode == 123, proc.stderr  # xargs' code for "the command exited 1-125": the job fails
    assert "github-pat-classic" in proc.stdout
    assert "skipped: 1 deleted" in proc.stdout
    assert proc.stderr == ""


def test_deleted_file_still_in_the_index_of_the_work_tree(ci_checkout):
    """`rm` without `git rm`: tracked at HEAD, gone from the work tree."""
    clone, _, _ = ci_checkout
    (clone / "server.py").unlink()
    proc = bash("mcp-sentinel scan server.py leak.py --output json --output-file r.json", clone)
    assert proc.returncode == 3, proc.stderr
    assert json.loads((clone / "r.json").read_text())["summary"]["skipped"] == {"deleted": 1}


def test_a_path_that_never_existed_is_reported_and_everything_else_still_scanned(ci_checkout):
    clone, _, _ = ci_checkout
    proc = bash("mcp-sentinel scan leak.py no-such-file.py server.py --output sarif --output-file r.sarif "
                "--output json --output-file r.json", clone)
    assert proc.returncode == 8  # errors take precedence over findings
    assert proc.stderr.splitlines() == ["mcp-sentinel: error: no-such-file.py: no such file or directory"]
    report = json.loads((clone / "r.json").read_text())
    assert report["summary"]["files_scanned"] == 2 and report["summary"]["critical"] == 1
    assert report["summary"]["errors"] == [{"path": "no-such-file.py", "reason": "no such file or directory"}]
    run = json.loads((clone / "r.sarif").read_text())["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert "github-pat-classic" in [r["ruleId"] for r in run["results"]]


def test_a_missing_path_outside_any_repository(tmp_path):
    (tmp_path / "app.py").write_text("x = 1\n")
    proc = bash("mcp-sentinel scan app.py gone.py", tmp_path)
    assert proc.returncode == 8
    assert proc.stderr.splitlines() == ["mcp-sentinel: error: gone.py: no such file or directory"]
    assert "Scanned 1 file" in proc.stdout


def test_diff_scan_of_named_files_skips_deleted_and_reports_unknown(ci_checkout):
    clone, _, _ = ci_checkout
    # the guide's pull-request step names the changed files and compares with main
    proc = bash("""CHANGED_FILES=$(git diff --name-only origin/main...HEAD | grep -E '\\.(py|js|ts|json|yaml|yml)$' || true)
echo "$CHANGED_FILES" | tr '\\n' ' ' | xargs mcp-sentinel scan --output json --output-file pr.json --baseline main""",
                clone)
    assert proc.stderr == "" and proc.returncode == 123  # xargs: the scan exited 3
    assert json.loads((clone / "pr.json").read_text())["summary"]["critical"] == 1
    proc = bash("mcp-sentinel scan --baseline main old_config.py leak.py typo.py -o json --output-file pr.json", clone)
    assert proc.returncode == 8
    assert proc.stderr.splitlines() == ["mcp-sentinel: error: typo.py: no such file or directory"]
    summary = json.loads((clone / "pr.json").read_text())["summary"]
    assert summary["critical"] == 1 and summary["errors"] == [{"path": "typo.py", "reason": "no such file or directory"}]
