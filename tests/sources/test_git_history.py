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


# -- a block the net change holds -------------------------------------------------------------------
NET = "import os\n\nTOKEN = 'x'\nKEY = 'y'\n\nKEY = 'y'\n"


def span(block: str, counted=None, text: str = NET):
    return git_history.net_span(text, counted, block)


def test_a_block_held_whole_from_a_line_start_gives_its_lines():
    assert span("TOKEN = 'x'\nKEY = 'y'\n") == (3, 4)
    assert span("import os\n") == (1, 1)
    assert span("OKEN = 'x'\n") is None  # not from a line start
    assert span("TOKEN = 'x'\nKEY = 'z'\n") is None  # changed since
    assert span("KEY = 'y'") is None  # a block always ends in a newline: a last line without one matches nowhere


def test_only_lines_the_net_change_adds_hold_a_block():
    assert span("TOKEN = 'x'\nKEY = 'y'\n", frozenset({3})) is None  # line 4 stood before the range
    assert span("KEY = 'y'\n", frozenset({6})) == (6, 6)  # the later copy, which the change added
    assert span("KEY = 'y'\n", frozenset()) is None


def test_a_common_block_is_looked_for_in_a_bounded_number_of_places(monkeypatch):
    text = "\n" * 10 + "x\n"
    assert span("\n", frozenset({10}), text) == (10, 10)
    monkeypatch.setattr(git_history, "MAX_NET_PLACES", 3)
    assert span("\n", frozenset({10}), text) is None  # then scanned as it is


def test_a_history_read_in_the_background_is_stopped_past_its_bound(monkeypatch):
    class Running:
        stopped = False

        def __init__(self, size: int):
            self._size = size

        def size(self) -> int:
            return self._size

        def stop(self) -> None:
            self.stopped = True

    monkeypatch.setattr(git_history, "MAX_PATCH_BYTES", 100)
    within, beyond = Running(100), Running(101)
    git_history.bound(within)
    git_history.bound(beyond)
    assert not within.stopped and beyond.stopped


class Spool:
    """What a ``HistoryReader`` reads: ``data`` in parts of ``size`` bytes, at most ``limit`` of them."""

    def __init__(self, data: bytes, size: int, stopped: bool = False):
        self.data, self.size, self.stopped = data, size, stopped

    def done(self) -> bool:
        return True

    def chunks(self, limit, _part):
        data = self.data[:limit]
        return (data[i:i + self.size] for i in range(0, len(data), self.size))


def test_a_history_cut_at_its_bound_keeps_the_whole_commits_before_the_cut(monkeypatch):
    data = log((A, PATCH), (B, PATCH))
    monkeypatch.setattr(git_history, "MAX_PATCH_BYTES", len(data) - 5)
    for size in (1, 7, len(data)):
        history = git_history.HistoryReader(Spool(data, size, stopped=True)).finish()
        assert history.truncated and {b.commit for b in history.blocks} == {A}
        assert history.order == [A]


def test_a_history_read_in_parts_is_the_history_read_whole():
    """Each part boundary may fall anywhere: inside a commit mark, a hunk, or an added line that holds a
    mark's text."""
    tricky = "diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+\x01commit " + B + "\n+\n"
    binary = "diff --git a/x b/x\nBinary files a/x and b/x differ\n"
    data = log((A, PATCH), (B, tricky + binary), ("c" * 40, PATCH + tricky))
    whole = parse_log(data)
    assert len(whole.blocks) == 4 and whole.binary == {(B, "x")}
    for size in (1, 2, 9, 10, 11, 64, len(data)):
        assert git_history.HistoryReader(Spool(data, size)).finish() == whole, size


def test_a_commit_cut_after_its_first_files_is_left_out_whole(monkeypatch):
    second = PATCH.replace("f.py", "g.py")
    data = log((A, PATCH), (B, PATCH + second + second.replace("g.py", "h.py")))
    whole = git_history.HistoryReader(Spool(data, 16)).finish()
    assert [(b.commit, b.path) for b in whole.blocks] == [(A, "f.py"), (B, "f.py"), (B, "g.py"), (B, "h.py")]
    monkeypatch.setattr(git_history, "MAX_PATCH_BYTES", len(data) - 5)
    for size in (1, 16, len(data)):
        history = git_history.HistoryReader(Spool(data, size, stopped=True)).finish()
        assert history.truncated and history.order == [A] and {b.commit for b in history.blocks} == {A}, size


def test_a_single_commit_cut_at_the_bound_leaves_nothing(monkeypatch):
    data = log((A, PATCH))
    monkeypatch.setattr(git_history, "MAX_PATCH_BYTES", len(data) - 1)
    history = git_history.HistoryReader(Spool(data, 4)).finish()
    assert history.truncated and history.blocks == [] and history.commits == 0
