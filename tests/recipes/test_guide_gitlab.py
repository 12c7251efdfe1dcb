"""The users' guide's `.gitlab-ci.yml`, its jobs' scripts taken from the guide itself, parsed as GitLab
parses YAML and run through bash (its `poetry install` done already: the test's virtualenv)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from recipes.conftest import bash

GUIDE = "users-guide/ci-cd-integration-guide.md"


@pytest.fixture
def guide_gitlab(shared_dir: Path) -> dict:
    text = (shared_dir / GUIDE).read_text(encoding="utf-8")
    section = text.split("### `.gitlab-ci.yml` Configuration", 1)[1]
    return yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, flags=re.S).group(1))


def job_script(job: dict) -> str:
    return "\n".join(str(line) for line in job["script"])


def test_security_scan_job_with_folded_continuation_lines(guide_gitlab, ci_checkout):
    """Its script is a plain YAML scalar with `\\` line ends, which YAML folds into one line where
    each `\\ ` escapes a space: the scanner receives ` --output`, ` --output-file`, ..."""
    clone, _, _ = ci_checkout
    script = job_script(guide_gitlab["security-scan"])
    assert "\\ --output sarif" in script  # folded as GitLab folds it
    proc = bash(script, clone, errexit=True)
    assert proc.returncode == 3, proc.stderr  # the CRITICAL fails the job, the report is there
    sarif = json.loads((clone / "security-results.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["github-pat-classic"]
    assert sarif["runs"][0]["properties"]["threshold"] == "high"


@pytest.mark.parametrize("event", ["merge_request_event", "push"])
def test_security_matrix_job(guide_gitlab, ci_checkout, event):
    clone, base, head = ci_checkout
    job = guide_gitlab["security-matrix"]
    proc = bash(job_script(job), clone, errexit=True, PYTHON_VERSION="3.11", CI_PIPELINE_SOURCE=event,
                CI_MERGE_REQUEST_DIFF_BASE_SHA=base, CI_COMMIT_SHA=head)
    assert proc.returncode == 3, proc.stderr
    name = "mr-scan-3.11.sarif" if event == "merge_request_event" else "full-scan-3.11.sarif"
    results = json.loads((clone / name).read_text())["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["github-pat-classic"]
    if event == "push":
        assert (clone / "full-scan-3.11.html").read_text().lstrip().lower().startswith("<!doctype html>")
