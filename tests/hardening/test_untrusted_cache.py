"""A change cannot steer the gate through the cache: a committed cache folder, a cache folder that is a
symlink, a cache-dir in the repository's config that points elsewhere, or entries of the wrong shape."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from hardening.hardening_kit import (CACHE_DIR, assert_exit, commit_all, init_repo, json_scan,
                                     marker, marker_rule, Sandbox, text)
from gitutil import git

HIGH = 4


def pack_in_repo(repo: Path) -> None:
    """The repository names its own marker pack (so every cache the scan uses is in play)."""
    (repo / "rules").mkdir(exist_ok=True)
    (repo / "rules" / "marker.yaml").write_text(marker_rule())
    (repo / ".mcp-sentinel.yaml").write_text("rules: [rules/marker.yaml]\nbuiltin-rules: false\n")


def scan(sandbox: Sandbox, *args: str, cwd: Path | None = None, env: dict | None = None):
    """A scan with a JSON report; the cache it writes is what these cases inspect, so no clean-tree check."""
    return json_scan(sandbox, args, assert_clean=False, cwd=cwd, env=env)


def poison(cache: Path) -> None:
    """Empty every rules and results entry and turn every config entry off, keeping keys and scopes."""
    for entry in cache.rglob("*.json"):
        doc = json.loads(entry.read_text())
        if "rules" in doc:
            doc["rules"] = []
        if "findings" in doc:
            doc["findings"] = []
        if isinstance(doc.get("settings"), dict):
            doc["settings"].update(builtin_rules=False, rules=[], disabled_rules=[marker_rule_id()],
                                   severity_threshold="critical")
        entry.write_text(json.dumps(doc))


def marker_rule_id() -> str:
    return "hardening-marker"


def committed_cache_clone(sandbox: Sandbox, user_cache_in_repo: bool) -> Path:
    """A PR that force-adds a cache folder filled by a real run at the very path CI checks it out to
    (so every key matches), then poisoned; returned as a fresh clone of that PR."""
    origin = init_repo(sandbox.base / "origin")
    pack_in_repo(origin)
    (origin / "a.py").write_text("a = 1\n")
    commit_all(origin, force=True)
    git(origin, "checkout", "-q", "-b", "pr")
    git(origin, "config", "receive.denyCurrentBranch", "ignore")
    clone = sandbox.work / "clone"
    git(sandbox.work, "clone", "-q", "--no-local", "-b", "pr", str(origin), str(clone))
    (clone / "a.py").write_text(f"a = '{marker(1)}'\n")
    env = sandbox.env()
    if user_cache_in_repo:  # the per-user cache where the PR could commit it, to poison that too
        env["XDG_CACHE_HOME"] = str(clone / CACHE_DIR / "user")
    proc, doc = scan(sandbox, cwd=clone, env=env)
    assert_exit(proc, HIGH)
    proc, doc = scan(sandbox, "--baseline", "origin/main", cwd=clone, env=env)
    assert_exit(proc, HIGH)
    poison(clone / CACHE_DIR)
    commit_all(clone, "pr with a cache", force=True)
    assert git(clone, "ls-files", CACHE_DIR).strip()
    git(clone, "push", "-q", "origin", "pr")
    shutil.rmtree(clone)
    git(sandbox.work, "clone", "-q", "--no-local", "-b", "pr", str(origin), str(clone))
    git(clone, "fetch", "-q", "origin", "main:main")
    return clone


@pytest.mark.parametrize("mode", ["full", "--baseline"])
@pytest.mark.parametrize("user_cache_in_repo", [False, True])
def test_a_committed_cache_folder_decides_nothing(sandbox, mode, user_cache_in_repo):
    clone = committed_cache_clone(sandbox, user_cache_in_repo)
    args = ["--baseline", "main"] if mode == "--baseline" else []
    proc, doc = scan(sandbox, *args, cwd=clone)
    assert_exit(proc, HIGH)
    assert [f["path"] for f in doc["findings"]] == ["a.py"]
    if mode == "full":
        assert "is tracked by git; results are not cached" in text(proc.stderr)
    sandbox.assert_clean(reports=[os.path.relpath(sandbox.base / "report.json", sandbox.work)])


def test_rule_set_and_config_are_never_cached_in_the_repository(sandbox):
    repo = init_repo(sandbox.work)
    pack_in_repo(repo)
    (repo / "a.py").write_text(f"a = '{marker(2)}'\n")
    proc, _ = scan(sandbox, cwd=repo)
    assert_exit(proc, HIGH)
    in_repo = {p.relative_to(repo / CACHE_DIR).parts[0] for p in (repo / CACHE_DIR).rglob("*.json")}
    assert in_repo == {"results"}
    user = {p.relative_to(sandbox.home / ".cache" / "mcp-sentinel").parts[0]
            for p in (sandbox.home / ".cache" / "mcp-sentinel").rglob("*.json")}
    assert user == {"rules", "config"}


def test_results_are_bound_to_the_configuration(sandbox):
    repo = init_repo(sandbox.work)
    pack_in_repo(repo)
    (repo / "a.py").write_text(f"a = '{marker(3)}'\n")
    proc, _ = scan(sandbox, cwd=repo)
    assert_exit(proc, HIGH)
    scopes = {p.name for p in (repo / CACHE_DIR / "results").iterdir()}
    (repo / ".mcp-sentinel.yaml").write_text("rules: [rules/marker.yaml]\nbuiltin-rules: false\ncontext-lines: 4\n")
    proc, _ = scan(sandbox, cwd=repo)
    assert_exit(proc, HIGH)
    assert len({p.name for p in (repo / CACHE_DIR / "results").iterdir()} - scopes) == 1


@pytest.mark.parametrize("shape", ['[]', '{"key": 1}', '"text"', 'null', '{"rules": {}, "key": "K"}',
                                   '{"key": "K", "scope": "S", "findings": [1, 2]}',
                                   '{"key": "K", "scope": "S", "findings": [{"line": "x"}]}',
                                   '{"key": "K", "settings": {"timeout": "soon"}}',
                                   '{"key": "K", "rules": [{"id": 5}]}'])
def test_cache_entries_of_the_wrong_shape_are_ignored(sandbox, shape):
    repo = init_repo(sandbox.work)
    pack_in_repo(repo)
    (repo / "a.py").write_text(f"a = '{marker(4)}'\n")
    proc, _ = scan(sandbox, cwd=repo)
    assert_exit(proc, HIGH)
    entries = list((repo / CACHE_DIR).rglob("*.json")) + list((sandbox.home / ".cache").rglob("*.json"))
    assert len(entries) >= 3
    for entry in entries:
        doc = json.loads(entry.read_text())
        entry.write_text(shape.replace('"K"', json.dumps(doc.get("key"))).replace('"S"', json.dumps(doc.get("scope"))))
    proc, doc = scan(sandbox, cwd=repo)
    assert_exit(proc, HIGH)
    assert [f["path"] for f in doc["findings"]] == ["a.py"]


@pytest.mark.parametrize("cache_dir", ["../outside", "/ABSOLUTE"])
def test_cache_dir_from_the_repository_config_cannot_point_outside(sandbox, cache_dir):
    repo = init_repo(sandbox.work / "repo")
    outside = sandbox.base / "outside-abs"
    cache_dir = cache_dir.replace("/ABSOLUTE", str(outside))
    (repo / ".mcp-sentinel.yaml").write_text(f"cache-dir: {cache_dir}\n")
    (repo / "a.py").write_text("a = 1\n")
    proc, _ = scan(sandbox, cwd=repo)
    assert_exit(proc, 0)
    assert "from the repository's config is" in text(proc.stderr)
    assert not (sandbox.work / "outside").exists() and not outside.exists()
    sandbox.assert_clean(reports=[os.path.relpath(sandbox.base / "report.json", sandbox.work)])


def test_a_cache_folder_that_is_a_symlink_is_not_written_through(sandbox):
    repo = init_repo(sandbox.work / "repo")
    elsewhere = sandbox.base / "elsewhere"
    elsewhere.mkdir()
    (repo / CACHE_DIR).symlink_to(elsewhere)
    (repo / "a.py").write_text("a = 1\n")
    proc, _ = scan(sandbox, cwd=repo)
    assert_exit(proc, 0)
    assert f"cache folder '{CACHE_DIR}' is a symlink" in text(proc.stderr)
    assert list(elsewhere.iterdir()) == []


def test_cache_dir_dot_does_not_hide_the_repository_from_git(sandbox):
    repo = init_repo(sandbox.work / "repo")
    (repo / ".mcp-sentinel.yaml").write_text("cache-dir: .\n")
    (repo / "a.py").write_text("a = 1\n")
    proc, _ = scan(sandbox, cwd=repo)
    assert_exit(proc, 0)
    assert "the cache needs a folder of its own" in text(proc.stderr)
    assert not (repo / ".gitignore").exists() and not (repo / "results").exists()
    assert "a.py" in git(repo, "status", "--porcelain")


def test_a_cache_dir_holding_other_files_gets_no_gitignore(sandbox):
    repo = init_repo(sandbox.work / "repo")
    (repo / "src").mkdir()
    (repo / "src" / "a.py").write_text("a = 1\n")
    (repo / ".mcp-sentinel.yaml").write_text("cache-dir: src\n")
    proc, _ = scan(sandbox, cwd=repo)
    assert_exit(proc, 0)
    assert not (repo / "src" / ".gitignore").exists() and not (repo / "src" / "results").exists()


def test_the_default_cache_still_works(sandbox):
    repo = init_repo(sandbox.work / "repo")
    (repo / "a.py").write_text("a = 1\n")
    proc, _ = scan(sandbox, cwd=repo)
    assert_exit(proc, 0)
    assert proc.stderr == b""
    assert (repo / CACHE_DIR / ".gitignore").read_text().splitlines()[-1] == "*"
    assert list((repo / CACHE_DIR / "results").rglob("*.json"))
    shutil.rmtree(repo / CACHE_DIR)
