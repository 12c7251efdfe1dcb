"""Named paths that do not exist: which ones git knows as deleted."""
from __future__ import annotations

from pathlib import Path

from gitutil import git
from sentinel_hooks.sources.missing import deleted_in_git, deleted_paths, unknown_paths


def repo_with_history(make_repo) -> Path:
    repo = make_repo()
    (repo / "kept.py").write_text("x = 1\n")
    (repo / "old.py").write_text("x = 1\n")
    (repo / "pkg").mkdir()
    (repo / "pkg" / "mod.py").write_text("x = 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    git(repo, "rm", "-q", "-r", "old.py", "pkg")
    git(repo, "commit", "-qm", "two: delete old.py and pkg/")
    return repo


def test_deleted_in_history_at_head_and_in_the_index(make_repo):
    repo = repo_with_history(make_repo)
    (repo / "kept.py").unlink()  # tracked, gone from the work tree
    found = deleted_in_git(repo, ["old.py", "pkg", "pkg/mod.py", "kept.py", "never.py", "ol"])
    assert found == {"old.py", "pkg", "pkg/mod.py", "kept.py"}
    git(repo, "rm", "-q", "--cached", "kept.py")  # a staged deletion: at HEAD only
    assert deleted_in_git(repo, ["kept.py"]) == {"kept.py"}


def test_paths_as_given_relative_to_the_working_directory(make_repo, monkeypatch):
    repo = repo_with_history(make_repo)
    (repo / "sub").mkdir()
    monkeypatch.chdir(repo / "sub")
    assert deleted_paths([Path("../old.py"), Path("../never.py")]) == {Path("../old.py")}
    assert unknown_paths(["../old.py", "../never.py", "../kept.py"]) == [("../never.py", "no such file or directory")]


def test_pathspec_magic_in_a_name_is_taken_literally(make_repo):
    repo = repo_with_history(make_repo)
    assert deleted_in_git(repo, ["*.py", ":(glob)**", "old.?y"]) == set()


def test_outside_a_repository_nothing_is_deleted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert deleted_paths([Path("gone.py")]) == set()
    assert unknown_paths(["gone.py"]) == [("gone.py", "no such file or directory")]
