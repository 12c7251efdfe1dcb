"""Parse JS/TS source with tree-sitter; the grammar is picked from the file name.

Importing this module imports nothing from tree-sitter: ``parse`` loads the library and the grammar
it needs on first call and keeps the parser for the next files.
"""
from __future__ import annotations

import posixpath
from typing import Any, Optional

_parsers: dict[str, Any] = {}


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
