"""The one line-offset helper."""
from sentinel_hooks.text_lines import counted_line_starts, line_starts, position


def test_line_starts_and_positions():
    assert line_starts("") == [0]
    assert line_starts("ab\ncd\n") == [0, 3, 6]  # a final newline opens an empty last line
    starts = line_starts("ab\ncd")
    assert [position(starts, i) for i in range(5)] == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2)]


def test_git_counts_no_line_after_a_final_newline():
    assert counted_line_starts("ab\ncd\n") == [0, 3] and counted_line_starts("ab\ncd") == [0, 3]
    assert counted_line_starts("") == [0]
