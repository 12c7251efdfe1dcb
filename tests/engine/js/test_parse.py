"""Grammar choice by file name, and named functions found by the tree query."""
from __future__ import annotations

import pytest

from sentinel_hooks.engine.js.parse import grammar_for, named_functions, parse


@pytest.mark.parametrize(("path", "grammar"), [
    ("src/index.ts", "typescript"), ("a.mts", "typescript"), ("App.tsx", "tsx"),
    ("server.js", "javascript"), ("x.mjs", "javascript"), ("View.jsx", "javascript"),
])
def test_grammar_for(path: str, grammar: str) -> None:
    assert grammar_for(path) == grammar


@pytest.mark.parametrize("path", ["m.ts", "m.js"])
def test_named_functions_include_declarations_arrows_methods_and_object_members(path: str) -> None:
    source = ("function a() {}\nconst b = () => 1;\nconst c = function () {};\n"
              "class K { d() {} e = () => 2; }\nconst o = { f: () => 3 };\n")
    root = parse(source.encode(), path)
    assert [name for name, _ in named_functions(root, path)] == ["a", "b", "c", "d", "e", "f"]


def test_a_file_that_does_not_parse_cleanly_still_gives_a_tree() -> None:
    root = parse(b"function broken( {\n  exec(x\n", "bad.ts")
    assert root is not None and root.has_error
