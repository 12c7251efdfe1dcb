"""`mcp-sentinel scan --staged` and `--baseline REF` against real repositories built with git."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from gitutil import GIT_ENV, git
from sentinel_hooks.cli import main

pytestmark = pytest.mark.needs_git

RULE = "github-pat-classic"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def github_token(random_part: str) -> str:
    """A classic GitHub token whose last six characters are the base62 CRC32 of the other 30."""
    assert len(random_part) == 30
    n, digits = zlib.crc32(random_part.encode()), ""
    while n:
        n, r = divmod(n, 62)
        digits = BASE62[r] + digits
    return "ghp_" + random_part + digits.rjust(6, "0")


TOKEN = github_token("R7n2Vq9XkLm4Tz8Wc1Ya6Bd3Fe5Gh0")
OTHER_TOKEN = github_token("Zq8Lw3Nv7Hk2Jd9Xc4Bm6Ty1Gf5Rp0")


def scan(*args: str, capsys) -> tuple[int, dict]:
    code = main(["scan", "-o", "json", *args])
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip() else {})


def hits(doc: dict) -> list[tuple[str, int]]:
    return sorted((f["path"], f["line"]) for f in doc.get("findings", []) if f["rule_id"] == RULE)


def write(repo: Path, rel: str, text: str, newline: str = "\n") -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline=newline) as fh:
        fh.write(text)


def commit_all(repo: Path, message: str = "commit") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(make_repo, monkeypatch) -> Path:
    repo = make_repo()
    write(repo, "app.py", "".join(f"line_{i} = {i}\n" for i in range(1, 21)))
    commit_all(repo, "initial")
    monkeypatch.chdir(repo)
    return repo


def lines_with(repo: Path, rel: str, replace: dict[int, str]) -> None:
    path = repo / rel
    lines = path.read_text().splitlines(keepends=True)
    for n, text in replace.items():
        lines[n - 1] = text + "\n"
    path.write_text("".join(lines))


def stage_content(repo: Path, rel: str, content: bytes) -> None:
    """Put ``content`` in the index for ``rel`` without touching the work tree (like `git add -p`)."""
    blob = subprocess.run(["git", "-C", str(repo), "hash-object", "-w", "--stdin"], input=content,
                          capture_output=True, check=True).stdout.decode().strip()
    git(repo, "update-index", "--cacheinfo", f"100644,{blob},{rel}")


# -- --staged ------------------------------------------------------------------------------------
def test_staged_scans_only_added_lines(repo, capsys):
    lines_with(repo, "app.py", {5: f'token = "{TOKEN}"'})
    git(repo, "add", "app.py")
    code, doc = scan("--staged", capsys=capsys)
    assert code == 3
    assert hits(doc) == [("app.py", 5)]
    assert doc["scan"]["mode"] == "staged"
    assert doc["scan"]["target"] == "index"
    assert doc["scan"]["base"] == git(repo, "rev-parse", "HEAD").strip()
    assert doc["scan"]["range"].endswith("(HEAD) → index")


def test_unstaged_secret_does_not_count_and_staged_one_does(repo, capsys):
    lines_with(repo, "app.py", {5: f'token = "{TOKEN}"'})
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (0, [])
    assert doc["summary"]["files_scanned"] == 0


def test_partial_staging_judges_the_index_not_the_work_tree(repo, capsys):
    original = (repo / "app.py").read_text()
    lines_with(repo, "app.py", {2: "line_2 = 'changed'", 15: f'token = "{TOKEN}"'})
    # stage only the harmless hunk, as `git add -p` would
    staged = original.replace("line_2 = 2\n", "line_2 = 'changed'\n").encode()
    stage_content(repo, "app.py", staged)
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (0, [])
    assert doc["summary"]["files_scanned"] == 1

    # and the reverse: the secret staged, then removed from the work tree only
    stage_content(repo, "app.py", original.replace("line_9 = 9\n", f'token = "{TOKEN}"\n').encode())
    (repo / "app.py").write_text(original)
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (3, [("app.py", 9)])


def test_initial_commit_compares_with_the_empty_tree(make_repo, monkeypatch, capsys):
    repo = make_repo()
    monkeypatch.chdir(repo)
    write(repo, "config.py", f'TOKEN = "{TOKEN}"\n')
    git(repo, "add", "config.py")
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (3, [("config.py", 1)])
    assert doc["scan"]["base"] == "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
    assert "empty tree" in doc["scan"]["range"]


def test_pre_existing_secret_in_context_is_not_reported(make_repo, monkeypatch, capsys):
    repo = make_repo()
    monkeypatch.chdir(repo)
    write(repo, "old.py", f'a = 1\nlegacy = "{TOKEN}"\nb = 2\n')
    commit_all(repo)
    write(repo, "old.py", f'a = 1\nlegacy = "{TOKEN}"\nb = 3\n')
    git(repo, "add", "old.py")
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (0, [])


def test_deleting_a_secret_never_blocks(make_repo, monkeypatch, capsys):
    repo = make_repo()
    monkeypatch.chdir(repo)
    write(repo, "a.py", f'x = 1\nsecret = "{TOKEN}"\ny = 2\n')
    write(repo, "b.py", f'secret = "{TOKEN}"\n')
    commit_all(repo)
    write(repo, "a.py", "x = 1\ny = 2\n")
    git(repo, "add", "a.py")
    git(repo, "rm", "-q", "b.py")
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (0, [])
    assert doc["summary"]["skipped"].get("deleted") == 1


def test_rename_without_edits_scans_nothing(make_repo, monkeypatch, capsys):
    repo = make_repo()
    monkeypatch.chdir(repo)
    write(repo, "src/settings.py", "".join(f"v{i} = {i}\n" for i in range(10)) + f'k = "{TOKEN}"\n')
    commit_all(repo)
    git(repo, "mv", "src/settings.py", "src/config.py")
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (0, [])
    assert doc["summary"]["files_scanned"] == 0


def test_rename_with_edits_reports_only_new_lines(make_repo, monkeypatch, capsys):
    repo = make_repo()
    monkeypatch.chdir(repo)
    body = "".join(f"v{i} = {i}\n" for i in range(20))
    write(repo, "src/settings.py", body + f'k = "{TOKEN}"\n')
    commit_all(repo)
    git(repo, "mv", "src/settings.py", "src/config.py")
    write(repo, "src/config.py", body + f'k = "{TOKEN}"\nnew = "{OTHER_TOKEN}"\n')
    git(repo, "add", "src/config.py")
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (3, [("src/config.py", 22)])


def test_binary_files_are_skipped_and_recorded(repo, capsys):
    (repo / "blob.bin").write_bytes(b"\x00\x01" + TOKEN.encode() + b"\x00" + bytes(range(256)))
    git(repo, "add", "blob.bin")
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (0, [])
    assert doc["summary"]["skipped"] == {"binary": 1}


def test_crlf_file_reports_the_right_line(make_repo, monkeypatch, capsys):
    repo = make_repo()
    monkeypatch.chdir(repo)
    git(repo, "config", "core.autocrlf", "false")
    write(repo, "win.py", "a = 1\nb = 2\nc = 3\n", newline="\r\n")
    commit_all(repo)
    write(repo, "win.py", f'a = 1\nb = 2\nkey = "{TOKEN}"\nc = 3\n', newline="\r\n")
    git(repo, "add", "win.py")
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (3, [("win.py", 3)])
    finding = doc["findings"][0]
    assert "\r" not in finding["snippet"]


@pytest.mark.parametrize("name", ["with space.py", "naïve – ünïcode.py", "dir with space/ß.py",
                                  "quote\"and\\slash.py", "tab\there.py", "new\nline.py"])
def test_unusual_file_names(repo, capsys, name):
    write(repo, name, f'token = "{TOKEN}"\n')
    git(repo, "add", "--", name)
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (3, [(name, 1)])


def test_unusual_file_names_with_hunks(repo, capsys):
    name = "ré pertoire/fi\tle\n2.py"
    write(repo, name, "a = 1\nb = 2\n")
    commit_all(repo)
    write(repo, name, f'a = 1\nb = 2\nt = "{TOKEN}"\n')
    git(repo, "add", "--", name)
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (3, [(name, 3)])


def test_symlinks_and_submodules_are_skipped_and_recorded(make_repo, repo, capsys):
    sub = make_repo("sub")
    write(sub, "x.py", f'k = "{TOKEN}"\n')
    commit_all(sub)
    os.symlink("app.py", repo / "link.py")
    git(repo, "add", "link.py")
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor/sub")
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (0, [])
    skipped = doc["summary"]["skipped"]
    assert skipped.get("symlink") == 1 and skipped.get("submodule") == 1


def test_lfs_pointer_files_are_skipped(repo, capsys):
    write(repo, "model.bin", "version https://git-lfs.github.com/spec/v1\n"
                             "oid sha256:" + "a" * 64 + "\nsize 12345\n")
    git(repo, "add", "model.bin")
    code, doc = scan("--staged", capsys=capsys)
    assert code == 0
    assert doc["summary"]["skipped"] == {"git-lfs pointer": 1}


def test_git_index_file_temporary_index_is_honoured(repo, capsys, monkeypatch, tmp_path):
    lines_with(repo, "app.py", {3: f'token = "{TOKEN}"'})
    temp_index = tmp_path / "next-index"
    env = {"GIT_INDEX_FILE": str(temp_index)}
    git(repo, "read-tree", "HEAD", env=env)
    git(repo, "add", "app.py", env=env)
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (0, [])  # the real index has nothing staged
    monkeypatch.setenv("GIT_INDEX_FILE", str(temp_index))
    code, doc = scan("--staged", capsys=capsys)
    assert (code, hits(doc)) == (3, [("app.py", 3)])


def _snapshot(repo: Path) -> dict[str, str]:
    out = {}
    for path in sorted(repo.rglob("*")):
        rel = path.relative_to(repo).as_posix()
        if path.is_file() and not rel.startswith((".git/objects/", ".mcp-sentinel-cache/")):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.mark.parametrize("flags", [["--staged"], ["--baseline", "main"]])
def test_scans_leave_index_and_work_tree_byte_identical(repo, capsys, flags):
    git(repo, "checkout", "-q", "-b", "feature")
    lines_with(repo, "app.py", {4: f'token = "{TOKEN}"'})
    git(repo, "add", "app.py")
    lines_with(repo, "app.py", {6: "line_6 = 'dirty'"})
    write(repo, "untracked.py", "u = 1\n")
    os.utime(repo / "app.py", (1_000_000, 1_000_000))  # stat-dirty: tempting for an index refresh
    before = _snapshot(repo)
    code, _doc = scan(*flags, capsys=capsys)
    assert code == 3
    assert _snapshot(repo) == before


def test_staged_with_named_files_restricts_and_scans_unchanged_files_whole(repo, capsys):
    write(repo, "clean.py", f'kept = "{TOKEN}"\n')
    commit_all(repo)
    write(repo, "other.py", f'x = "{OTHER_TOKEN}"\n')
    lines_with(repo, "app.py", {1: "line_1 = 'edited'"})
    git(repo, "add", "other.py", "app.py")
    # like `pre-commit run --files app.py clean.py`: clean.py has nothing staged, so it is read whole
    code, doc = scan("--staged", "app.py", "clean.py", capsys=capsys)
    assert (code, hits(doc)) == (3, [("clean.py", 1)])
    # an untracked file passed by name is read from the work tree
    write(repo, "loose.py", f'y = "{OTHER_TOKEN}"\n')
    code, doc = scan("--staged", "loose.py", capsys=capsys)
    assert (code, hits(doc)) == (3, [("loose.py", 1)])


def test_staged_paths_are_relative_to_the_cwd(repo, capsys, monkeypatch):
    write(repo, "pkg/mod.py", f'k = "{TOKEN}"\n')
    write(repo, "top.py", f'k = "{OTHER_TOKEN}"\n')
    git(repo, "add", "-A")
    monkeypatch.chdir(repo / "pkg")
    code, doc = scan("--staged", "mod.py", capsys=capsys)
    assert (code, hits(doc)) == (3, [("pkg/mod.py", 1)])
    code, doc = scan("--staged", capsys=capsys)
    assert hits(doc) == [("pkg/mod.py", 1), ("top.py", 1)]


def test_context_lines_flag_sets_the_window(repo, capsys):
    lines_with(repo, "app.py", {10: f'token = "{TOKEN}"'})
    git(repo, "add", "app.py")
    lines = (repo / "app.py").read_text().splitlines(keepends=True)
    code, doc = scan("--staged", "--context-lines", "0", capsys=capsys)
    assert (code, hits(doc)) == (3, [("app.py", 10)])
    assert doc["summary"]["bytes_scanned"] == len(lines[9])
    code, doc = scan("--staged", "--context-lines", "2", capsys=capsys)
    assert doc["summary"]["bytes_scanned"] == len("".join(lines[7:12]))
    (repo / ".mcp-sentinel.yaml").write_text("context-lines: 1\n")
    code, doc = scan("--staged", capsys=capsys)
    assert doc["summary"]["bytes_scanned"] == len("".join(lines[8:11]))


# -- --baseline ----------------------------------------------------------------------------------
def test_baseline_counts_commits_uncommitted_edits_and_untracked_files(repo, capsys):
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "committed.py", f'a = "{TOKEN}"\n')
    commit_all(repo)
    lines_with(repo, "app.py", {7: f'b = "{OTHER_TOKEN}"'})  # uncommitted, unstaged
    write(repo, "new.py", f'c = "{TOKEN}"\n')  # untracked
    write(repo, ".gitignore", "ignored.py\n")
    write(repo, "ignored.py", f'd = "{TOKEN}"\n')
    code, doc = scan("--baseline", "main", capsys=capsys)
    assert code == 3
    assert hits(doc) == [("app.py", 7), ("committed.py", 1), ("new.py", 1)]
    main_sha = git(repo, "rev-parse", "main").strip()
    assert doc["scan"]["base"] == main_sha
    assert doc["scan"]["base_ref"] == "main"
    assert doc["scan"]["target"] == "working tree"
    assert doc["scan"]["range"] == f"{main_sha[:7]} (merge-base of main) → working tree"


def test_baseline_uses_the_merge_base_not_the_branch_tip(repo, capsys):
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "feature.py", "f = 1\n")
    commit_all(repo)
    git(repo, "checkout", "-q", "main")
    write(repo, "main_only.py", f'm = "{TOKEN}"\n')
    commit_all(repo)
    fork = git(repo, "rev-parse", "main~1").strip()
    git(repo, "checkout", "-q", "feature")
    code, doc = scan("--baseline", "main", capsys=capsys)
    assert (code, hits(doc)) == (0, [])  # main's newer commits are not the branch's changes
    assert doc["scan"]["base"] == fork


def test_baseline_paths_restrict_the_scan(repo, capsys):
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "a/one.py", f'a = "{TOKEN}"\n')
    write(repo, "b/two.py", f'b = "{TOKEN}"\n')
    commit_all(repo)
    write(repo, "a/untracked.py", f'c = "{TOKEN}"\n')
    write(repo, "b/untracked.py", f'c = "{TOKEN}"\n')
    code, doc = scan("--baseline", "main", "a", capsys=capsys)
    assert hits(doc) == [("a/one.py", 1), ("a/untracked.py", 1)]


def test_secret_brought_in_by_a_merge_is_caught(repo, capsys):
    git(repo, "checkout", "-q", "-b", "other")
    write(repo, "other.py", f'leak = "{TOKEN}"\n')
    commit_all(repo, "other")
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "feature.py", "f = 1\n")
    commit_all(repo, "feature")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge other", "other")
    code, doc = scan("--baseline", "main", capsys=capsys)
    assert (code, hits(doc)) == (3, [("other.py", 1)])


def test_origin_main_is_used_when_main_is_not_local(repo, capsys, tmp_path, monkeypatch):
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "feature.py", f'f = "{TOKEN}"\n')
    commit_all(repo)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--branch", "feature", str(repo), str(clone))
    assert "main" not in git(clone, "branch", "--list", "main")
    monkeypatch.chdir(clone)
    code, doc = scan("--baseline", "main", capsys=capsys)
    assert (code, hits(doc)) == (3, [("feature.py", 1)])
    assert doc["scan"]["base_ref"] == "origin/main"
    assert "merge-base of origin/main" in doc["scan"]["range"]


def test_shallow_clone_without_the_merge_base_is_a_config_error(repo, capsys, tmp_path, monkeypatch):
    git(repo, "checkout", "-q", "-b", "feature")
    for i in range(3):
        write(repo, f"f{i}.py", f"f = {i}\n")
        commit_all(repo, f"feature {i}")
    git(repo, "checkout", "-q", "main")
    write(repo, "m.py", "m = 1\n")
    commit_all(repo, "main moves on")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", "--branch", "feature",
        f"file://{repo}", str(clone))
    monkeypatch.chdir(clone)
    code = main(["scan", "--baseline", "main"])
    err = capsys.readouterr().err
    assert code == 2
    assert "fetch-depth: 0" in err and "GIT_DEPTH: 0" in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_ref_is_exit_2_naming_it(repo, capsys):
    code = main(["scan", "--baseline", "no-such-branch"])
    err = capsys.readouterr().err
    assert code == 2
    assert "no-such-branch" in err


def test_outside_a_repository_is_a_usage_error(tmp_path, monkeypatch, capsys):
    outside = tmp_path / "plain"
    outside.mkdir()
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for flags in (["--staged"], ["--baseline", "main"]):
        assert main(["scan", *flags]) == 2
        assert "git work tree" in capsys.readouterr().err


def test_staged_and_baseline_together_is_a_usage_error(repo, capsys):
    assert main(["scan", "--staged", "--baseline", "main"]) == 2
    assert "not allowed with" in capsys.readouterr().err


def test_git_missing_from_path_is_a_clear_one_line_error(repo, capsys, monkeypatch, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    code = main(["scan", "--staged"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.strip() == "mcp-sentinel: git is not installed or not on PATH"


# -- --baseline auto -----------------------------------------------------------------------------
@pytest.fixture
def ci_clean(monkeypatch):
    for name in ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_TO_REF", "CI_MERGE_REQUEST_DIFF_BASE_SHA",
                 "GITHUB_BASE_REF"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_auto_without_ci_variables_falls_back_to_a_full_scan(repo, capsys, ci_clean):
    write(repo, "old.py", f'k = "{TOKEN}"\n')
    commit_all(repo)
    code = main(["scan", "-o", "json", "--baseline", "auto"])
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert code == 3 and doc["scan"]["mode"] == "full"
    assert hits(doc) == [("old.py", 1)]
    assert len(captured.err.strip().splitlines()) == 1 and "scanning everything" in captured.err


def test_auto_with_gitlab_merge_request_base(repo, capsys, ci_clean):
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "mr")
    write(repo, "mr.py", f'k = "{TOKEN}"\n')
    commit_all(repo)
    ci_clean.setenv("CI_MERGE_REQUEST_DIFF_BASE_SHA", base)
    code, doc = scan("--baseline", "auto", capsys=capsys)
    assert (code, hits(doc)) == (3, [("mr.py", 1)])
    assert doc["scan"]["base"] == base and doc["scan"]["mode"] == "baseline"


def test_auto_with_github_pull_request_base(repo, capsys, ci_clean, tmp_path):
    git(repo, "checkout", "-q", "-b", "pr")
    write(repo, "pr.py", f'k = "{TOKEN}"\n')
    commit_all(repo)
    clone = tmp_path / "gh"
    git(tmp_path, "clone", "-q", "--branch", "pr", str(repo), str(clone))
    ci_clean.chdir(clone)
    ci_clean.setenv("GITHUB_BASE_REF", "main")
    code, doc = scan("--baseline", "auto", capsys=capsys)
    assert (code, hits(doc)) == (3, [("pr.py", 1)])
    assert doc["scan"]["base_ref"] == "origin/main"


def test_auto_with_pre_commit_refs_scans_the_target_commit_not_the_work_tree(repo, capsys, ci_clean):
    start = git(repo, "rev-parse", "HEAD").strip()
    write(repo, "pushed.py", f'k = "{TOKEN}"\n')
    commit_all(repo)
    pushed = git(repo, "rev-parse", "HEAD").strip()
    write(repo, "wip.py", f'k = "{OTHER_TOKEN}"\n')  # untracked: not part of the push
    lines_with(repo, "app.py", {2: f'w = "{OTHER_TOKEN}"'})  # uncommitted: not part of the push
    ci_clean.setenv("PRE_COMMIT_FROM_REF", start)
    ci_clean.setenv("PRE_COMMIT_TO_REF", pushed)
    code, doc = scan("--baseline", "auto", capsys=capsys)
    assert (code, hits(doc)) == (3, [("pushed.py", 1)])
    assert doc["scan"]["target"] == pushed
    assert doc["scan"]["range"] == f"{start[:7]} (merge-base of {start[:7]}) → {pushed[:7]}"


@pytest.mark.parametrize("commit_args", [["-a"], ["--", "app.py"]])
def test_real_pre_commit_hook_sees_the_temporary_index(repo, commit_args):
    """`git commit -a` and `git commit PATH` run hooks against a temporary index."""
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(f"#!/bin/sh\nexec '{sys.executable}' -m sentinel_hooks scan --staged --no-redact\n")
    hook.chmod(0o755)
    lines_with(repo, "app.py", {8: f'token = "{TOKEN}"'})  # modified in the work tree, not staged
    head = git(repo, "rev-parse", "HEAD")
    proc = subprocess.run(["git", "commit", "-q", "-m", "leak", *commit_args], cwd=repo, capture_output=True,
                          text=True, env={**os.environ, **GIT_ENV})
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr  # git sends a hook's output to stderr
    assert "app.py" in output and TOKEN in output
    assert git(repo, "rev-parse", "HEAD") == head
    lines_with(repo, "app.py", {8: "line_8 = 'fine'"})
    proc = subprocess.run(["git", "commit", "-q", "-m", "fine", *commit_args], cwd=repo, capture_output=True,
                          text=True, env={**os.environ, **GIT_ENV})
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_staged_scan_imports_no_gitpython(repo):
    lines_with(repo, "app.py", {8: f'token = "{TOKEN}"'})
    git(repo, "add", "app.py")
    probe = ("import sys\nfrom sentinel_hooks.cli import main\ncode = main(['scan', '--staged'])\n"
             "print('LOADED' if 'git' in sys.modules else 'CLEAN', code)\n")
    proc = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "CLEAN 3", proc.stdout + proc.stderr


def test_a_baseline_scan_starts_git_before_the_rules_load_and_stops_it_when_they_fail(repo, capsys, monkeypatch):
    """git lists the range's changes and spools its added lines and history while the rules load; a rule
    pack that fails to load still ends the scan with a one-line error, and the git runs are stopped."""
    from sentinel_hooks.commands import common
    from sentinel_hooks.errors import ConfigError
    from sentinel_hooks.sources.git import Spooled

    git(repo, "checkout", "-q", "-b", "feature")
    lines_with(repo, "app.py", {3: f"token = '{TOKEN}'"})
    commit_all(repo, "token")
    spooled: list[Spooled] = []
    real_init = Spooled.__init__

    def remember(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        spooled.append(self)

    def broken_pack(*args, **kwargs):
        assert len(spooled) == 2  # git started first: the range's added lines and its history
        raise ConfigError("rules.yaml: not a rule pack")

    monkeypatch.setattr(Spooled, "__init__", remember)
    monkeypatch.setattr(common, "load_rules", broken_pack)
    assert main(["scan", "--baseline", "main", "--no-cache", "-o", "json"]) == 2
    assert "not a rule pack" in capsys.readouterr().err
    assert len(spooled) == 2 and all(run.out.closed and run.proc.poll() is not None for run in spooled)
    monkeypatch.undo()
    monkeypatch.chdir(repo)
    code, doc = scan("--baseline", "main", "--no-cache", capsys=capsys)
    assert code == 3 and hits(doc) == [("app.py", 3)]
