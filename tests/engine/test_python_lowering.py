"""engine/python_lowering and python_tree: newer syntax lowered for the running ``ast``, positions kept;
a file that does not parse at all leaves its reason."""
from __future__ import annotations

import ast

import pytest

from sentinel_hooks.engine import python_tree
from sentinel_hooks.engine.python_lowering import lower


def call_at(source: str, callee: str) -> tuple[int, int, int, int]:
    """(line, column, end line, end column) of the first call of ``callee`` in the lowered tree."""
    tree = ast.parse(lower(source) or source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func) == callee:
            return node.lineno, node.col_offset, node.end_lineno, node.end_col_offset
    raise AssertionError(f"no call of {callee}")


def where(source: str, text: str, end_text: str) -> tuple[int, int, int, int]:
    """Expected (line, byte column, end line, end byte column) of the span from ``text`` to ``end_text``."""
    start = source.index(text)
    end = source.index(end_text, start) + len(end_text)

    def position(offset: int) -> tuple[int, int]:
        line = source.count("\n", 0, offset) + 1
        line_start = source.rfind("\n", 0, offset) + 1
        return line, len(source[line_start:offset].encode("utf-8"))

    return (*position(start), *position(end))


GENERICS = '''\
type Alias[T] = list[T]
class Box[T: (int, str)](Base):
    def get[D](self, default: D) -> T | D:
        return run(default)
def spread[
    T,
    *Ts,
](x: T) -> T:
    return run(x)
async def later[**P](x): await run(x)
'''


def test_type_parameters_and_aliases_are_lowered_in_place():
    lowered = lower(GENERICS)
    assert lowered is not None and lowered.count("\n") == GENERICS.count("\n")
    tree = ast.parse(lowered)
    alias, box, spread, later = tree.body
    assert isinstance(alias, ast.Assign) and alias.targets[0].id == "Alias"  # type: ignore[attr-defined]
    assert (alias.value.lineno, alias.value.col_offset) == (1, GENERICS.index("list[T]"))
    assert box.name == "Box" and [b.id for b in box.bases] == ["Base"]  # type: ignore[attr-defined]
    assert spread.args.args[0].arg == "x" and spread.body[0].lineno == 9  # type: ignore[attr-defined]
    assert isinstance(later, ast.AsyncFunctionDef) and later.lineno == 10
    run_calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert sorted(n.lineno for n in run_calls) == [4, 9, 10]


@pytest.mark.parametrize("source, callee, start, end", [
    ('x = run(f"{d["k"]} {y}")\n', "run", "run(", '}")'),
    ("x = run(f'{'\\n'.join(a)}')\n", "run", "run(", "}')"),
    ('x = run(f"{a # note é\n}", b)\n', "run", "run(", ", b)"),
    ('x = run(f"{a + f"{b + "c"}"}")\n', "run", "run(", '}")'),
    ('é = 1; run(t"{é} {x}")\n', "run", "run(", '}")'),
    ('x = f"{v:>{width}}"; run(x)\n', "run", "run(", "x)"),
])
def test_f_strings_of_3_12_keep_the_positions_of_what_follows(source, callee, start, end):
    line, column, end_line, end_column = where(source, start, end)
    got = call_at(source, callee)
    assert got[:2] == (line, column)
    if "\n" not in source.rstrip("\n") or end_line == line:
        assert got[2:] == (end_line, end_column)
    else:  # a field over lines of a single-quoted f-string: the literal grows two quotes at each end
        assert got[2] == end_line


def test_a_lowered_f_string_keeps_its_names_and_literal_parts():
    tree = ast.parse(lower('run(f"grep {opts["flags"]} {"\\n".join(names)} x")\n'))
    joined = tree.body[0].value.args[0]  # type: ignore[attr-defined]
    assert isinstance(joined, ast.JoinedStr)
    names = {n.id for n in ast.walk(joined) if isinstance(n, ast.Name)}
    assert names == {"opts", "names"}
    assert [v.value for v in joined.values if isinstance(v, ast.Constant)] == ["grep ", " ", " x"]


def test_except_star_becomes_except():
    source = "try:\n    run()\nexcept* (ValueError, OSError) as group:\n    handle(group)\n"
    handler = ast.parse(lower(source)).body[0].handlers[0]  # type: ignore[attr-defined]
    assert handler.name == "group" and handler.lineno == 3 and handler.body[0].lineno == 4


def test_text_with_nothing_to_lower_or_beyond_repair_gives_none():
    assert lower("x = 1\n") is None
    assert lower('x = f"unterminated\n') is None
    assert lower('def broken(:\n    pass\n') is None


def test_python_tree_parses_newer_syntax_and_names_why_a_file_does_not_parse():
    tree, reason = python_tree.parse_or_reason("def f[T](x: T) -> T:\n    return x\n")
    assert tree is not None and reason is None and tree.body[0].name == "f"  # type: ignore[attr-defined]
    assert python_tree.parse_or_reason("def broken(:\n") == (None, python_tree.SYNTAX_ERROR)
    assert python_tree.parse_or_reason("x = 1\0\n") == (None, python_tree.SYNTAX_ERROR)
    for deep in ("x = " + "(" * 300 + ")" * 300 + "\n", "x = " + "-" * 200_000 + "1\n"):
        assert python_tree.parse_or_reason(deep) == (None, python_tree.TOO_DEEP)


def test_starred_items_in_subscripts_and_annotations_lose_their_star():
    source = "def f(*args: *Ts) -> tuple[int, *Ts]:\n    return run([*args], x[*idx])\n"
    tree = ast.parse(lower(source))
    fn = tree.body[0]  # type: ignore[attr-defined]
    assert fn.args.vararg.arg == "args"
    call = fn.body[0].value
    assert isinstance(call.args[0].elts[0], ast.Starred)  # a list display keeps its unpacking
    assert (call.lineno, call.col_offset, call.end_col_offset) == (2, 11, source.splitlines()[1].index("])") + 2)
