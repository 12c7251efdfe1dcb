"""Reading other modules of the scanned repository: confined to its root, bounded, at the scanned state."""
from __future__ import annotations

import os
import pickle
import random
from pathlib import Path

import pytest

from gitutil import git
from sentinel_hooks.sources.git import BlobReader, Git
from sentinel_hooks.sources.modules import (MAX_MODULE_BYTES, DirectoryModules, GitModules, confined, digest_of,
                                            scan_root)

DESC = 'DESC = "Get the weather."\n'


@pytest.mark.parametrize("path, expected", [
    ("pkg/texts.py", "pkg/texts.py"),
    ("./pkg/../pkg/texts.py", "pkg/texts.py"),
    ("../outside.py", None),
    ("pkg/../../outside.py", None),
    ("/etc/passwd", None),
    ("C:/x.py", None),
    ("pkg\\..\\..\\x.py", None),
    ("pkg/te\nxts.py", None),
    ("", None),
    ("..", None),
])
def test_paths_are_confined_to_the_repository(path, expected):
    assert confined(path) == expected


def test_a_module_below_the_root_is_read_and_its_digest_recorded(tmp_path: Path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "texts.py").write_text(DESC)
    reader = DirectoryModules(str(tmp_path))
    assert reader.read("pkg/texts.py") == DESC
    assert reader.read("pkg/missing.py") is None
    assert reader.reads == {"pkg/texts.py": digest_of(DESC.encode()), "pkg/missing.py": None}


def test_dot_dot_never_leaves_the_root(tmp_path: Path):
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "secret.py").write_text(DESC)
    reader = DirectoryModules(str(root))
    assert reader.read("../secret.py") is None
    assert reader.read("pkg/../../secret.py") is None
    assert reader.reads == {}  # refused before anything is looked up


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="symlinks")
def test_symlinks_below_the_root_are_not_followed(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "texts.py").write_text(DESC)
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink(outside / "texts.py", root / "texts.py")  # a file pointing out of the repository
    os.symlink(outside, root / "pkg")  # a folder pointing out of the repository
    (root / "inner.py").write_text(DESC)
    os.symlink(root / "inner.py", root / "alias.py")  # even one pointing inside it
    reader = DirectoryModules(str(root))
    assert reader.read("texts.py") is None
    assert reader.read("pkg/texts.py") is None
    assert reader.read("alias.py") is None
    assert reader.read("inner.py") == DESC


def test_modules_over_the_size_bound_and_binary_files_are_not_read(tmp_path: Path):
    (tmp_path / "big.py").write_text("X = 'a'\n" + "#" * MAX_MODULE_BYTES)
    (tmp_path / "bin.py").write_bytes(b"\0\1\2\3" * 100)
    (tmp_path / "folder.py").mkdir()
    reader = DirectoryModules(str(tmp_path))
    assert reader.read("big.py") is None
    assert reader.read("bin.py") is None
    assert reader.read("folder.py") is None


def test_unchanged_compares_recorded_digests_with_the_files_now(tmp_path: Path):
    (tmp_path / "texts.py").write_text(DESC)
    reader = DirectoryModules(str(tmp_path))
    reader.read("texts.py")
    reader.read("later.py")
    recorded = dict(reader.reads)
    assert DirectoryModules(str(tmp_path)).unchanged(recorded)
    (tmp_path / "later.py").write_text(DESC)  # a module that was missing appears
    assert not DirectoryModules(str(tmp_path)).unchanged(recorded)
    (tmp_path / "later.py").unlink()
    (tmp_path / "texts.py").write_text(DESC.replace("weather", "forecast"))
    assert not DirectoryModules(str(tmp_path)).unchanged(recorded)
    assert not DirectoryModules(str(tmp_path)).unchanged({"../texts.py": None})  # a forged entry


def test_scan_root_is_the_folder_display_paths_are_relative_to(tmp_path: Path):
    file = tmp_path / "repo" / "pkg" / "server.py"
    assert scan_root(str(file), "pkg/server.py") == str(tmp_path / "repo")
    assert scan_root(str(file), "other/server.py") is None
    assert scan_root(str(file), file.as_posix()) is None  # shown absolute: no root


def test_a_directory_reader_survives_pickling_for_worker_processes(tmp_path: Path):
    (tmp_path / "texts.py").write_text(DESC)
    copy = pickle.loads(pickle.dumps(DirectoryModules(str(tmp_path))))
    assert copy.read("texts.py") == DESC


@pytest.mark.needs_git
def test_git_readers_read_the_index_or_the_commit_not_the_work_tree(make_repo):
    repo = make_repo()
    (repo / "texts.py").write_text('DESC = "committed"\n')
    (repo / "big.py").write_text("#" * (MAX_MODULE_BYTES + 1))
    (repo / "pkg").mkdir()
    (repo / "pkg" / "a.py").write_text("")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    commit = git(repo, "rev-parse", "HEAD").strip()
    (repo / "texts.py").write_text('DESC = "staged"\n')
    git(repo, "add", "texts.py")
    (repo / "texts.py").write_text('DESC = "work tree"\n')
    blobs = BlobReader(Git(repo))
    try:
        index = GitModules(blobs, "", base_revision=commit)
        assert index.read("texts.py") == 'DESC = "staged"\n'
        assert index.base().read("texts.py") == 'DESC = "committed"\n'
        assert GitModules(blobs, commit).read("texts.py") == 'DESC = "committed"\n'
        assert index.read("big.py") is None  # over the bound: skipped unread
        assert index.read("pkg") is None  # a tree, not a blob
        assert index.read("../texts.py") is None
        assert index.read("missing.py") is None
        assert index.read("texts.py") == 'DESC = "staged"\n'  # the stream stays in step after skips
        copy = pickle.loads(pickle.dumps(index))  # a worker process starts its own cat-file
        try:
            assert copy.read("texts.py") == 'DESC = "staged"\n'
            again = pickle.loads(pickle.dumps(index))  # and one only, however many copies it receives
            assert again.blobs is copy.blobs and copy.blobs is not blobs
        finally:
            copy.blobs.close()
    finally:
        blobs.close()


def test_a_blob_text_reads_when_called_and_a_copy_reads_through_its_own_process_reader(make_repo):
    from sentinel_hooks.sources.modules import BlobText

    repo = make_repo()
    (repo / "server.py").write_text("BASE = 'caf\u00e9'\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    sha = git(repo, "rev-parse", "HEAD:server.py").strip()
    blobs = BlobReader(Git(repo))
    try:
        loader = BlobText(blobs, sha)
        assert loader.portable and blobs._proc is None  # nothing read until called
        assert loader() == "BASE = 'caf\u00e9'\n"
        assert BlobText(blobs, "0" * 40)() is None  # no such object
        state = pickle.dumps(loader)
        assert b"BASE" not in state and b"BlobReader" not in state  # neither the text nor the reader travels
        copy = pickle.loads(state)
        try:
            assert copy.blobs is not blobs and copy.blobs is pickle.loads(state).blobs
            assert copy() == "BASE = 'caf\u00e9'\n"
        finally:
            copy.blobs.close()
    finally:
        blobs.close()


def test_a_binary_module_recorded_as_absent_still_counts_as_unchanged(tmp_path: Path):
    (tmp_path / "bin.py").write_bytes(b"\0\1\2\3" * 100)
    reader = DirectoryModules(str(tmp_path))
    assert reader.read("bin.py") is None
    assert DirectoryModules(str(tmp_path)).unchanged(reader.reads)


def test_a_diff_names_its_changed_lines_and_every_line_of_an_added_file(tmp_path: Path):
    reader = DirectoryModules(str(tmp_path))
    reader.changes = {"old.py": (frozenset({4, 5}), frozenset({9})), "new.py": (None, frozenset())}
    assert reader.changed("old.py", 1, 4) and reader.changed("old.py", 8, 10) and not reader.changed("old.py", 6, 9)
    assert reader.changed("new.py", 1, 1) and reader.changed("new.py", 30, 40)
    assert not reader.changed("other.py", 1, 100)


def test_changed_agrees_with_reading_every_line_and_sees_a_replaced_entry(tmp_path: Path):
    rng = random.Random(7)
    reader = DirectoryModules(str(tmp_path))
    for _ in range(300):
        added = frozenset(rng.sample(range(1, 60), rng.randint(0, 8)))
        deleted_at = frozenset(rng.sample(range(0, 60), rng.randint(0, 3)))
        reader.changes["m.py"] = (added, deleted_at)  # a new entry each time: never an answer for the old one
        for _ in range(20):
            first = rng.randint(0, 62)
            last = first + rng.randint(-1, 10)
            expected = any(first <= n <= last for n in added) or any(first <= n < last for n in deleted_at)
            assert reader.changed("m.py", first, last) == expected, (sorted(added), sorted(deleted_at), first, last)
    sent = GitModules(BlobReader(Git(cwd=tmp_path)), "HEAD")  # as a worker receives a diff's reader
    sent.changes = {"m.py": (frozenset({5}), frozenset({40}))}
    assert sent.changed("m.py", 0, 61) and "m.py" in sent._sorted_changes
    copy = pickle.loads(pickle.dumps(sent))
    assert copy._sorted_changes == {} and copy.changes == sent.changes and copy.changed("m.py", 40, 41)
