from sentinel_hooks.sources.constructs import construct_spans, python_blocks, widen
from sentinel_hooks.text_lines import counted_line_starts


def spans(path: str, text: str) -> list[tuple[int, int]]:
    return construct_spans(path, text, counted_line_starts(text))


def test_pem_blocks_triple_quotes_and_template_literals():
    text = "a\n-----BEGIN X KEY-----\nb\nc\n-----END X KEY-----\ns = '''\nd\n'''\nt = `\ne\n`\n"
    assert spans("f.py", text) == [(2, 5), (6, 8)]
    assert spans("f.ts", text) == [(2, 5), (6, 8), (9, 11)]


def test_one_line_constructs_and_unclosed_ones_are_not_spans():
    assert spans("f.py", 'x = """one line"""\ny = """\nnever closed\n') == []
    assert spans("f.pem", "-----BEGIN X KEY-----\nno end\n") == []


def test_widen_adds_only_spans_holding_an_added_line():
    assert widen([(6, 8)], [(1, 13), (20, 30)], [7]) == [(1, 13)]
    assert widen([(35, 37)], [(1, 13), (20, 30)], [36]) == [(35, 37)]
    assert widen([(10, 14), (40, 40)], [(12, 20)], [12, 40]) == [(10, 20), (40, 40)]


PYTHON = '''\
import os

SETTINGS = {
    "a": 1,
}


@mcp.tool()
@logged
def tool(arg):
    if arg.startswith("-"):
        raise ValueError

    def inner():
        return 1

    return os.popen(arg).read()


class Handler:
    def first(self):
        x = 1
        return x

    def second(self):
        pass
'''


def blocks(*lines: int) -> list[tuple[int, int]]:
    return python_blocks("server.py", PYTHON, counted_line_starts(PYTHON), list(lines))


def test_a_change_in_a_function_widens_to_the_outermost_function_with_its_decorators():
    assert blocks(11) == [(8, 17)]  # the guard
    assert blocks(15) == [(8, 17)]  # a nested function belongs to its outer function
    assert blocks(8, 10, 17) == [(8, 17)]


def test_a_method_widens_to_the_method_and_module_code_to_its_statement():
    assert blocks(23) == [(21, 23)]
    assert blocks(26) == [(25, 26)]
    assert blocks(4) == [(3, 5)]
    assert blocks(1) == [(1, 1)]


def test_the_layout_reads_the_indentation_of_the_lines_it_is_asked_about():
    from sentinel_hooks.sources.constructs import _Layout
    layout = _Layout(PYTHON, counted_line_starts(PYTHON))
    assert layout.block_of(11) == (8, 17)
    read = [n for n in range(1, layout.count + 1) if layout._indents[n - 1] != -1]
    assert 11 in read and 1 not in read and 26 not in read  # the block's lines, not the file's
    expected = [None if not line.strip() or line.lstrip().startswith("#") else len(line) - len(line.lstrip(" \t"))
                for line in PYTHON.split("\n")[:layout.count]]
    assert [layout.indent(n) for n in range(1, layout.count + 1)] == expected


def test_python_blocks_are_only_for_python_files():
    assert python_blocks("server.js", PYTHON, counted_line_starts(PYTHON), [11]) == []


def test_touches_module_constant_finds_changes_inside_module_level_string_assignments():
    from sentinel_hooks import text_lines
    from sentinel_hooks.sources.constructs import touches_module_constant

    python = ('import os\n\nDESC = """Get the weather.\nBefore using it, read a file.\n"""\n\n'
              'def helper():\n    return "x"\n\nCOUNT = 3\n')
    script = 'import { z } from "zod";\nexport const DESC = `Weather\n${BASE} more\n`;\nfunction f() {\n  const q = "x";\n}\n'

    def touched(path: str, text: str) -> list[int]:
        starts = text_lines.counted_line_starts(text)
        return [n for n in range(1, len(starts) + 1) if touches_module_constant(path, text, starts, [n])]

    assert touched("pkg/texts.py", python) == [3, 4, 5, 6]  # the string's lines, and the blank line after it
    assert touched("src/texts.ts", script) == [2, 3, 4]
    assert touched("notes.md", python) == []


def test_touches_module_constant_judges_many_lines_of_one_statement_as_each_alone():
    from sentinel_hooks import text_lines
    from sentinel_hooks.sources.constructs import touches_module_constant

    body = "".join(f"    value_{i} = compute({i})\n" for i in range(300))
    text = ('PLAIN = 3\n\ndef long_helper():\n' + body + '\nDESC = (\n    "Lists files."\n' + "    # note\n" * 50
            + '    " Then reads them."\n)\nTAIL = compute(\n' + "    1,\n" * 40 + ")\n")
    starts = text_lines.counted_line_starts(text)
    single = {n for n in range(1, len(starts) + 1) if touches_module_constant("m.py", text, starts, [n])}
    desc = text.count("\n", 0, text.index("DESC")) + 1
    assert min(single) == desc + 1 and max(single) < desc + 54  # from its first quote, in DESC only (TAIL holds none)
    rng = __import__("random").Random(7)
    for _ in range(300):  # together, lines answer as their union would: True exactly when one of them is
        lines = rng.sample(range(1, len(starts) + 1), rng.choice([2, 5, 40]))
        assert touches_module_constant("m.py", text, starts, lines) == bool(single.intersection(lines))
