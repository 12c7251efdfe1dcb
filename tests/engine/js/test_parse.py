"""Grammar choice by file name, and named functions found by the tree query."""
from __future__ import annotations

from pathlib import Path

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


MIXED = b"""
function* gen() {}
const notFn = 5, arrow = async (x) => x, { destructured } = obj;
let [first] = list;
const o = { "quoted": () => 1, [computed]: () => 2, plain: function named() {}, value: 3, method() {} };
class C { #hidden() {} static s() {} field = 1; arrowField = () => 0; ["k"]() {} get g() { return 1; } }
export default function () {}
export function exported() { const inner = () => { function deeper() {} }; }
"""
# the fields and value types each form of named function must have, as one query spells them
SPELLED_OUT = """
(function_declaration name: (identifier) @name) @fn
(generator_function_declaration name: (identifier) @name) @fn
(method_definition name: (property_identifier) @name) @fn
(variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)] @fn)
(pair key: (property_identifier) @name value: [(arrow_function) (function_expression)] @fn)
({field} {name}: (property_identifier) @name value: [(arrow_function) (function_expression)] @fn)
"""


def _spelled_out(root, path: str) -> list[tuple[str, int, int]]:
    import tree_sitter

    from sentinel_hooks.engine.js.parse import _parser, grammar_for
    field, name = ("field_definition", "property") if grammar_for(path) == "javascript" else \
        ("public_field_definition", "name")
    query = tree_sitter.Query(_parser(grammar_for(path)).language, SPELLED_OUT.format(field=field, name=name))
    found = [(c["name"][0].text.decode(), c["fn"][0].start_byte, c["fn"][0].end_byte)
             for _, c in tree_sitter.QueryCursor(query).matches(root)]
    return sorted(found, key=lambda item: item[1])


def _sources() -> list[tuple[str, bytes]]:
    root = Path(__file__).resolve().parents[2]
    files = [p for folder in (root / "corpus", root.parent / "examples") for p in sorted(folder.rglob("*"))
             if p.suffix in (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".tsx")]
    assert len(files) >= 10
    return [("mixed.ts", MIXED), ("mixed.js", MIXED)] + [(p.name, p.read_bytes()) for p in files]


def test_named_functions_are_the_forms_the_fields_and_value_types_spell() -> None:
    seen = 0
    for path, source in _sources():
        root = parse(source, path)
        found = [(name, fn.start_byte, fn.end_byte) for name, fn in named_functions(root, path)]
        assert found == _spelled_out(root, path), path
        seen += len(found)
    assert seen > 50
    names = {name for name, _ in named_functions(parse(MIXED, "mixed.ts"), "mixed.ts")}
    assert names == {"gen", "arrow", "plain", "method", "s", "arrowField", "g", "exported", "inner", "deeper"}


def test_a_file_that_does_not_parse_cleanly_still_gives_a_tree() -> None:
    root = parse(b"function broken( {\n  exec(x\n", "bad.ts")
    assert root is not None and root.has_error
