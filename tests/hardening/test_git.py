"""Diff scans in unusual repositories: detached HEAD, worktrees, submodules, sparse checkouts, LFS
pointers, no commits, shallow clones, missing refs, 10,000 changed files, no git, a corrupt object."""
from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from hardening.hardening_kit import (Sandbox, assert_exit, assert_no_traceback, assert_one_line_error,
                                     commit_all, init_repo, json_scan, lines_found, marker,
                                     marker_rule)
from gitutil import git

pytestmark = pytest.mark.needs_git

HIGH = 4


def scan(sandbox: Sandbox, *args: str, cwd: Path | None = None, timeout: float = 300):
    """A marker-rules scan with a JSON report beside the sandbox; returns (proc, report or None)."""
    (sandbox.base / "rules.yaml").write_text(marker_rule())
    return json_scan(sandbox, ["--no-builtin-rules", "--rules", str(sandbox.base / "rules.yaml"), *args],
                     cwd=cwd, timeout=timeout)


def test_detached_head(sandbox):
    repo = init_repo(sandbox.work)
    (repo / "a.py").write_text("x = 1\n")
    commit_all(repo)
    (repo / "a.py").write_text(f"x = 1\ny = '{marker(1)}'\n")
    commit_all(repo)
    git(repo, "checkout", "-q", "--detach", "HEAD")
    (repo / "a.py").write_text(f"x = 1\ny = '{marker(1)}'\nz = '{marker(2)}'\n")
    git(repo, "add", "a.py")
    proc, doc = scan(sandbox, "--staged")
    assert_exit(proc, HIGH)
    assert lines_found(doc) == {"a.py": [3]}
    proc, doc = scan(sandbox, "--baseline", "HEAD~1")
    assert_exit(proc, HIGH)
    assert lines_found(doc) == {"a.py": [2, 3]}


def test_linked_worktree(sandbox):
    repo = init_repo(sandbox.work / "main")
    (repo / "a.py").write_text("x = 1\n")
    commit_all(repo)
    tree = sandbox.work / "wt"
    git(repo, "worktree", "add", "-q", "-b", "feature", str(tree))
    (tree / "a.py").write_text(f"x = 1\ny = '{marker(3)}'\n")
    git(tree, "add", "a.py")
    proc, doc = scan(sandbox, "--staged", cwd=tree)
    assert_exit(proc, HIGH)
    assert lines_found(doc) == {"a.py": [2]}
    proc, doc = scan(sandbox, "--baseline", "main", cwd=tree)
    assert_exit(proc, HIGH)
    assert lines_found(doc) == {"a.py": [2]}
    proc, doc = scan(sandbox, cwd=tree)
    assert_exit(proc, HIGH)
    assert lines_found(doc) == {"a.py": [2]}


def test_submodule_is_skipped_not_entered(sandbox):
    sub = init_repo(sandbox.base / "subsrc")
    (sub / "inner.py").write_text(f"s = '{marker(4)}'\n")
    commit_all(sub)
    repo = init_repo(sandbox.work)
    (repo / "a.py").write_text("x = 1\n")
    commit_all(repo)
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor/sub")
    (repo / "b.py").write_text(f"b = '{marker(5)}'\n")
    git(repo, "add", "b.py")
    proc, doc = scan(sandbox, "--staged")
    assert_exit(proc, HIGH)
    assert lines_found(doc) == {"b.py": [1]}
    assert doc["summary"]["skipped"].get("submodule") == 1
    proc, doc = scan(sandbox)
    assert_exit(proc, HIGH)
    assert "b.py" in lines_found(doc)


def test_sparse_checkout(sandbox):
    repo = init_repo(sandbox.work)
    for d in ("kept", "gone"):
        (repo / d).mkdir()
        (repo / d / "a.py").write_text("x = 1\n")
    commit_all(repo)
    git(repo, "sparse-checkout", "set", "kept")
    assert not (repo / "gone").exists()
    (repo / "kept" / "a.py").write_text(f"x = 1\ny = '{marker(6)}'\n")
    proc, doc = scan(sandbox, "--baseline", "HEAD")
    assert_exit(proc, HIGH)
    assert lines_found(doc) == {"kept/a.py": [2]}
    proc, doc = scan(sandbox)
    assert_exit(proc, HIGH)
    assert lines_found(doc) == {"kept/a.py": [2]}
    git(repo, "add", "kept/a.py")
    proc, doc = scan(sandbox, "--staged")
    assert_exit(proc, HIGH)
    assert lines_found(doc) == {"kept/a.py": [2]}


def test_lfs_pointer_files_are_skipped(sandbox):
    repo = init_repo(sandbox.work)
    commit_all(repo)
    pointer = ("version https://git-lfs.github.com/spec/v1\n"
               "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n")
    (repo / "model.bin.py").write_text(pointer)
    (repo / "real.py").write_text(f"r = '{marker(8)}'\n")
    git(repo, "add", "-A")
    proc, doc = scan(sandbox, "--staged")
    assert_exit(proc, HIGH)
    assert lines_found(doc) == {"real.py": [1]}
    assert doc["summary"]["skipped"].get("git-lfs pointer") == 1


def test_repository_with_no_commits(sandbox):
    repo = init_repo(sandbox.work)
    (repo / "a.py").write_text(f"a = '{marker(9)}'\n")
    git(repo, "add", "a.py")
    proc, doc = scan(sandbox, "--staged")
    assert_exit(proc, HIGH)
    assert lines_found(doc) == {"a.py": [1]}
    proc, doc = scan(sandbox)
    assert_exit(proc, HIGH)
    proc, doc = scan(sandbox, "--baseline", "main")
    assert_exit(proc, 2)
    assert_one_line_error(proc, "'main'")
    assert doc is None


def test_baseline_that_does_not_exist(sandbox):
    repo = init_repo(sandbox.work)
    (repo / "a.py").write_text("x = 1\n")
    commit_all(repo)
    proc, doc = scan(sandbox, "--baseline", "no-such-branch")
    assert_exit(proc, 2)
    assert_one_line_error(proc, "'no-such-branch'", "names no branch, tag or commit")
    assert doc is None


def test_shallow_clone_without_the_merge_base(sandbox):
    origin = init_repo(sandbox.base / "origin")
    (origin / "a.py").write_text("x = 1\n")
    commit_all(origin)
    for i in range(3):
        (origin / "a.py").write_text(f"x = {i}\n")
        commit_all(origin)
    git(origin, "checkout", "-q", "-b", "feature")
    (origin / "f.py").write_text(f"f = '{marker(10)}'\n")
    commit_all(origin)
    git(origin, "checkout", "-q", "main")
    (origin / "m.py").write_text("m = 1\n")
    commit_all(origin)
    clone = sandbox.work / "clone"
    git(sandbox.work, "clone", "-q", "--depth", "1", "--no-single-branch", "--branch", "feature",
        f"file://{origin}", str(clone))
    proc, doc = scan(sandbox, "--baseline", "main", cwd=clone)
    assert_exit(proc, 2)
    line = assert_one_line_error(proc, "no merge-base", "shallow")
    assert "fetch-depth: 0" in line
    proc, doc = scan(sandbox, "--baseline", "gone", cwd=clone)
    assert_exit(proc, 2)
    assert_one_line_error(proc, "'gone'", "shallow")


@pytest.mark.slow
def test_diff_touching_10000_files(sandbox):
    repo = init_repo(sandbox.work)
    for d in range(10):
        (repo / f"d{d}").mkdir()
        for i in range(1000):
            (repo / f"d{d}" / f"f{i}.py").write_text(f"x = {i}\n")
    commit_all(repo)
    for d in range(10):
        for i in range(1000):
            (repo / f"d{d}" / f"f{i}.py").write_text(f"x = {i}\ny = 'PLANTEDMARKER_{d * 1000 + i}'\n")
    proc, doc = scan(sandbox, "--baseline", "HEAD", "--timeout", "600", timeout=900)
    assert_exit(proc, HIGH)
    assert len(doc["findings"]) == 10_000 and doc["summary"]["files_scanned"] == 10_000
    git(repo, "add", "-A")
    proc, doc = scan(sandbox, "--staged", "--timeout", "600", timeout=900)
    assert_exit(proc, HIGH)
    assert len(doc["findings"]) == 10_000


def test_no_git_on_path(sandbox):
    repo = init_repo(sandbox.work)
    (repo / "a.py").write_text(f"a = '{marker(11)}'\n")
    commit_all(repo)
    empty = sandbox.base / "emptybin"
    empty.mkdir()
    env = sandbox.env(PATH=str(empty))
    (sandbox.base / "rules.yaml").write_text(marker_rule())
    base = ["scan", "--no-builtin-rules", "--rules", str(sandbox.base / "rules.yaml")]
    for mode in (["--staged"], ["--baseline", "main"]):
        proc = sandbox.run(base + mode, env=env)
        assert_exit(proc, 1)
        assert_one_line_error(proc, "git is not installed or not on PATH")
        sandbox.assert_clean()
    proc = sandbox.run(base, env=env)  # a full scan walks the folder without git
    assert_exit(proc, HIGH)
    assert_no_traceback(proc)
    sandbox.assert_clean()


def corrupt_object(repo: Path, sha: str) -> None:
    path = repo / ".git" / "objects" / sha[:2] / sha[2:]
    path.chmod(0o644)
    data = zlib.decompress(path.read_bytes())
    path.write_bytes(zlib.compress(data)[:-6] + b"\0garbage")


def test_corrupted_object(sandbox):
    repo = init_repo(sandbox.work)
    (repo / "a.py").write_text("x = 1\n")
    commit_all(repo)
    (repo / "b.py").write_text(f"b = '{marker(12)}'\n")
    (repo / "c.py").write_text(f"c = '{marker(13)}'\n")
    git(repo, "add", "b.py", "c.py")
    corrupt_object(repo, git(repo, "rev-parse", ":b.py").strip())
    proc, doc = scan(sandbox, "--staged")
    assert_exit(proc, 8)
    assert lines_found(doc) == {"c.py": [1]}
    assert [e["path"] for e in doc["summary"]["errors"]] == ["b.py"]
    lines = [line for line in proc.stderr.decode().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("mcp-sentinel: error: b.py: git object ")
