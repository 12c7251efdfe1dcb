"""The engine's units of a source's fragment: a whole text, or windows sharing one file analysis."""
from __future__ import annotations

from sentinel_hooks.engine.units import units_of
from sentinel_hooks.sources.fragment import Fragment
from sentinel_hooks.sources.git_diff import window_fragment


def test_window_units_carry_file_coordinates_and_loaders():
    text = "".join(f"l{i}\n" for i in range(1, 21))
    units = units_of(window_fragment("f.py", text, [3, 4, 15], 1, lambda: "base"))
    assert [(u.first_line, u.last_line if not u.text.endswith("\n") else u.last_line - 1) for u in units] \
        == [(2, 5), (14, 16)]
    first, second = units
    assert first.text == "l2\nl3\nl4\nl5\n"
    assert first.changed_lines == frozenset({3, 4}) and second.changed_lines == frozenset({15})
    assert first.full_text() == text and first.base_text() == "base"
    assert first.position(first.text.index("l4")) == (4, 1)


def test_window_units_without_trailing_newline():
    units = units_of(window_fragment("f", "a\nb\nc", [3], 0, None))
    assert [(u.first_line, u.text) for u in units] == [(3, "c")]


def test_windows_share_one_file_analysis():
    text = "".join(f"l{i}\n" for i in range(1, 41))
    first, second = units_of(window_fragment("f.py", text, [3, 30], 1, None))
    assert first.file() is second.file() and first.file().changed_lines == frozenset({3, 30})


def test_a_fragment_without_windows_is_one_unit_in_file_coordinates():
    fragment = Fragment(path="a.py", text="k = 1\n", first_line=7, categories=frozenset({"secrets"}), commit="c" * 40)
    (unit,) = units_of(fragment)
    assert (unit.path, unit.first_line, unit.categories, unit.commit, unit.is_window) == \
        ("a.py", 7, frozenset({"secrets"}), "c" * 40, False)
    assert unit.position(0) == (7, 1)


def test_windows_are_cut_at_the_line_starts_the_source_counted(monkeypatch):
    """A diff source counts a changed file's line starts once; its windows are cut with them, as they
    would be from the text (also without a final newline, and with CRLF line ends)."""
    from sentinel_hooks import text_lines
    from sentinel_hooks.engine import units as units_module

    texts = ["".join(f"l{i}\n" for i in range(1, 30)), "a\nb\nc", "x\r\ny\r\nz\r\n" * 5]
    expected = [[(u.first_line, u.text) for u in units_of(window_fragment("f", t, [3, 9], 1, None))] for t in texts]
    fragments = [window_fragment("f", t, [3, 9], 1, None) for t in texts]
    assert [f.line_starts for f in fragments] == [text_lines.counted_line_starts(t) for t in texts]

    def counted_again(text: str) -> list[int]:
        raise AssertionError("line starts counted again")

    monkeypatch.setattr(units_module.text_lines, "counted_line_starts", counted_again)
    assert [[(u.first_line, u.text) for u in units_of(f)] for f in fragments] == expected
