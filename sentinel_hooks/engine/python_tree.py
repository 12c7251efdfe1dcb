"""The syntax tree of a Python file, parsed once per file and shared by the detectors that need it
(the Python checks and the tool-metadata extractor), and by every window of the file."""
from __future__ import annotations

import ast
import warnings
from collections import deque
from typing import TYPE_CHECKING, Iterator, Optional

if TYPE_CHECKING:
    from sentinel_hooks.engine.units import TextUnit

MEMO_KEY = "python.tree"
_BLOCKS = (ast.stmt, ast.excepthandler, ast.match_case)


def parse(source: str) -> Optional[ast.Module]:
    """The tree of ``source``; None when it does not parse (Python 2, templates, nesting too deep)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings of scanned code are not ours to print
            return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def tree_of(unit: TextUnit) -> Optional[ast.Module]:
    """The tree of the unit's whole file, parsed on first request."""
    memo = unit.memo
    if MEMO_KEY not in memo:
        memo[MEMO_KEY] = parse(unit.full_text())
    return memo[MEMO_KEY]


def walk_statements(tree: ast.AST) -> Iterator[ast.AST]:
    """The statements of ``tree`` (with except handlers and match cases, which hold statements), in
    the order ``ast.walk`` yields them, without visiting expressions, which never hold a statement."""
    todo = deque([tree])
    while todo:
        node = todo.popleft()
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                todo.extend(item for item in value if isinstance(item, _BLOCKS))
        yield node
