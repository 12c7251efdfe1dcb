"""The hook repository, driven by the real pre-commit framework (`pre-commit try-repo`)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gitutil import git

CHECKOUT = Path(__file__).resolve().parents[2]
TOKEN = "ghp_" + "R7n2Vq9XkLm4Tz8Wc1Ya6Bd3Fe5Gh0Jk2Pq7"  # a GitHub token shape (no real account)

pytestmark = [pytest.mark.slow, pytest.mark.needs_git]


def pre_commit() -> list[str]:
    exe = Path(sys.executable).with_name("pre-commit")
    if exe.exists():
        return [str(exe)]
    if shutil.which("pre-commit"):
        return ["pre-commit"]
    pytest.skip("pre-commit is not installed (it comes with the test extras)")


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    # one hook environment for the module: pre-commit installs this checkout into it once
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(repo: Path, home: Path, hook: str, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never"}
    env.pop("PRE_COMMIT_FROM_REF", None)
    env.pop("PRE_COMMIT_TO_REF", None)
    return subprocess.run(pre_commit() + ["try-repo", str(CHECKOUT), hook, "--verbose", *extra],
                          cwd=repo, capture_output=True, text=True, timeout=900, env=env)


def test_hook_definitions_are_sensible():
    hooks = {h["id"]: h for h in yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["mcp-sentinel"]["stages"] == ["pre-commit"]
    assert "--staged" in hooks["mcp-sentinel"]["entry"]
    assert hooks["mcp-sentinel-push"]["stages"] == ["pre-push"]
    assert all(h["language"] == "python" and h["types"] == ["text"] and h["minimum_pre_commit_version"]
               for h in hooks.values())


def test_commit_with_leaked_token_is_blocked_and_only_added_lines_are_reported(make_repo, pre_commit_home):
    repo = make_repo()
    (repo / "server.py").write_text(f'OLD = "{TOKEN[:-4]}AbCd"\n\ndef tool():\n    return 1\n')
    git(repo, "add", "server.py")
    git(repo, "commit", "-qm", "older finding, already in history", "--no-verify")

    # a clean change passes
    (repo / "server.py").write_text((repo / "server.py").read_text() + "\ndef other():\n    return 2\n")
    git(repo, "add", "server.py")
    clean = try_repo(repo, pre_commit_home, "mcp-sentinel")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
    git(repo, "commit", "-qm", "clean", "--no-verify")

    # a change adding a token is blocked, with the scanner's own exit code shown
    (repo / "server.py").write_text((repo / "server.py").read_text() + f'\nTOKEN = "{TOKEN}"\n')
    git(repo, "add", "server.py")
    blocked = try_repo(repo, pre_commit_home, "mcp-sentinel")
    out = blocked.stdout
    assert blocked.returncode == 1, out + blocked.stderr
    assert "Failed" in out and ("exit code: 3" in out or "exit code: 4" in out)
    assert "github-pat" in out and "server.py" in out
    assert TOKEN not in out  # redacted
    lines = [line for line in out.splitlines() if "github-pat" in line and "ignore[" not in line]
    assert len(lines) == 1 and " 9:" in lines[0]  # only the added line 9, not the older line 1


def test_all_files_scans_whole_files_without_staged_changes(make_repo, pre_commit_home):
    repo = make_repo()
    (repo / "config.py").write_text(f'TOKEN = "{TOKEN}"\n')
    git(repo, "add", "config.py")
    git(repo, "commit", "-qm", "history", "--no-verify")
    # nothing staged: plain try-repo has no files, --all-files must scan the committed file whole
    result = try_repo(repo, pre_commit_home, "mcp-sentinel", "--all-files")
    assert result.returncode == 1 and "config.py" in result.stdout, result.stdout + result.stderr
