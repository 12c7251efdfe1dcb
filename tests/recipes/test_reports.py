"""Items 2-6 and `--output markdown`: the reports the guide's and the README's jobs ask for."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from gitutil import git
from recipes.conftest import EXAMPLE_SERVER, bash, commit_all
from rule_packs import BACKTRACKING_RULE, pack

# the guide's "Comment PR with results" step (actions/github-script), verbatim; `github` and
# `context` are the objects github-script provides, stood in for by the harness below
PR_COMMENT_SCRIPT = r"""
const fs = require('fs');
const sarif = JSON.parse(fs.readFileSync('pr-changes.sarif', 'utf8'));

const issues = sarif.runs[0].results || [];
const criticalCount = issues.filter(i => i.level === 'error').length;
const highCount = issues.filter(i => i.level === 'warning').length;

const body = `## 🔒 MCP Sentinel Security Scan Results

**Scan Type**: Pull Request Changes
**Files Scanned**: ${sarif.runs[0].invocations[0].executionSuccessful ? '✅' : '❌'}

| Severity | Count |
|----------|-------|
| Critical | ${criticalCount} |
| High | ${highCount} |
| Medium | ${issues.filter(i => i.level === 'note').length} |

${criticalCount > 0 ? '⚠️ **Critical issues found - review required**' : '✅ No critical issues detected'}
`;

github.rest.issues.createComment({
  issue_number: context.issue.number,
  owner: context.repo.owner,
  repo: context.repo.repo,
  body: body
});
"""
GITHUB_SCRIPT_HARNESS = """
const github = {rest: {issues: {createComment: (c) => process.stdout.write(c.body)}}};
const context = {issue: {number: 7}, repo: {owner: 'o', repo: 'r'}};
(async () => { %s })();
"""

# the guide's "Run baseline comparison scan" step (GitHub Actions, pull requests)
PR_SCAN_STEP = r"""
# Scan only changed files in PR
CHANGED_FILES=$(git diff --name-only origin/main...HEAD | grep -E '\.(py|js|ts|json|yaml|yml)$' || true)

if [ -n "$CHANGED_FILES" ]; then
  echo "$CHANGED_FILES" | tr '\n' ' ' | xargs poetry run mcp-sentinel scan \
    --output sarif \
    --output-file pr-changes.sarif \
    --baseline main
fi
"""


@pytest.fixture
def example_pr(ci_checkout):
    """The pull request adds the example server (5 CRITICAL, 7 HIGH, 4 MEDIUM findings)."""
    clone, _, _ = ci_checkout
    shutil.copytree(EXAMPLE_SERVER, clone / "weather")
    commit_all(clone, "add the weather server")
    return clone


def test_pr_comment_counts_each_severity_from_sarif_levels(example_pr):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (it runs the guide's actions/github-script step)")
    proc = bash(PR_SCAN_STEP, example_pr)  # the step's exit code fails the job on findings; the comment still runs
    assert proc.returncode != 0 and (example_pr / "pr-changes.sarif").is_file(), proc.stderr
    bash(PR_SCAN_STEP.replace("--output sarif", "--output json").replace("pr-changes.sarif", "truth.json"),
         example_pr)
    truth = json.loads((example_pr / "truth.json").read_text())["summary"]
    comment = subprocess.run([node, "-e", GITHUB_SCRIPT_HARNESS % PR_COMMENT_SCRIPT], cwd=example_pr,
                             capture_output=True, text=True, timeout=120)
    assert comment.returncode == 0, comment.stderr
    assert f"| Critical | {truth['critical']} |" in comment.stdout
    assert f"| High | {truth['high']} |" in comment.stdout
    assert f"| Medium | {truth['medium']} |" in comment.stdout
    assert (truth["critical"], truth["high"], truth["medium"]) == (6, 6, 4)  # leak.py too; install.sh is filtered out; the TS exec of a destructured tool argument is CRITICAL
    assert "**Files Scanned**: ✅" in comment.stdout


def test_sarif_levels_per_severity(example_pr, sarif_schema):
    jsonschema = pytest.importorskip("jsonschema")
    proc = bash("mcp-sentinel scan weather --output sarif --output-file all.sarif", example_pr)
    assert proc.returncode == 3, proc.stderr
    log = json.loads((example_pr / "all.sarif").read_text())
    jsonschema.validate(log, sarif_schema)
    run = log["runs"][0]
    pairs = {(r["properties"]["severity"], r["level"]) for r in run["results"]}
    assert pairs == {("critical", "error"), ("high", "warning"), ("medium", "note")}
    scores = {r["id"]: float(r["properties"]["security-severity"]) for r in run["tool"]["driver"]["rules"]}
    assert all(score >= 4.0 for score in scores.values())  # GitHub still ranks by security-severity


def test_azure_recipe_writes_into_a_staging_folder_not_yet_made(ci_checkout):
    clone, _, _ = ci_checkout
    staging = clone.parent / "a" / "1"
    # the README's Azure Pipelines step; Azure expands $(Build.ArtifactStagingDirectory) before bash runs
    script = """target="${SYSTEM_PULLREQUEST_TARGETBRANCH#refs/heads/}"
mcp-sentinel scan --baseline "origin/$target" --output sarif --output-file $(Build.ArtifactStagingDirectory)/CodeAnalysisLogs/mcp-sentinel.sarif --output terminal"""
    proc = bash(script.replace("$(Build.ArtifactStagingDirectory)", str(staging)), clone,
                SYSTEM_PULLREQUEST_TARGETBRANCH="refs/heads/main")
    assert proc.returncode == 3, proc.stderr
    report = staging / "CodeAnalysisLogs" / "mcp-sentinel.sarif"
    assert [r["ruleId"] for r in json.loads(report.read_text())["runs"][0]["results"]] == ["github-pat-classic"]
    assert "github-pat-classic" in proc.stdout


SLOW_PACK = pack(BACKTRACKING_RULE, name="slow")


def test_timed_out_scan_writes_its_reports_marked_unsuccessful(ci_checkout, sarif_schema):
    jsonschema = pytest.importorskip("jsonschema")
    clone, _, _ = ci_checkout
    (clone.parent / "slow.yaml").write_text(SLOW_PACK)
    (clone / "zz_hostile.py").write_text("a" * 40 + "!\n")
    # the guide's exit-code script, its scan pointed at a pack that cannot finish in time
    script = """poetry run mcp-sentinel scan . \\
  --output sarif \\
  --output-file results.sarif \\
  --output json --output-file results.json --output terminal \\
  --rules ../slow.yaml --timeout 2

EXIT_CODE=$?
case $EXIT_CODE in
  7)
    echo "scan timeout"
    ;;
  *)
    echo "unexpected $EXIT_CODE"
    exit 1
    ;;
esac"""
    proc = bash(script, clone)
    assert proc.returncode == 0 and "scan timeout" in proc.stdout, proc.stdout + proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.startswith("mcp-sentinel:")][0].startswith(
        "mcp-sentinel: scan timed out after 2s")
    log = json.loads((clone / "results.sarif").read_text())
    jsonschema.validate(log, sarif_schema)
    run = log["runs"][0]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert "timed out" in invocation["toolExecutionNotifications"][-1]["message"]["text"]
    # what was scanned before the limit is there (the files sort before the hostile one)
    assert "github-pat-classic" in [r["ruleId"] for r in run["results"]]
    assert json.loads((clone / "results.json").read_text())["scan"]["incomplete"].startswith("scan timed out")
    assert "Incomplete: scan timed out after 2s" in proc.stdout  # the terminal report too


def test_output_file_alone_takes_its_format_from_the_extension(ci_checkout):
    clone, _, _ = ci_checkout
    proc = bash("mcp-sentinel scan leak.py --output-file r.json --output-file r.sarif --output-file r.md", clone)
    assert proc.returncode == 3, proc.stderr
    assert proc.stdout == ""
    assert json.loads((clone / "r.json").read_text())["summary"]["critical"] == 1
    assert json.loads((clone / "r.sarif").read_text())["version"] == "2.1.0"
    assert (clone / "r.md").read_text().startswith("### MCP Sentinel: 1 finding")


def test_output_file_with_an_unknown_extension_is_refused(ci_checkout):
    clone, _, _ = ci_checkout
    proc = bash("mcp-sentinel scan leak.py --output-file report.txt", clone)
    assert proc.returncode == 2
    assert proc.stderr.startswith("mcp-sentinel: --output-file report.txt: no --output names its format")
    assert not (clone / "report.txt").exists()


def test_severity_threshold_says_what_it_hid(example_pr):
    # the guide's basic GitHub job, reading the summary in the log
    proc = bash("""poetry run mcp-sentinel scan weather \\
            --output sarif \\
            --output-file security-results.sarif \\
            --severity-threshold HIGH \\
            --output terminal""", example_pr)
    assert proc.returncode == 3
    assert "12 findings (5 critical, 7 high) at or above HIGH; 4 below the threshold not shown (4 medium)" \
        in proc.stdout
    run = json.loads((example_pr / "security-results.sarif").read_text())["runs"][0]
    assert run["properties"]["belowThreshold"] == {"medium": 4}
    proc = bash("mcp-sentinel scan weather --severity-threshold high -o json", example_pr)
    assert json.loads(proc.stdout)["summary"]["below_threshold"] == {"medium": 4}
    proc = bash("mcp-sentinel scan weather --severity-threshold high -o html", example_pr)
    assert "<dt>Below the threshold (not shown)</dt><dd>4 medium</dd>" in proc.stdout


def test_markdown_summary_for_the_step_summary(ci_checkout):
    clone, base, _ = ci_checkout
    hostile = clone / "x|y @octocat <img src=x> `z`.py"
    hostile.write_text('KEY = "ghp_' + "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8" + '"\n')
    commit_all(clone, "hostile name")
    summary = clone.parent / "step-summary.md"
    proc = bash('mcp-sentinel scan --baseline auto --output markdown >> "$GITHUB_STEP_SUMMARY"', clone,
                GITHUB_BASE_REF="main", GITHUB_STEP_SUMMARY=str(summary))
    assert proc.returncode == 3, proc.stderr
    text = summary.read_text()
    assert text.startswith("### MCP Sentinel: 2 findings at or above LOW\n")
    assert f"Changes: {base[:7]} (merge-base of origin/main) → working tree" in text
    assert "| Critical | 2 |" in text
    rows = [line for line in text.splitlines() if line.startswith("| CRITICAL |")]
    assert len(rows) == 2 and all(row.count(" | ") == 4 for row in rows)  # severity, context, location, rule, finding
    assert "``x\\|y @octocat <img src=x> `z`.py:1``" in text  # literal in a code span: no mention, no tag
    assert "`leak.py:1`" in text


def test_a_format_paired_with_another_formats_extension_is_warned_about(ci_checkout):
    clone, _, _ = ci_checkout
    proc = bash("mcp-sentinel scan leak.py --output json --output sarif --output-file r.sarif", clone)
    assert proc.returncode == 3
    assert proc.stderr.splitlines() == ["mcp-sentinel: warning: the json report goes to r.sarif, whose extension says "
                                        "sarif (--output and --output-file pair in order)"]
    assert json.loads((clone / "r.sarif").read_text())["version"] == "1"  # as asked, in order
    # JSON documents of other formats in .json files are as intended
    proc = bash("mcp-sentinel scan leak.py --output gitlab-sast --output-file gl-sast-report.json "
                "--output sarif --output-file results.sarif.json", clone)
    assert proc.returncode == 3 and proc.stderr == ""
