"""Parse JS/TS source with tree-sitter; the grammar is picked from the file name.

Importing this module imports nothing from tree-sitter: ``parse`` loads the library and the grammar
it needs on first call and keeps the parser for the next files.
"""
from __future__ import annotations

import posixpath
from typing import Any, Optional

_parsers: dict[str, Any] = {}
_queries: dict[str, Any] = {}

# named functions of a file: declarations, methods, and function values bound to a name or key
_FUNCTIONS_QUERY = """
(function_declaration name: (identifier) @name) @fn
(generator_function_declaration name: (identifier) @name) @fn
(method_definition name: (property_identifier) @name) @fn
(variable_declarator name: (identifier) @name value: [(arrow_function) (function_expression)] @fn)
(pair key: (property_identifier) @name value: [(arrow_function) (function_expression)] @fn)
"""
_FIELD_QUERY = {
    "javascript": "(field_definition property: (property_identifier) @name value: [(arrow_function) (function_expression)] @fn)",
    "typescript": "(public_field_definition name: (property_identifier) @name value: [(arrow_function) (function_expression)] @fn)",
}


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
    """``(name, function node)`` of every named function in the tree, in source order (a query run in C)."""
    import tree_sitter
    grammar = grammar_for(path)
    query = _queries.get(grammar)
    if query is None:
        language = _parser(grammar).language
        field = _FIELD_QUERY["javascript" if grammar == "javascript" else "typescript"]
        query = _queries[grammar] = tree_sitter.Query(language, _FUNCTIONS_QUERY + field)
    found = []
    for _, captures in tree_sitter.QueryCursor(query).matches(root):
        names, fns = captures.get("name"), captures.get("fn")
        if names and fns:
            found.append((names[0].text.decode("utf-8", "replace"), fns[0]))
    found.sort(key=lambda item: item[1].start_byte)
    return found
