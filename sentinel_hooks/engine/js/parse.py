"""Parse JS/TS source with tree-sitter; the grammar is picked from the file name.

Importing this module imports nothing from tree-sitter: ``parse`` loads the library and the grammar
it needs on first call and keeps the parser for the next files.
"""
from __future__ import annotations

import posixpath
from typing import Any, Optional

_parsers: dict[str, Any] = {}
_queries: dict[str, Any] = {}

# named functions of a file: declarations and methods (the node itself), and function values bound to
# a name or a key (the value). One query for the candidate nodes, whose fields are checked here: a
# query naming the fields and value types takes twice as long to build (11 against 5 ms for
# TypeScript), once per process, which a hook run pays in full.
_CANDIDATES_QUERY = ("[(function_declaration) (generator_function_declaration) (method_definition) (variable_declarator)"
                     " (pair) ({field})] @node")
_FIELD_NODE = {"javascript": "field_definition", "typescript": "public_field_definition"}
_DECLARATIONS = {"function_declaration": ("name", "identifier"),
                 "generator_function_declaration": ("name", "identifier"),
                 "method_definition": ("name", "property_identifier")}
_BINDINGS = {"variable_declarator": ("name", "identifier"), "pair": ("key", "property_identifier"),
             "field_definition": ("property", "property_identifier"),
             "public_field_definition": ("name", "property_identifier")}
_FUNCTION_VALUES = ("arrow_function", "function_expression")


def grammar_for(path: str) -> str:
    """``typescript``, ``tsx`` or ``javascript`` (which also reads JSX and plain ES modules)."""
    ext = posixpath.splitext(path.lower())[1]
    if ext in (".ts", ".mts", ".cts"):
        return "typescript"
    if ext == ".tsx":
        return "tsx"
    return "javascript"


def _parser(grammar: str) -> Any:
    parser = _parsers.get(grammar)
    if parser is None:
        import tree_sitter
        if grammar == "javascript":
            import tree_sitter_javascript
            handle = tree_sitter_javascript.language()
        else:
            import tree_sitter_typescript
            handle = (tree_sitter_typescript.language_tsx() if grammar == "tsx"
                      else tree_sitter_typescript.language_typescript())
        parser = _parsers[grammar] = tree_sitter.Parser(tree_sitter.Language(handle))
    return parser


def parse(source: bytes, path: str) -> Optional[Any]:
    """The root node of ``source``'s tree, or None when tree-sitter is not installed."""
    try:
        parser = _parser(grammar_for(path))
    except ImportError:
        return None
    return parser.parse(source).root_node


def named_functions(root: Any, path: str) -> list[tuple[str, Any]]:
    """``(name, function node)`` of every named function in the tree, in source order (the candidate
    nodes found by a query run in C)."""
    import tree_sitter
    grammar = grammar_for(path)
    query = _queries.get(grammar)
    if query is None:
        language = _parser(grammar).language
        field = _FIELD_NODE["javascript" if grammar == "javascript" else "typescript"]
        query = _queries[grammar] = tree_sitter.Query(language, _CANDIDATES_QUERY.format(field=field))
    found = []
    for node in tree_sitter.QueryCursor(query).captures(root).get("node", ()):
        named = _named_function(node)
        if named is not None:
            found.append(named)
    found.sort(key=lambda item: item[1].start_byte)
    return found


def _named_function(node: Any) -> Optional[tuple[str, Any]]:
    """The name and function of a candidate node, or None when it names no function."""
    kind = node.type
    if kind in _DECLARATIONS:
        field, name_type = _DECLARATIONS[kind]
        fn = node
    else:
        field, name_type = _BINDINGS[kind]
        fn = node.child_by_field_name("value")
        if fn is None or fn.type not in _FUNCTION_VALUES:
            return None
    name = node.child_by_field_name(field)
    if name is None or name.type != name_type:
        return None
    return name.text.decode("utf-8", "replace"), fn
