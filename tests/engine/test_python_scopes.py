"""The tree helpers of ``python_scopes``: the child lists the collector walks."""
from __future__ import annotations

import ast

from sentinel_hooks.engine.python_scopes import child_nodes

SOURCE = '''
import os, sys as system
from json import loads as parse
global_value: int = 3
def f(a, /, b=1, *c, d, e=2, **g) -> dict:
    global counter
    x = {"k": a, **g}
    y = [i + 1 for i in c if i > 0 < b]
    z = not a and b or -d
    with open(a) as fh, os.fdopen(3):
        del x["k"]
    return f"{y!r:>{z}}" if y else lambda q, *, r=None: q
class C(Base, metaclass=Meta):
    @decorator(1)
    async def m(self):
        nonlocal_free = 1
        async for item in self.stream():
            try:
                await item
            except (KeyError, ValueError) as exc:
                raise RuntimeError from exc
            finally:
                pass
match command:
    case {"go": where, **rest}:
        pass
    case Point(x=0, y=yy) | [1, *others]:
        pass
    case _:
        pass
'''

SKIPPED = (ast.expr_context, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)


def test_child_nodes_are_the_generic_children_without_contexts_and_operators():
    tree = ast.parse(SOURCE)
    checked = 0
    for node in ast.walk(tree):
        expected = [c for c in ast.iter_child_nodes(node) if not isinstance(c, SKIPPED)]
        got = child_nodes(node)
        assert [id(c) for c in got] == [id(c) for c in expected], ast.dump(node)[:80]
        checked += 1
    assert checked > 150


def test_child_nodes_leave_out_none_and_names_held_in_lists():
    keyword_only = ast.parse("def f(*, a, b=1): pass").body[0].args
    assert [type(c).__name__ for c in child_nodes(keyword_only)] == ["arg", "arg", "Constant"]
    mapping = ast.parse("{**a, 'k': b}", mode="eval").body
    assert [type(c).__name__ for c in child_nodes(mapping)] == ["Constant", "Name", "Name"]
    assert child_nodes(ast.parse("def f():\n    global a, b").body[0].body[0]) == []


def test_child_nodes_read_nodes_built_by_hand_as_the_generic_walk_does():
    call = ast.Call(func=ast.Name("f", ast.Load()), args=[ast.Constant(1)], keywords=[])
    assert child_nodes(call) == [call.func, call.args[0]]
