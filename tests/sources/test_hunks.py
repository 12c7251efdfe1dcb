"""sources/hunks.read_hunk: a hunk body is read by its header's counts."""
from __future__ import annotations

from sentinel_hooks.sources.hunks import added_run, deletion_point, read_hunk


def test_added_lines_that_look_like_headers_stay_body_lines() -> None:
    lines = [b"@@ -3,2 +3,3 @@", b"-old", b"-old2", b"+++ not a header", b"+@@ -1 +1 @@", b"+plain",
             b"diff --git a/x b/x"]
    added, after = read_hunk(lines, lines[0], 1)
    assert added == [(3, b"++ not a header"), (4, b"@@ -1 +1 @@"), (5, b"plain")]
    assert lines[after] == b"diff --git a/x b/x"


def test_counts_default_to_one_and_no_newline_marker_is_skipped() -> None:
    lines = [b"@@ -7 +7 @@", b"-a", b"\\ No newline at end of file", b"+b", b"\\ No newline at end of file", b""]
    added, after = read_hunk(lines, lines[0], 1)
    assert added == [(7, b"b")]
    assert after == 4  # a marker after the last counted line is left to the caller, which ignores it


def test_context_lines_advance_the_new_line_number() -> None:
    lines = [b"@@ -1,3 +1,3 @@", b" keep", b"-gone", b"+new", b" keep"]
    added, after = read_hunk(lines, lines[0], 1)
    assert added == [(2, b"new")] and after == 5


def test_a_truncated_body_ends_at_the_first_foreign_line() -> None:
    lines = [b"@@ -0,0 +1,5 @@", b"+one", b"commit abc"]
    added, after = read_hunk(lines, lines[0], 1)
    assert added == [(1, b"one")] and lines[after] == b"commit abc"


def test_not_a_hunk_header() -> None:
    assert read_hunk([b"@@ nonsense"], b"@@ nonsense", 1) is None


def test_a_hunk_that_only_removes_lines_has_a_deletion_point() -> None:
    assert deletion_point(b"@@ -12,2 +11,0 @@") == 11  # removed after new line 11
    assert deletion_point(b"@@ -1 +0,0 @@") == 0  # at the start of the file
    assert deletion_point(b"@@ -3,2 +3 @@") is None  # a replacement: its added line marks it
    assert deletion_point(b"@@ -0,0 +1,2 @@") is None
    assert deletion_point(b"not a header") is None


def _by_lines(lines: list[bytes], i: int) -> tuple[int, int, bytes, int]:
    numbered, end = read_hunk(lines, lines[i - 1], i)
    first = numbered[0][0] if numbered else int(lines[i - 1].split(b"+")[1].split(b",")[0].split(b" ")[0])
    return first, len(numbered), b"\n".join(text for _, text in numbered), end


def test_added_run_reads_slices_as_the_line_by_line_reading_does():
    bodies = [
        b"@@ -0,0 +1,3 @@\n+a\n++ b/x\n+@@ -1 +1 @@\nafter",          # added lines that look like headers
        b"@@ -4,2 +4 @@\n-x\n-y\n+z\n@@ -9 +8,0 @@\n-gone",         # removed, then added
        b"@@ -0,0 +1,2 @@\n+\n+\n\\ No newline at end of file\nx",  # empty added lines
        b"@@ -3 +3 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n",  # markers inside
        b"@@ -2,0 +3 @@\n+++x",
        b"@@ -1,2 +1,2 @@\n a\n+b\n-c",                                 # a context line: read line by line
        b"@@ -0,0 +1,3 @@\n+a\n+b",                                     # cut short
    ]
    for body in bodies:
        lines = body.split(b"\n")
        assert added_run(lines, lines[0], 1) == _by_lines(lines, 1), body
    assert added_run([b"x"], b"not a header", 0) is None
