"""The one line-offset helper."""
from sentinel_hooks.text_lines import counted_line_starts, line_starts, position


def test_line_starts_and_positions():
    assert line_starts("") == [0]
    assert line_starts("ab\ncd\n") == [0, 3, 6]  # a final newline opens an empty last line
    starts = line_starts("ab\ncd")
    assert [position(starts, i) for i in range(5)] == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2)]


def test_line_starts_are_one_past_each_newline():
    import random
    rng = random.Random(7)
    for _ in range(500):
        text = "".join(rng.choice("ab\n\r\u2028") for _ in range(rng.randrange(12)))
        assert line_starts(text) == [0] + [i + 1 for i, c in enumerate(text) if c == "\n"], repr(text)


def test_git_counts_no_line_after_a_final_newline():
    assert counted_line_starts("ab\ncd\n") == [0, 3] and counted_line_starts("ab\ncd") == [0, 3]
    assert counted_line_starts("") == [0]


def test_cleaned_docstring_follows_the_docstring_rules_help_uses():
    from sentinel_hooks.text_lines import cleaned_docstring

    assert cleaned_docstring("  Summary.\n\n      Indented more.\n    Body.\n    ") == "Summary.\n\n  Indented more.\nBody."
    assert cleaned_docstring("\n\tTabbed\n\t  deeper\n") == "Tabbed\n  deeper"  # tabs expand before measuring
    assert cleaned_docstring("x\n  \n    y") == "x\n\ny"  # a blank line does not set the margin
    assert cleaned_docstring("") == "" and cleaned_docstring("\n\n") == ""


def test_a_change_reaches_lines_it_adds_on_or_removes_between():
    from sentinel_hooks.text_lines import change_reaches, holds_line

    assert holds_line([3, 9], 4, 9) and not holds_line([3, 9], 4, 8) and not holds_line([], 1, 100)
    assert change_reaches([5], [], 5, 5) and not change_reaches([4, 6], [], 5, 5)
    # removed after line 7: between 7 and 8, inside 7..8 but not at the end of 1..7
    assert change_reaches([], [7], 7, 8) and not change_reaches([], [7], 1, 7) and not change_reaches([], [7], 8, 9)
