import os
from pathlib import Path

import pytest

from sentinel_hooks.sources import skips
from sentinel_hooks.sources.files import DEFAULT_EXCLUDE_DIRS, Excludes, FileWalker, decode, read_text

from gitutil import git
from oskit import running_as_root


def walk(paths, excludes=None, **kw):
    walker = FileWalker([Path(p) for p in paths], excludes or Excludes(list(DEFAULT_EXCLUDE_DIRS), []), **kw)
    return walker, {e.display_path: e for e in walker}


def test_plain_folder_walk_skips_git_and_excluded(tmp_path: Path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("x")
    (tmp_path / "node_modules" / "pkg").mkdir(parents=True)
    (tmp_path / "node_modules" / "pkg" / "i.js").write_text("x")
    (tmp_path / "app.min.js").write_text("x")
    walker, found = walk([tmp_path], Excludes(list(DEFAULT_EXCLUDE_DIRS), ["*.min.js"]))
    assert set(found) == {"src/a.py"}
    assert walker.skipped.counts[skips.EXCLUDED] == 2


def test_gitignore_is_honoured_inside_a_work_tree(make_repo):
    repo = make_repo()
    (repo / ".gitignore").write_text("build/\n*.log\n")
    (repo / "build").mkdir()
    (repo / "build" / "out.py").write_text("x")
    (repo / "debug.log").write_text("x")
    (repo / "tracked.py").write_text("x")
    git(repo, "add", ".gitignore", "tracked.py")
    git(repo, "commit", "-qm", "init")
    (repo / "untracked.py").write_text("x")
    _, found = walk([repo])
    assert set(found) == {".gitignore", "tracked.py", "untracked.py"}


def test_the_walk_asks_git_through_the_one_git_wrapper_with_its_safe_options(make_repo, monkeypatch):
    from sentinel_hooks.sources import git as git_module

    repo = make_repo()
    (repo / ".gitignore").write_text("venv/\n")
    (repo / "venv").mkdir()
    (repo / "venv" / "x.py").write_text("x")
    (repo / "a.py").write_text("x")
    commands = []
    real = git_module.Git.run
    monkeypatch.setattr(git_module.Git, "run", lambda self, args, **kw: commands.append(self.command(args)) or
                        real(self, args, **kw))
    _, found = walk([repo, repo / "venv"])
    assert {Path(p).name for p in found} == {".gitignore", "a.py", "x.py"}  # a folder named explicitly is walked
    assert {c[c.index("--no-pager") + 1] for c in commands} == {"ls-files", "check-ignore"}
    assert all("core.fsmonitor=false" in c for c in commands)


def test_explicit_file_is_scanned_even_if_gitignored_and_paths_are_repo_relative(make_repo, monkeypatch):
    repo = make_repo()
    (repo / ".gitignore").write_text("*.log\n")
    (repo / "sub").mkdir()
    (repo / "sub" / "debug.log").write_text("x")
    monkeypatch.chdir(repo / "sub")
    _, found = walk(["debug.log"])
    assert set(found) == {"sub/debug.log"}


def test_mcp_sentinelignore_lines_apply(tmp_path: Path):
    (tmp_path / "gen").mkdir()
    (tmp_path / "gen" / "x.py").write_text("x")
    (tmp_path / "keep.py").write_text("x")
    _, found = walk([tmp_path], Excludes([], [], ["gen/"]))
    assert set(found) == {"keep.py"}


@pytest.mark.posix_only
def test_symlinks_and_special_files_are_skipped(tmp_path: Path):
    (tmp_path / "real.py").write_text("x")
    (tmp_path / "link.py").symlink_to(tmp_path / "real.py")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    os.mkfifo(tmp_path / "pipe")
    walker, found = walk([tmp_path])
    assert set(found) == {"real.py"}
    assert walker.skipped.counts[skips.SYMLINK] == 2
    assert walker.skipped.counts[skips.NOT_REGULAR] == 1


def test_missing_path_is_recorded_as_an_error_and_the_rest_walked(tmp_path: Path):
    (tmp_path / "here.py").write_text("x = 1\n")
    walker, found = walk([tmp_path / "missing", tmp_path / "here.py"])
    assert list(found) == ["here.py"]
    assert walker.errors == [((tmp_path / "missing").as_posix(), "no such file or directory")]


def test_binary_files_are_skipped_and_text_decoded(tmp_path: Path):
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "bad.txt").write_bytes(b"ok \xff\xfe end")
    (tmp_path / "u16.txt").write_bytes("token = 1\n".encode("utf-16"))
    walker, found = walk([tmp_path])
    errors: list = []
    assert read_text(found["bin.dat"], walker.skipped, errors) is None
    assert walker.skipped.counts[skips.BINARY] == 1
    assert read_text(found["bad.txt"], walker.skipped, errors) == "ok \ufffd\ufffd end"
    assert read_text(found["u16.txt"], walker.skipped, errors) == "token = 1\n"
    assert errors == []


@pytest.mark.posix_only  # permission bits
@pytest.mark.skipif(running_as_root(), reason="root can read files without read permission")
def test_unreadable_file_is_recorded(tmp_path: Path):
    f = tmp_path / "secret.py"
    f.write_text("x")
    f.chmod(0)
    walker, found = walk([tmp_path])
    errors: list = []
    assert read_text(found["secret.py"], walker.skipped, errors) is None
    assert errors and errors[0][0] == "secret.py"


def test_decode_utf8_bom():
    assert decode(b"\xef\xbb\xbfhello") == "hello"


def test_max_file_size(tmp_path: Path):
    (tmp_path / "big.txt").write_text("x" * 100)
    (tmp_path / "small.txt").write_text("x")
    walker, found = walk([tmp_path], max_file_size=10)
    assert set(found) == {"small.txt"} and walker.skipped.counts[skips.TOO_LARGE] == 1


def test_named_folder_that_git_ignores_is_walked_as_a_plain_folder(make_repo):
    repo = make_repo()
    (repo / ".gitignore").write_text("versions/\n")
    (repo / "versions" / "lib").mkdir(parents=True)
    (repo / "versions" / "lib" / "mod.py").write_text("x")
    _, found = walk([repo / "versions"])
    assert set(found) == {"lib/mod.py"}


def test_display_paths_use_slashes_for_windows_paths():
    """Reports, fingerprints and ignore files name a file the same way on every system, so a finding
    accepted on Windows stays accepted on Linux."""
    from pathlib import PureWindowsPath

    walker = FileWalker([], Excludes([], []))
    root = PureWindowsPath("C:\\Users\\dev\\repo")
    assert walker.display(root / "src" / "tools" / "app.py", root) == "src/tools/app.py"
    assert walker.display(PureWindowsPath("D:\\elsewhere\\x.py"), root) == "D:/elsewhere/x.py"
