"""Diff scans judge the data flows a change touches, deletions included: removing a guard reports the
sink it protected (pre-commit, PR baseline and pre-push ranges alike); a finding whose flow the change
does not touch stays silent, and a deletion never reports a secret."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitutil import git
from sentinel_hooks.cli import main

pytestmark = pytest.mark.needs_git

CONTAINED_READ = '''\
from pathlib import Path

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("files")
ROOT = Path("/srv/data")


@mcp.tool()
def read_file(name: str) -> str:
    """Read a file under the data folder."""
    path = (ROOT / name).resolve()
    if not path.is_relative_to(ROOT.resolve()):
        raise ValueError("outside the data folder")
    with open(path) as fh:
        return fh.read()
'''
CONTAINMENT_CHECK = '''\
    if not path.is_relative_to(ROOT.resolve()):
        raise ValueError("outside the data folder")
'''

QUOTED_SHELL = '''\
import shlex
import subprocess

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("git")


@mcp.tool()
def log(branch: str) -> str:
    """Show the log of a branch by running the git command."""
    branch = shlex.quote(branch)
    return subprocess.run(f"git log {branch}", shell=True, capture_output=True, text=True).stdout
'''
QUOTING = '''\
    branch = shlex.quote(branch)
'''

DASH_GUARDED = '''\
import subprocess

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("git")


@mcp.tool()
def history(arg: str) -> str:
    """Run the git log command for a revision."""
    if arg.startswith("-"):
        raise ValueError("options are not accepted")
    return subprocess.run(["git", "log", arg], capture_output=True, text=True).stdout
'''
DASH_CHECK = '''\
    if arg.startswith("-"):
        raise ValueError("options are not accepted")
'''

OLD_FINDING_AND_HELPER = '''\
import os

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("ops")


@mcp.tool()
def run(command: str) -> str:
    """Run a command."""
    return os.popen(command).read()


def banner() -> str:
    # shown at start-up
    text = "ops server"
    return text.upper()
'''

SECRET_FILE = '''\
import os

TOKEN = "ghp_R7n2Vq9XkLm4Tz8Wc1Ya6Bd3Fe5Gh00YpWnA"


def headers() -> dict:
    # the deployment token
    value = os.environ.get("DEPLOY_TOKEN", TOKEN)
    return {"Authorization": f"token {value}"}
'''


def write(repo: Path, rel: str, text: str) -> None:
    (repo / rel).write_text(text, encoding="utf-8")


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def scan(capsys, *args: str) -> tuple[int, list[dict]]:
    code = main(["scan", "-o", "json", "--no-cache", *args])
    out = capsys.readouterr().out
    return code, (json.loads(out)["findings"] if out.strip() else [])


def rule_lines(findings: list[dict], path: str) -> list[tuple[str, int]]:
    return sorted((f["rule_id"], f["line"]) for f in findings if f["path"] == path)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture
def repo(make_repo, monkeypatch) -> Path:
    repo = make_repo()
    monkeypatch.chdir(repo)
    return repo


def delete_guard(repo: Path, rel: str, guarded: str, guard: str) -> str:
    """Commit ``guarded``, then stage the file without ``guard``; returns the new text."""
    write(repo, rel, guarded)
    commit_all(repo, "guarded")
    assert guard in guarded
    unguarded = guarded.replace(guard, "")
    write(repo, rel, unguarded)
    git(repo, "add", rel)
    return unguarded


def test_a_full_scan_of_the_guarded_files_finds_nothing(repo, capsys):
    """The scenarios below start from code whose guard the checks recognise."""
    for rel, text in (("files.py", CONTAINED_READ), ("gitlog.py", QUOTED_SHELL)):
        write(repo, rel, text)
    _, findings = scan(capsys, ".")
    assert [(f["rule_id"], f["line"]) for f in findings if f["category"] == "injection"] == []


@pytest.mark.parametrize("mode", ["--staged", "--baseline"])
def test_deleting_a_containment_check_reports_the_now_unguarded_open(repo, capsys, mode):
    unguarded = delete_guard(repo, "files.py", CONTAINED_READ, CONTAINMENT_CHECK)
    args = ["--staged"] if mode == "--staged" else ["--baseline", "HEAD"]
    _, findings = scan(capsys, *args)
    assert ("python-path-traversal", line_of(unguarded, "with open(path)")) in rule_lines(findings, "files.py")


@pytest.mark.parametrize("mode", ["--staged", "--baseline"])
def test_deleting_a_sanitiser_reports_the_shell_command(repo, capsys, mode):
    unguarded = delete_guard(repo, "gitlog.py", QUOTED_SHELL, QUOTING)
    args = ["--staged"] if mode == "--staged" else ["--baseline", "HEAD"]
    _, findings = scan(capsys, *args)
    sink = line_of(unguarded, "subprocess.run(")
    assert sink in [line for _, line in rule_lines(findings, "gitlog.py")]


@pytest.mark.parametrize("mode", ["--staged", "--baseline"])
def test_deleting_a_leading_dash_check_reports_what_a_full_scan_reports(repo, capsys, mode):
    """Argument injection into an argument list: whatever the rule set reports on the unguarded call in
    a full scan, the diff scan that removed the guard reports too."""
    unguarded = delete_guard(repo, "tool.py", DASH_GUARDED, DASH_CHECK)
    _, full = scan(capsys, "tool.py")
    sink = line_of(unguarded, "subprocess.run(")
    expected = [hit for hit in rule_lines(full, "tool.py") if hit[1] == sink]
    if not expected:
        pytest.skip("this rule set has no check for option injection into argument lists yet")
    args = ["--staged"] if mode == "--staged" else ["--baseline", "HEAD"]
    _, findings = scan(capsys, *args)
    assert set(expected) <= set(rule_lines(findings, "tool.py"))


def test_deleting_a_guard_is_reported_in_a_pushed_range(repo, capsys, monkeypatch):
    unguarded = delete_guard(repo, "files.py", CONTAINED_READ, CONTAINMENT_CHECK)
    base = git(repo, "rev-parse", "HEAD").strip()
    tip = commit_all(repo, "drop the containment check")
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", base)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", tip)
    _, findings = scan(capsys, "--baseline", "auto")
    assert ("python-path-traversal", line_of(unguarded, "with open(path)")) in rule_lines(findings, "files.py")


def test_a_deletion_elsewhere_leaves_an_old_finding_silent(repo, capsys):
    write(repo, "ops.py", OLD_FINDING_AND_HELPER)
    commit_all(repo, "ops")
    write(repo, "ops.py", OLD_FINDING_AND_HELPER.replace("    # shown at start-up\n", ""))
    git(repo, "add", "ops.py")
    _, findings = scan(capsys, "--staged")
    assert rule_lines(findings, "ops.py") == []


def test_an_edit_elsewhere_leaves_an_old_finding_silent(repo, capsys):
    write(repo, "ops.py", OLD_FINDING_AND_HELPER)
    commit_all(repo, "ops")
    write(repo, "ops.py", OLD_FINDING_AND_HELPER.replace('"ops server"', '"operations server"'))
    git(repo, "add", "ops.py")
    _, findings = scan(capsys, "--staged")
    assert rule_lines(findings, "ops.py") == []
    _, full = scan(capsys, "ops.py")
    assert [rule for rule, _ in rule_lines(full, "ops.py")], "the old finding is there in a full scan"


def test_an_added_line_on_the_flow_reports_the_old_sink(repo, capsys):
    write(repo, "ops.py", OLD_FINDING_AND_HELPER)
    commit_all(repo, "ops")
    changed = OLD_FINDING_AND_HELPER.replace('    """Run a command."""\n',
                                             '    """Run a command."""\n    command = command.strip()\n')
    write(repo, "ops.py", changed)
    git(repo, "add", "ops.py")
    _, findings = scan(capsys, "--staged")
    assert line_of(changed, "os.popen") in [line for _, line in rule_lines(findings, "ops.py")]


def test_a_deletion_in_a_file_with_a_secret_reports_no_secret(repo, capsys):
    write(repo, "deploy.py", SECRET_FILE)
    commit_all(repo, "deploy")
    _, full = scan(capsys, "deploy.py")
    assert any(f["category"] == "secrets" for f in full), "the file holds a secret a full scan reports"
    write(repo, "deploy.py", SECRET_FILE.replace("    # the deployment token\n", ""))
    git(repo, "add", "deploy.py")
    _, findings = scan(capsys, "--staged")
    assert findings == []
