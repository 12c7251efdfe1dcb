"""The baseline's tree built from the current tree's untouched statements gives exactly the tools of the
whole baseline parsed (seeded random edits of MCP server files), or is refused where it could not."""
from __future__ import annotations

import ast
import difflib
import random
from pathlib import Path
from typing import Optional

import pytest

from sentinel_hooks.engine import python_tree
from sentinel_hooks.engine.tool_metadata import extract
from sentinel_hooks.engine.tool_metadata.baseline_tree import (BaselineTree, Segment, baseline_tree,
                                                               found_segments, roomy_segments)
from sentinel_hooks.engine.tool_metadata.model import ToolDecl, unique_tools
from sentinel_hooks.engine.tool_metadata.python_tools import form_name_lines, python_tools
from sentinel_hooks.engine.units import FileAnalysis, TextUnit

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "baseline_tree").glob("*.py"))


def decl_key(tool: ToolDecl) -> tuple:
    """What drift compares, with the columns (the same when the lines only moved down)."""
    span = tool.report_span
    return (tool.kind, tool.name, tool.description, tool.schema, tool.reassigned_in, span.column, span.end_column)


def full_decls(base: str, wanted: Optional[set[str]]) -> list[tuple]:
    tree = python_tree.parse(base)
    return [decl_key(t) for t in unique_tools(python_tools(base, tree, wanted))] if tree is not None else []


def diff_lines(base: str, current: str) -> tuple[frozenset[int], frozenset[int]]:
    """The changed lines of ``current`` and its deletion points, as a diff of the two gives them."""
    changed, deletions = set(), set()
    matcher = difflib.SequenceMatcher(None, base.splitlines(), current.splitlines(), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("replace", "insert"):
            changed.update(range(j1 + 1, j2 + 1))
        elif op == "delete":
            deletions.add(j1)
    return frozenset(changed), frozenset(deletions)


def checked_tree(current: str, base: str, changed: Optional[frozenset[int]],
                 deletions: frozenset[int]) -> tuple[Optional[BaselineTree], ast.Module]:
    """``baseline_tree`` with its invariants checked: the current tree untouched, the text the baseline
    with blank lines added, and the tree exactly the parse of that text."""
    tree = ast.parse(current)
    before = ast.dump(tree, include_attributes=True)
    built = baseline_tree(current, tree, base, changed, deletions)
    assert ast.dump(tree, include_attributes=True) == before
    if built is not None:
        assert built.text.replace("\n", "") == base.replace("\n", "")
        assert [line for line in built.text.split("\n") if line.strip()] == \
            [line for line in base.split("\n") if line.strip()]
        assert ast.dump(built.tree, include_attributes=True) == \
            ast.dump(ast.parse(built.text), include_attributes=True)
        assert built.moved_lines(form_name_lines(base)) == form_name_lines(built.text)
    return built, tree


# -- seeded random edits -----------------------------------------------------------------------------

_WORDS = ("weather", "rows", "secret", "quickly", "the user", "Lisbon", "~/.ssh/id_rsa", "all")
_INSERTS = ("", "# a comment", "x = 1; y = 2", "@mcp.tool()", "LIMIT_HELP = 'How many, at most'",
            "GREETING = 'Greet ' + 'warmly'", "    pass", "def helper():\n    return 1",
            "@mcp.tool()\ndef inserted(q: str) -> str:\n    \"\"\"An inserted tool.\"\"\"\n    return q",
            "TOOLS = [{'name': 'ping', 'description': 'Ping it'}]", "'''", "if True:",
            "CITY = {'type': 'string', 'description': 'A town'}", "mcp.tool()(helper)")


def _top_level_blocks(lines: list[str]) -> list[tuple[int, int]]:
    text = "\n".join(lines) + "\n"
    tree = python_tree.parse(text)
    if tree is None:
        return []
    return [(min([s.lineno, *(d.lineno for d in getattr(s, "decorator_list", ()))]), s.end_lineno or s.lineno)
            for s in tree.body]


def edited(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(8)
        i = rng.randrange(len(lines))
        if kind == 0:  # a word of a string (a description, a constant)
            quoted = [k for k, line in enumerate(lines) if '"' in line or "'" in line]
            if quoted:
                k = rng.choice(quoted)
                lines[k] = lines[k].replace(rng.choice(["a ", "e", "the ", "s", "o"]), rng.choice(_WORDS) + " ", 1)
        elif kind == 1:  # delete lines
            del lines[i:i + rng.randint(1, 3)]
        elif kind == 2:  # insert lines
            lines[i:i] = rng.choice(_INSERTS).split("\n")
        elif kind == 3:  # move a top-level statement
            blocks = _top_level_blocks(lines)
            if len(blocks) > 1:
                first, last = rng.choice(blocks)
                moved = lines[first - 1:last]
                del lines[first - 1:last]
                at = rng.randrange(len(lines) + 1)
                lines[at:at] = moved
        elif kind == 4:  # a statement joined to the one before by ';'
            if lines[i] and not lines[i][0].isspace():
                lines[i] += "; z = 3"
        elif kind == 5:  # break a string: the text of statements moves inside it
            lines[i:i] = ['NOTE = """']
            lines.insert(min(len(lines), i + rng.randint(2, 12)), '"""')
        elif kind == 6:  # blank lines and comments
            lines[i:i] = rng.choice([[""], ["", ""], ["# note"], ["   # indented note"]])
        else:  # a changed signature
            k = next((k for k in range(i, len(lines)) if lines[k].startswith(("def ", "async def "))), None)
            if k is not None:
                lines[k] = lines[k].replace("(", "(extra: int = 0, ", 1) if "()" not in lines[k] else lines[k]
    return "\n".join(lines)


def _wanted_sets(base: str, current: str, rng: random.Random) -> list[Optional[set[str]]]:
    names = sorted({t.name for text in (base, current) for t in python_tools(text, python_tree.parse(text))}
                   if python_tree.parse(base) is not None else set())
    return [None, set(names), set(rng.sample(names, k=min(len(names), 2))), {"no-such-tool"}]


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.name)
def test_random_edits_give_the_tools_of_the_whole_baseline(fixture):
    original = fixture.read_text(encoding="utf-8")
    rng = random.Random(fixture.name)
    built_count = reused_count = cases = 0
    while cases < 100:
        first = edited(original, rng)
        second = edited(first, rng) if rng.random() < 0.5 else original
        if python_tree.parse(first) is None:
            continue
        for current, base in ((first, second), (second, first)):
            try:
                ast.parse(current)
            except SyntaxError:
                continue
            cases += 1
            changed, deletions = diff_lines(base, current)
            for diff_info in ((changed, deletions), (None, frozenset()), (frozenset(), frozenset())):
                built, tree = checked_tree(current, base, *diff_info)
                if built is None:
                    continue
                built_count += 1
                reused_count += any(any(s is t for t in tree.body) for s in built.tree.body)
                for wanted in _wanted_sets(base, current, rng):
                    moved = built.moved_lines(form_name_lines(base))
                    partial = [decl_key(t) for t in unique_tools(python_tools(built.text, built.tree, wanted,
                                                                              form_lines=moved))]
                    assert partial == full_decls(base, wanted), (fixture.name, current, base)
    assert built_count > cases and reused_count > cases  # the partial method ran, reusing statements


# -- the segments and their room ---------------------------------------------------------------------

BASE = '''import os

A = "first"
B = "second"


@mcp.tool(description=A)
def one() -> str:
    return "1"


@mcp.tool(description=B)
def two() -> str:
    return "2"
'''


def test_only_the_touched_statement_is_parsed_again():
    current = BASE.replace('B = "second"', 'B = "second, changed"')
    tree = ast.parse(current)
    built = baseline_tree(current, tree, BASE, frozenset({4}), frozenset())
    assert built is not None and built.text == BASE and built.added_lines == []
    reused = [s for s in built.tree.body if any(s is t for t in tree.body)]
    assert len(reused) == len(tree.body) - 1 and built.tree.body[2] is not tree.body[2]
    assert built.tree.body[2].value.value == "second"  # the baseline's constant


def test_untouched_statements_are_found_in_order_at_line_starts():
    current = BASE.replace("import os\n", "import os\nimport sys\n")
    segments = found_segments(current, ast.parse(current), BASE, frozenset({2}), frozenset())
    assert [(s.first, s.last, s.base_line) for s in segments] == [(1, 1, 1), (4, 4, 3), (5, 5, 4), (8, 10, 7),
                                                                   (13, 15, 12)]
    assert all(BASE[s.start:s.end] == "".join(current.splitlines(True)[s.first - 1:s.last]) for s in segments)


def test_lines_removed_leave_no_room_and_the_later_statements_are_parsed_with_them():
    current = BASE.replace('import os\n', '')
    built, tree = checked_tree(current, BASE, frozenset(), frozenset({0}))
    assert built is not None
    assert not any(s is t for s in built.tree.body for t in tree.body)  # every statement a line lower
    assert full_decls(BASE, None) == [decl_key(t) for t in unique_tools(python_tools(built.text, built.tree))]


def test_room_comes_back_after_lines_inserted_further_down():
    current = BASE.replace("import os\n", "").replace("@mcp.tool(description=B)", "# two\n# lines\n@mcp.tool(description=B)")
    built, tree = checked_tree(current, BASE, *diff_lines(BASE, current))
    assert built is not None and any(s is tree.body[-1] for s in built.tree.body)
    assert built.added_lines == [(12, 1)]  # the last tool, line 12 of the baseline, one line lower
    assert built.moved_lines([1, 11, 12, 14]) == [1, 11, 13, 15]


def test_roomy_segments_keep_the_most_lines_that_fit():
    def segment(first: int, last: int, base_line: int) -> Segment:
        return Segment([], first, last, 0, 0, base_line)
    # the baseline has 3 lines more than the current file between the second and the third segment,
    # and one more before the first than after it: the first two or the third, whichever has more lines
    found = [segment(10, 10, 6), segment(20, 20, 16), segment(30, 32, 29), segment(40, 41, 41)]
    assert [s.first for s in roomy_segments(found)] == [30]
    found = [segment(10, 11, 6), segment(20, 21, 16), segment(30, 32, 29), segment(40, 41, 41)]
    assert [s.first for s in roomy_segments(found)] == [10, 20]
    found = [segment(5, 5, 1), segment(10, 19, 9), segment(30, 30, 20)]
    assert [s.first for s in roomy_segments(found)] == [10, 30]


def test_a_statement_ending_in_a_backslash_is_not_reused():
    current = "x = 1 \\\n\ny = 2\n"
    base = "x = 1 \\\n+ 3\ny = 2\n"
    built, tree = checked_tree(current, base, frozenset(), frozenset())
    assert built is not None and ast.dump(built.tree) == ast.dump(ast.parse(base))


def test_searches_stop_when_the_text_is_everywhere_but_at_a_line_start():
    current = "".join(f"v{i} = 1\n" for i in range(50))
    base = "w" + "v0 = 1\n" * 2000
    built, _ = checked_tree(current, base, None, frozenset())
    assert built is not None and ast.dump(built.tree) == ast.dump(ast.parse(base))


# -- refusals: the whole baseline is parsed ---------------------------------------------------------

@pytest.mark.parametrize("base", [BASE.replace("\n", "\r\n"), BASE.replace("import os", "import os\f"),
                                  BASE.replace("first", "fir\x00st"), BASE.replace("first", "fir\u2028st"),
                                  BASE.replace("first", "fir\x85st"),
                                  "from __future__ import barry_as_FLUFL\n" + BASE])
def test_other_line_breaks_form_feeds_and_null_bytes_are_refused(base):
    assert baseline_tree(BASE, ast.parse(BASE), base) is None


def test_carriage_returns_in_the_current_file_are_refused():
    current = BASE.replace("\n", "\r\n")
    assert baseline_tree(current, ast.parse(current), BASE) is None


def test_a_gap_that_does_not_parse_alone_is_refused():
    # the baseline holds the current statements' text inside a string: the gap before it is half a statement
    tool = '@mcp.tool()\ndef one() -> str:\n    return "1"\n'
    current, base = "# one tool\n" + tool, 'DOC = """\n' + tool + '"""\n'
    assert baseline_tree(current, ast.parse(current), base, frozenset(), frozenset()) is None
    tree = python_tree.parse(base)
    assert tree is not None and python_tools(base, tree) == []


def test_a_lowered_current_tree_is_not_reused(monkeypatch):
    unit = TextUnit(path="s.py", text=BASE, analysis=FileAnalysis(lambda: BASE, lambda: BASE, frozenset()))
    python_tree.tree_of(unit)
    unit.memo[python_tree.LOWERED_KEY] = True
    monkeypatch.setattr(extract, "baseline_tree", lambda *args: pytest.fail("lowered statements reused"))
    assert [t.name for t in extract.baseline_tools(unit, BASE)] == ["one", "two"]


def test_a_newer_syntax_current_file_is_marked_lowered_or_not():
    text = "def f[T](x: T) -> T:\n    return x\n"
    unit = TextUnit(path="s.py", text=text)
    assert python_tree.tree_of(unit) is not None
    try:
        ast.parse(text)
        assert not python_tree.tree_is_lowered(unit)
    except SyntaxError:
        assert python_tree.tree_is_lowered(unit)
