import os

import pytest

from gitutil import git
from sentinel_hooks import policy_snapshot
from sentinel_hooks.errors import ConfigError
from sentinel_hooks.sources.git import BlobReader, Git


@pytest.fixture
def repo(make_repo, monkeypatch):
    repo = make_repo()
    monkeypatch.chdir(repo)
    (repo / ".mcp-sentinel.yaml").write_text("rules: [packs]\n")
    (repo / "packs").mkdir()
    (repo / "packs" / "a.yaml").write_text("pack: a\n")
    (repo / "packs" / "notes.txt").write_text("not a pack\n")
    (repo / ".mcp-sentinel-ignore").symlink_to("/etc/passwd")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "policy")
    return repo


def test_a_revision_and_the_work_tree_give_the_same_snapshot(repo):
    git_ = Git()
    blobs = BlobReader(git_)
    try:
        at_head = policy_snapshot.at_revision(git_, blobs, git(repo, "rev-parse", "HEAD").strip(), ["packs"])
    finally:
        blobs.close()
    here = policy_snapshot.in_work_tree(repo, ["packs"])
    for snap in (at_head, here):
        assert snap.text(".mcp-sentinel.yaml") == "rules: [packs]\n"
        assert snap.packs("packs") == ["packs/a.yaml"] and snap.text("packs/a.yaml") == "pack: a\n"
        assert snap.text(".mcp-sentinel-ignore") is None  # a symlink is never read


def test_a_policy_file_over_the_bound_is_refused(repo, monkeypatch):
    monkeypatch.setattr(policy_snapshot, "POLICY_LIMIT", 8)
    with pytest.raises(ConfigError, match="too large"):
        policy_snapshot.in_work_tree(repo)


def test_repo_relative(repo, tmp_path):
    assert policy_snapshot.repo_relative(repo, repo / "packs") == "packs"
    assert policy_snapshot.repo_relative(repo, tmp_path / "elsewhere") is None


def test_no_symlink_on_the_way_is_followed(repo, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "b.yaml").write_text("pack: outside\n")
    (repo / "linked").symlink_to(outside)
    snap = policy_snapshot.in_work_tree(repo, ["linked", "linked/b.yaml"])
    assert snap.packs("linked") == [] and snap.text("linked/b.yaml") is None


@pytest.mark.posix_only  # FIFOs
def test_a_special_file_is_skipped_and_the_bound_is_policy_files_own(repo, monkeypatch):
    """The snapshot reads through policy_files.read_bytes: a FIFO is skipped without blocking, and a
    file over the bound is named in the reader's words (its size, the limit)."""
    from sentinel_hooks import policy_files

    (repo / ".mcp-sentinel-ignore").unlink()
    os.mkfifo(repo / ".mcp-sentinel-ignore")
    assert policy_snapshot.in_work_tree(repo).text(".mcp-sentinel-ignore") is None
    monkeypatch.setattr(policy_snapshot, "POLICY_LIMIT", 8)
    with pytest.raises(ConfigError, match=r"policy file \(in the working tree\) is too large \(15 bytes; limit 8\)"):
        policy_snapshot.in_work_tree(repo)
    with pytest.raises(ConfigError, match="too large"):  # skipping unusable files never lifts the bound
        policy_files.read_bytes(repo / ".mcp-sentinel.yaml", "config", root=repo, limit=8, skip_unusable=True)
