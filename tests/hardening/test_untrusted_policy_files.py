"""Files that steer the scan (ignore files, configuration, rule packs) committed as symlinks to a
secret or to an endless device, as FIFOs, or holding lines that are not what they should be: refused
as one line (exit 2) that names the file and never shows its content, without reading without bound."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from hardening.hardening_kit import Sandbox, assert_exit, assert_one_line_error, marker_rule, text
from gitutil import git

FAKE_SECRET = "GITHUB_TOKEN=ghp_FAKEsecretFAKEsecretFAKEsecret0123"
POLICY_FILES = {
    ".mcp-sentinel-ignore": "ignore file",
    ".mcp-sentinelignore": "ignore file",
    ".mcp-sentinel.yaml": "configuration file",
    "rules/pack.yaml": "rule pack",
}


def repo_with(sandbox: Sandbox, name: str, target: str) -> Path:
    repo = sandbox.work
    git(repo, "init", "-q", "-b", "main")
    (repo / "a.py").write_text("a = 1\n")
    if name == "rules/pack.yaml":
        (repo / ".mcp-sentinel.yaml").write_text("rules: [rules/pack.yaml]\n")
    (repo / name).parent.mkdir(exist_ok=True)
    if target == "fifo":
        os.mkfifo(repo / name)
    else:
        (repo / name).symlink_to(target)
    git(repo, "add", "a.py")
    return repo


@pytest.fixture
def secret_file(sandbox: Sandbox) -> str:
    path = sandbox.home / ".git-credentials"
    path.write_text(FAKE_SECRET + "\n" + "https://user:ghp_FAKEsecretFAKEsecret@github.com\n")
    return str(path)


COMMANDS = [(name, command) for name in sorted(POLICY_FILES) for command in (["scan"], ["scan", "--staged"])] \
    + [(".mcp-sentinel-ignore", ["ignore", "list"])]


@pytest.mark.parametrize("target", ["secret", "/dev/zero", "/dev/urandom", "fifo"])
@pytest.mark.parametrize(("name", "command"), COMMANDS)
def test_policy_files_are_read_only_as_regular_files(sandbox, secret_file, name, target, command):
    repo_with(sandbox, name, secret_file if target == "secret" else target)
    proc = sandbox.run([*command, "--no-cache"] if command[0] == "scan" else command, timeout=60)
    assert_exit(proc, 2)
    what = POLICY_FILES[name]
    line = assert_one_line_error(proc, Path(name).name, what)
    assert ("is a symlink" in line) if target != "fifo" else ("not a regular file" in line)
    assert "FAKEsecret" not in text(proc.stderr) + text(proc.stdout)
    sandbox.assert_clean()


def test_a_symlinked_pyproject_is_not_read(sandbox, secret_file):
    repo = sandbox.work
    git(repo, "init", "-q", "-b", "main")
    (sandbox.home / "pyproject.toml").write_text('[tool.mcp-sentinel]\nbuiltin-rules = false\n# ' + FAKE_SECRET)
    (repo / "pyproject.toml").symlink_to(sandbox.home / "pyproject.toml")
    (repo / "a.py").write_text("password = 'Zx9#kq2!Lm4$Tw8'\n")
    proc = sandbox.run(["scan", "--no-cache"])
    assert "pyproject.toml is a symlink" in text(proc.stderr)
    assert proc.returncode != 0  # the built-in rules still ran: the linked file did not turn them off
    assert "FAKEsecret" not in text(proc.stderr) + text(proc.stdout)


def test_a_rule_pack_below_a_symlinked_folder_or_outside_the_repository_is_refused(sandbox):
    repo = sandbox.work
    git(repo, "init", "-q", "-b", "main")
    (sandbox.home / "packs").mkdir()
    (sandbox.home / "packs" / "pack.yaml").write_text(marker_rule())
    (repo / "linked").symlink_to(sandbox.home / "packs")
    (repo / "a.py").write_text("a = 1\n")
    (repo / ".mcp-sentinel.yaml").write_text("rules: [linked/pack.yaml]\n")
    proc = sandbox.run(["scan", "--no-cache"])
    assert_exit(proc, 2)
    assert_one_line_error(proc, "lies below a symlink (linked)")
    (repo / ".mcp-sentinel.yaml").write_text("rules: [../home/packs/pack.yaml]\n")
    proc = sandbox.run(["scan", "--no-cache"])
    assert_exit(proc, 2)
    assert_one_line_error(proc, "outside the repository")


def test_a_rule_pack_given_on_the_command_line_may_be_a_symlink(sandbox):
    (sandbox.home / "pack.yaml").write_text(marker_rule())
    (sandbox.base / "linked.yaml").symlink_to(sandbox.home / "pack.yaml")
    (sandbox.work / "a.py").write_text("a = 'PLANTEDMARKER_1'\n")
    proc = sandbox.run(["scan", "--no-cache", "--rules", str(sandbox.base / "linked.yaml")])
    assert_exit(proc, 4)


def test_a_bad_ignore_file_line_is_named_not_shown(sandbox):
    repo = sandbox.work
    git(repo, "init", "-q", "-b", "main")
    (repo / ".mcp-sentinel-ignore").write_text(FAKE_SECRET + "\n")
    for command in (["scan", "--no-cache"], ["ignore", "list"]):
        proc = sandbox.run(command)
        assert_exit(proc, 2)
        assert_one_line_error(proc, ".mcp-sentinel-ignore: line 1: not a finding fingerprint")
        assert "FAKEsecret" not in text(proc.stderr)


def test_a_huge_policy_file_is_refused_without_reading_it(sandbox):
    repo = sandbox.work
    git(repo, "init", "-q", "-b", "main")
    with open(repo / ".mcp-sentinelignore", "wb") as fh:
        fh.truncate(20_000_000)  # 20 MB of NULs, over the 1 MB bound
    proc = sandbox.run(["scan", "--no-cache"], timeout=60)
    assert_exit(proc, 2)
    assert_one_line_error(proc, ".mcp-sentinelignore: ignore file is too large")
