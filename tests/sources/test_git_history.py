from sentinel_hooks.sources import git_history
from sentinel_hooks.sources.git_history import AddedBlock, parse_log

A, B = "a" * 40, "b" * 40


def log(*commits: tuple[str, str]) -> bytes:
    return b"".join(b"\x01commit " + sha.encode() + b"\n\n" + patch.encode() for sha, patch in commits)


PATCH = ("diff --git a/f.py b/f.py\n--- a/f.py\n+++ b/f.py\n@@ -2,0 +3,2 @@\n+x = 1\n+y = 2\n"
         "@@ -9 +10,0 @@\n-gone\n")


def test_blocks_carry_commit_path_and_first_line():
    history = parse_log(log((A, PATCH), (B, PATCH.replace("x = 1", "+++ b/evil"))))
    assert history.commits == 2 and not history.truncated
    assert history.blocks == [AddedBlock(A, "f.py", 3, "x = 1\ny = 2\n"),
                              AddedBlock(B, "f.py", 3, "+++ b/evil\ny = 2\n")]


def test_a_commit_mark_inside_a_hunk_body_is_content():
    patch = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +1,1 @@\n+\x01commit " + B + "\n"
    assert [b.commit for b in parse_log(log((A, patch))).blocks] == [A]


def test_binary_content_and_deleted_files_are_left_out():
    nul = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+a\0b\n"
    deleted = "diff --git a/g b/g\n--- a/g\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
    assert parse_log(log((A, nul + deleted))).blocks == []


def test_commits_beyond_the_bound_are_dropped(monkeypatch):
    monkeypatch.setattr(git_history, "MAX_COMMITS", 1)
    history = parse_log(log((A, PATCH), (B, PATCH)))
    assert history.truncated and history.commits == 1 and {b.commit for b in history.blocks} == {B}


def test_files_shown_as_binary_are_remembered_by_commit_and_path():
    patch = 'diff --git a/x y.env b/x y.env\nindex 1..2 100644\nBinary files a/x y.env and b/x y.env differ\n'
    quoted = 'diff --git "a/t\\tb" "b/t\\tb"\nBinary files "a/t\\tb" and "b/t\\tb" differ\n'
    assert parse_log(log((A, patch), (B, quoted))).binary == {(A, "x y.env"), (B, "t\tb")}
