"""The GitHub Action (action.yml) and the GitLab CI include, their shell steps run as the runners
run them: the Action's install step installs this checkout into a fresh virtualenv (standing in for
actions/setup-python's Python), the GitLab jobs' scripts run with GitLab's variables."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from recipes.conftest import CHECKOUT, GITHUB_TOKEN, bash, commit_all, shell_env

pytestmark = pytest.mark.slow
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


@pytest.fixture(scope="module")
def setup_python(tmp_path_factory) -> Path:
    """A fresh virtualenv: what actions/setup-python and GitLab's python image provide."""
    venv = tmp_path_factory.mktemp("setup-python") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    return venv / "bin"


def resolve(text: str, inputs: dict[str, str]) -> str:
    """The expressions the Action uses: inputs.*, github.action_path."""
    def value(m: re.Match) -> str:
        expr = m.group(1)
        if expr == "github.action_path":
            return str(CHECKOUT)
        if expr.startswith("inputs."):
            return inputs[expr.removeprefix("inputs.")]
        raise AssertionError(f"unexpected expression in a step's env or with: {expr}")
    return EXPRESSION.sub(value, text)


def action() -> dict:
    return yaml.safe_load((CHECKOUT / "action.yml").read_text())


def test_action_is_composite_and_splices_no_input_into_a_script():
    spec = action()
    assert spec["runs"]["using"] == "composite"
    steps = spec["runs"]["steps"]
    assert [s.get("uses", "").split("@")[0] for s in steps if "uses" in s] == [
        "actions/setup-python", "github/codeql-action/upload-sarif"]
    for step in steps:
        if "run" in step:
            assert "${{" not in step["run"], step["name"]  # inputs arrive through env only
            assert step["shell"] == "bash"


def test_action_installs_from_its_checkout_scans_and_hands_sarif_to_the_upload(ci_checkout, setup_python,
                                                                             tmp_path):
    clone, _, _ = ci_checkout
    spec = action()
    inputs = {name: str(i.get("default", "")) for name, i in spec["inputs"].items()}
    runner_temp, step_summary, output = tmp_path / "runner-temp", tmp_path / "summary.md", tmp_path / "output"
    runner_temp.mkdir()
    env = shell_env(clone, GITHUB_BASE_REF="main", GITHUB_EVENT_NAME="pull_request", RUNNER_TEMP=str(runner_temp),
                    GITHUB_STEP_SUMMARY=str(step_summary), GITHUB_OUTPUT=str(output))
    env["PATH"] = os.pathsep.join([str(setup_python), env["PATH"].split(os.pathsep, 1)[1]])  # not the test venv
    codes = []
    for step in spec["runs"]["steps"]:
        if "run" not in step:
            continue
        step_env = {**env, **{k: resolve(str(v), inputs) for k, v in (step.get("env") or {}).items()}}
        proc = bash(step["run"], clone, errexit=True, env=step_env)  # GitHub: bash -e -o pipefail
        codes.append(proc.returncode)
        if proc.returncode:
            break
    assert (setup_python / "mcp-sentinel").exists()  # installed from the checkout into the new Python
    assert codes == [0, 3]  # the scan step fails the job on the CRITICAL
    upload = next(s for s in spec["runs"]["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert upload["if"].startswith("always()")
    sarif = json.loads((clone / resolve(upload["with"]["sarif_file"], inputs)).read_text())
    run = sarif["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["github-pat-classic"]
    assert run["automationDetails"]["id"] == resolve(upload["with"]["category"], inputs)
    assert run["properties"]["mode"] == "baseline"
    assert "exit-code=3" in output.read_text()
    assert step_summary.read_text().startswith("### MCP Sentinel: 1 finding")


def gitlab_jobs() -> dict:
    return yaml.safe_load((CHECKOUT / "ci" / "mcp-sentinel.gitlab-ci.yml").read_text())


def gitlab_job(name: str, clone: Path, bin_dir: Path, **variables: str) -> subprocess.CompletedProcess:
    """before_script and script of a job (after `extends`), with its and GitLab's variables."""
    jobs = gitlab_jobs()
    job = {**jobs[jobs[name]["extends"]], **jobs[name]}
    env = shell_env(clone, CI="true", **{**{k: str(v) for k, v in (job.get("variables") or {}).items()}, **variables})
    env["PATH"] = os.pathsep.join([str(bin_dir), env["PATH"].split(os.pathsep, 1)[1]])
    script = "\n".join(job["before_script"] + job["script"])
    return bash(script, clone, errexit=True, env=env)  # a GitLab job stops at the first failing line


def test_gitlab_include_merge_request_job(ci_checkout, setup_python):
    clone, base, head = ci_checkout
    proc = gitlab_job("mcp-sentinel-merge-request", clone, setup_python, MCP_SENTINEL_PACKAGE=str(CHECKOUT),
                      CI_PIPELINE_SOURCE="merge_request_event", CI_MERGE_REQUEST_DIFF_BASE_SHA=base,
                      CI_COMMIT_SHA=head)
    assert proc.returncode == 3, proc.stderr
    report = json.loads((clone / "gl-sast-report.json").read_text())
    assert [v["identifiers"][0]["value"] for v in report["vulnerabilities"]] == ["github-pat-classic"]
    assert gitlab_jobs()[".mcp-sentinel"]["artifacts"]["reports"]["sast"] == "gl-sast-report.json"
    assert f"Changes: {base[:7]}" in (clone / "mcp-sentinel.md").read_text()


def test_gitlab_include_parallel_full_scan_shards_join_into_the_whole(ci_checkout, setup_python):
    clone, _, _ = ci_checkout
    for i in range(5):
        (clone / f"mod{i}.py").write_text(f'KEY{i} = "{GITHUB_TOKEN}"\n')
    commit_all(clone, "more files")
    whole = bash("mcp-sentinel scan . -o sarif --output-file whole.sarif", clone)
    assert whole.returncode == 3
    for index in ("1", "2", "3"):  # `parallel: 3`
        proc = gitlab_job("mcp-sentinel-full", clone, setup_python, MCP_SENTINEL_PACKAGE=str(CHECKOUT),
                          CI_NODE_INDEX=index, CI_NODE_TOTAL="3", CI_COMMIT_BRANCH="main", CI_DEFAULT_BRANCH="main")
        assert proc.returncode in (0, 3), proc.stderr
        assert json.loads((clone / f"mcp-sentinel-{index}.sarif").read_text())["runs"][0]["properties"]["counts"]
    merged = bash("mcp-sentinel merge-results mcp-sentinel-*.sarif --output-file combined.sarif", clone)
    assert merged.returncode == 0, merged.stderr

    def fingerprints(name: str) -> list[str]:
        return sorted(r["partialFingerprints"]["mcpSentinel/v1"]
                      for r in json.loads((clone / name).read_text())["runs"][0]["results"])
    parts = [fingerprints(f"mcp-sentinel-{i}.sarif") for i in (1, 2, 3)]
    assert sum(1 for p in parts if p) >= 2  # the work is really split
    assert fingerprints("combined.sarif") == fingerprints("whole.sarif")
