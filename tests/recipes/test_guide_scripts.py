"""The users' guide's shell scripts and GitHub Actions steps, taken from the guide itself and run
through bash in a merge-request clone (`poetry run` is the test's virtualenv)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from recipes.conftest import GITHUB_TOKEN, bash, commit_all

GUIDE = "users-guide/ci-cd-integration-guide.md"


@pytest.fixture
def guide(shared_dir: Path) -> str:
    return (shared_dir / GUIDE).read_text(encoding="utf-8")


def block_after(text: str, heading: str, language: str) -> str:
    section = text.split(heading, 1)[1]
    return re.search(rf"```{language}\n(.*?)```", section, flags=re.S).group(1)


def test_exit_code_script(guide, ci_checkout):
    clone, _, _ = ci_checkout
    proc = bash(block_after(guide, "### Using Exit Codes in Scripts", "bash"), clone)
    assert proc.returncode == 1 and "Critical vulnerabilities found - failing build" in proc.stdout, proc.stderr
    assert json.loads((clone / "results.sarif").read_text())["runs"][0]["results"]


def test_parallel_scanning_then_merge(guide, ci_checkout):
    clone, _, _ = ci_checkout
    for folder in ("src", "tests"):
        (clone / folder).mkdir()
    (clone / "src" / "app.py").write_text(f'KEY = "{GITHUB_TOKEN}"\n')
    (clone / "tests" / "test_app.py").write_text("def test_x():\n    assert True\n")
    commit_all(clone, "folders")
    proc = bash(block_after(guide, "### 3. Parallel Scanning", "bash"), clone)
    assert proc.returncode == 0, proc.stderr
    run = json.loads((clone / "combined.sarif").read_text())["runs"][0]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]] == ["src/app.py"]


def test_incremental_scanning(guide, ci_checkout):
    clone, _, _ = ci_checkout
    script = block_after(guide, "### 4. Incremental Scanning", "bash")
    proc = bash(script, clone, CI_EVENT_NAME="pull_request")
    assert proc.returncode == 123 and "github-pat-classic" in proc.stdout, proc.stderr  # xargs: scan exited 3
    assert "skipped: 1 deleted" in proc.stdout and proc.stderr == ""
    proc = bash(script, clone, CI_EVENT_NAME="push")
    assert proc.returncode == 3 and proc.stderr == ""


@pytest.mark.parametrize("heading", ["### 1. Async Concurrency Tuning", "### 2. Selective Scanning"])
def test_tuning_and_selective_scanning(guide, ci_checkout, heading):
    clone, _, _ = ci_checkout
    proc = bash(block_after(guide, heading, "bash"), clone)
    assert proc.returncode == 3, proc.stderr
    assert "1 finding (1 critical)" in proc.stdout


def test_resource_monitoring(guide, ci_checkout):
    clone, _, _ = ci_checkout
    if not Path("/usr/bin/time").exists():
        pytest.skip("/usr/bin/time is not installed (apt-get install time)")
    proc = bash(block_after(guide, "### 4. Resource Monitoring", "bash"), clone)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"Max memory: \d+KB, CPU time: [\d.]+s", proc.stdout)


def github_steps(guide: str, heading: str) -> list[dict]:
    return yaml.safe_load(block_after(guide, heading, "yaml"))["jobs"]["security-scan"]["steps"]


def test_github_basic_integration(guide, ci_checkout):
    clone, _, _ = ci_checkout
    step = next(s for s in github_steps(guide, "### Basic Integration") if s.get("name") == "Run security scan")
    proc = bash(step["run"], clone, errexit=True)
    assert proc.returncode == 3, proc.stderr
    run = json.loads((clone / "security-results.sarif").read_text())["runs"][0]
    assert run["properties"]["threshold"] == "high" and len(run["results"]) == 1


@pytest.mark.parametrize("event", ["pull_request", "push"])
def test_github_advanced_configuration(guide, ci_checkout, event):
    """The steps whose `if:` holds for the event, in order; the PR comment script runs under node
    with stand-ins for github-script's `github` and `context`."""
    clone, _, _ = ci_checkout
    steps = {s.get("name"): s for s in github_steps(guide, "### Advanced Configuration")}
    if event == "pull_request":
        scan = bash(steps["Run baseline comparison scan"]["run"], clone, errexit=True)
        assert scan.returncode == 123, scan.stderr  # xargs: the scan exited 3 (a CRITICAL)
        sarif = clone / "pr-changes.sarif"
    else:
        scan = bash(steps["Run full scan"]["run"], clone, errexit=True)
        assert scan.returncode == 3, scan.stderr
        assert (clone / "full-scan.html").is_file()
        sarif = clone / "full-scan.sarif"
    run = json.loads(sarif.read_text())["runs"][0]  # the upload step's file is there
    assert [r["level"] for r in run["results"]] == ["error"]
    if event == "pull_request":
        node = shutil.which("node")
        if node is None:
            pytest.skip("node is not installed (it runs the guide's actions/github-script step)")
        harness = ("const github = {rest: {issues: {createComment: (c) => process.stdout.write(c.body)}}};\n"
                   "const context = {issue: {number: 7}, repo: {owner: 'o', repo: 'r'}};\n"
                   "(async () => { %s })();" % steps["Comment PR with results"]["with"]["script"])
        comment = subprocess.run([node, "-e", harness], cwd=clone, capture_output=True, text=True, timeout=120)
        assert comment.returncode == 0, comment.stderr
        assert "| Critical | 1 |" in comment.stdout and "| High | 0 |" in comment.stdout
        assert "**Files Scanned**: ✅" in comment.stdout


def test_security_gate_per_branch(guide, make_repo):
    """A feature branch lets HIGH through (`--exit-code-on-high 0`); main fails on it."""
    repo = make_repo()
    (repo / "app.py").write_text("import pickle\n\ndef load(blob):\n    return pickle.loads(blob)\n")
    commit_all(repo, "high only")
    steps = {s["name"]: s for s in yaml.safe_load(block_after(guide, "### 5. Security Gate Configuration", "yaml"))}
    feature = bash(steps["Security scan (feature branch)"]["run"], repo, errexit=True)
    assert feature.returncode == 0, feature.stdout + feature.stderr
    assert "HIGH" in feature.stdout
    main = bash(steps["Security scan (main branch)"]["run"], repo, errexit=True)
    assert main.returncode == 4
