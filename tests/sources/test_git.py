"""The git wrapper: locating the repository, resolving refs, reading blobs, clear errors."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from gitutil import git
from sentinel_hooks.errors import ConfigError, GitError
from sentinel_hooks.sources.git import EMPTY_TREE, BlobReader, Git, locate, pathspecs
from sentinel_hooks.sources.git_range import baseline, resolve_ref, staged

pytestmark = pytest.mark.needs_git


@pytest.fixture
def repo(make_repo) -> Path:
    repo = make_repo()
    (repo / "sub").mkdir()
    (repo / "sub" / "f.txt").write_text("hello\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    return repo


def test_locate_finds_root_prefix_and_head(repo):
    found = locate(Git(cwd=repo / "sub"), "--staged")
    assert found.root == repo.resolve()
    assert found.prefix == "sub/"
    assert found.head == git(repo, "rev-parse", "HEAD").strip()
    assert found.shallow is False


def test_locate_before_the_first_commit(make_repo):
    repo = make_repo()
    found = locate(Git(cwd=repo), "--staged")
    assert found.head is None
    assert staged(found).comparison.base == EMPTY_TREE


def test_locate_outside_a_repository(tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(ConfigError, match="--baseline needs a git work tree"):
        locate(Git(cwd=plain), "--baseline")


def test_relative_paths_from_a_subfolder(repo):
    found = locate(Git(cwd=repo / "sub"), "x")
    assert found.relative("f.txt") == "sub/f.txt"
    assert found.relative("../top.txt") == "top.txt"
    assert found.relative(".") == "sub"
    assert found.relative(str(repo / "sub" / "f.txt")) == "sub/f.txt"
    with pytest.raises(ConfigError, match="outside the repository"):
        found.relative("../../elsewhere.txt")


def test_pathspecs_are_literal_and_anchored():
    assert pathspecs(["a*b.txt", ""]) == [":(top,literal)a*b.txt", ":(top)."]


def test_commit_of_and_merge_base(repo):
    runner = Git(cwd=repo)
    head = git(repo, "rev-parse", "HEAD").strip()
    assert runner.commit_of("main") == head
    assert runner.commit_of("nope") is None
    assert runner.commit_of("--help") is None
    assert runner.merge_base(head, "HEAD") == head


def test_resolve_ref_falls_back_to_origin(repo, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    git(clone, "checkout", "-q", "-b", "work")
    git(clone, "branch", "-q", "-D", "main")
    runner = Git(cwd=clone)
    found = locate(runner, "x")
    assert resolve_ref(runner, found, "main")[0] == "origin/main"
    with pytest.raises(ConfigError, match="'missing'"):
        resolve_ref(runner, found, "missing")


def test_unrelated_histories_have_no_merge_base(repo):
    git(repo, "checkout", "-q", "--orphan", "island")
    git(repo, "commit", "-q", "--allow-empty", "-m", "island")
    runner = Git(cwd=repo)
    with pytest.raises(ConfigError, match="share no history"):
        baseline(runner, locate(runner, "x"), "main")


def test_blob_reader_reads_many_through_one_process(repo):
    runner = Git(cwd=repo)
    blob = git(repo, "rev-parse", "HEAD:sub/f.txt").strip()
    reader = BlobReader(runner)
    try:
        assert [reader.read(blob) for _ in range(5)] == [b"hello\n"] * 5
        assert reader.read("0" * 40) is None
        assert reader.read(blob) == b"hello\n"
    finally:
        reader.close()
    assert runner.processes == 1


def test_a_forked_worker_reads_blobs_through_its_own_cat_file(repo):
    """A worker forked with a copy of the reader (the module reader a diff scan's workers hold) must not
    write to the parent's cat-file: the answers would go to whichever process reads first."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("fork is not available here")
    runner = Git(cwd=repo)
    blob = git(repo, "rev-parse", "HEAD:sub/f.txt").strip()
    reader = BlobReader(runner)
    try:
        assert reader.read(blob) == b"hello\n" and runner.processes == 1
        context = multiprocessing.get_context("fork")
        answers = context.Queue()

        def worker() -> None:
            answers.put((reader.read(blob), reader.read(blob), runner.processes))
            reader.close()

        child = context.Process(target=worker)
        child.start()
        first, second, started = answers.get(timeout=60)
        child.join(60)
        assert (first, second, started) == (b"hello\n", b"hello\n", 2)  # its own cat-file, started once
        assert child.exitcode == 0
        assert reader.read(blob) == b"hello\n" and runner.processes == 1  # the parent's one, still in step
    finally:
        reader.close()


def test_git_failures_are_one_line_git_errors(repo):
    with pytest.raises(GitError, match=r"^git cat-file failed: "):
        Git(cwd=repo).output(["cat-file", "-p", "nonexistent"])


def test_missing_git_binary(repo, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GitError, match="git is not installed or not on PATH"):
        Git(cwd=repo).output(["status"])


def test_optional_locks_are_off_and_the_environment_is_otherwise_kept(monkeypatch):
    monkeypatch.setenv("GIT_INDEX_FILE", "/tmp/some-index")
    runner = Git()
    assert runner.env["GIT_OPTIONAL_LOCKS"] == "0"
    assert runner.env["GIT_INDEX_FILE"] == "/tmp/some-index"


def test_a_spooled_command_runs_to_its_end_and_gives_its_output(repo):
    runner = Git(cwd=repo)
    spooled = runner.spool(["log", "--format=%s"])
    assert spooled.output() == (0, b"one\n")
    assert spooled.out.closed and spooled.err.closed
    cut = runner.spool(["log", "--format=%s%n%s%n%s"])
    assert cut.output(limit=4) == (0, b"one\n")  # at most the limit is read


def test_a_spooled_command_may_end_with_an_exit_code_that_is_not_a_failure(repo):
    runner = Git(cwd=repo)
    assert runner.spool(["grep", "-l", "-e", "no such text"]).output(ok=(0, 1)) == (1, b"")
    with pytest.raises(GitError, match=r"^git grep failed: "):
        runner.spool(["grep", "-l", "-e", "no such text"]).output()


def test_a_spooled_output_is_read_in_parts_up_to_its_limit(repo):
    runner = Git(cwd=repo)
    spooled = runner.spool(["log", "--format=%s%n%s%n%s"])
    assert list(spooled.chunks(limit=10, size=4)) == [b"one\n", b"one\n", b"on"]
    assert spooled.out.closed and spooled.err.closed
    assert b"".join(runner.spool(["log", "--format=%s%n%s"]).chunks(limit=100, size=3)) == b"one\none\n"


def test_a_spooled_failure_read_in_parts_is_a_one_line_git_error(repo):
    spooled = Git(cwd=repo).spool(["cat-file", "-p", "nonexistent"])
    with pytest.raises(GitError, match=r"^git cat-file failed: "):
        list(spooled.chunks(limit=100))
    assert spooled.out.closed


def test_a_spooled_failure_is_a_one_line_git_error(repo):
    with pytest.raises(GitError, match=r"^git cat-file failed: "):
        Git(cwd=repo).spool(["cat-file", "-p", "nonexistent"]).output()


def stand_in_git(tmp_path, monkeypatch, script: str) -> None:
    """Put a `git` on PATH that runs ``script`` (POSIX shells only)."""
    if os.name == "nt":
        pytest.skip("the stand-in git is a shell script")
    fake = tmp_path / "bin" / "git"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n" + script)
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture
def slow_git(tmp_path, monkeypatch) -> None:
    """A `git` that writes a line and then waits."""
    stand_in_git(tmp_path, monkeypatch, "echo started\nexec sleep 60\n")


def test_a_stopped_spooled_command_keeps_what_it_wrote(repo, slow_git):
    running = Git(cwd=repo).spool(["log"])
    give_up = time.monotonic() + 60
    while running.size() == 0 and time.monotonic() < give_up:
        pass  # the stand-in writes its line at once
    running.stop()
    assert running.stopped and running.output() == (-9, b"started\n")  # no error: it was stopped


def test_a_spooled_command_is_ended_by_close(repo, slow_git):
    running = Git(cwd=repo).spool(["log"])
    running.close()
    assert running.proc.poll() is not None and running.out.closed


def test_waiting_for_a_spooled_command_stops_it_once_its_output_passes_the_limit(repo, tmp_path, monkeypatch):
    """Its output goes to a file, not a pipe that would hold it back: the wait bounds it."""
    stand_in_git(tmp_path, monkeypatch, "head -c 200000 /dev/zero\nexec sleep 60\n")
    code, data = Git(cwd=repo).spool(["log"]).output(limit=1000)
    assert code != 0 and data == b"\0" * 1000  # stopped, not failed: no error
