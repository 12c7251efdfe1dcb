"""The syntax tree of a Python file, parsed once per file and shared by the detectors that need it
(the Python checks and the tool-metadata extractor), and by every window of the file.

A file the running interpreter's ``ast`` rejects is parsed again after its newer syntax is lowered
(``python_lowering``), so code written for a newer Python is analysed on an older one. A file that
still does not parse leaves its reason in the file's memo (``NOT_ANALYSED``), which the scan counts
in its summary."""
from __future__ import annotations

import ast
import warnings
from collections import deque
from typing import TYPE_CHECKING, Iterator, Optional

from sentinel_hooks.engine.units import NOT_ANALYSED

if TYPE_CHECKING:
    from sentinel_hooks.engine.units import TextUnit

MEMO_KEY = "python.tree"
LOWERED_KEY = "python.tree lowered"  # memo: whether the tree is that of the file's newer syntax lowered
SYNTAX_ERROR = "not analysed: syntax error"
TOO_DEEP = "not analysed: nesting too deep"
TOO_LARGE = "not analysed: too large to parse"
_BLOCKS = (ast.stmt, ast.excepthandler, ast.match_case)


def parse(source: str) -> Optional[ast.Module]:
    """The tree of ``source``; None when it does not parse (Python 2, templates, nesting too deep)."""
    return parse_or_reason(source)[0]


def parse_or_reason(source: str) -> tuple[Optional[ast.Module], Optional[str]]:
    """The tree of ``source`` (its newer syntax lowered when the running ``ast`` rejects it), or None
    and why not."""
    tree, reason, _ = parse_lowering(source)
    return tree, reason


def parse_lowering(source: str) -> tuple[Optional[ast.Module], Optional[str], bool]:
    """``parse_or_reason`` and whether the tree is that of the lowered text (a file's one parse)."""
    try:
        return _parse(source), None, False
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg):  # parentheses or blocks past the parser's limits
            return None, TOO_DEEP, False
    except ValueError:  # null bytes
        return None, SYNTAX_ERROR, False
    except (RecursionError, MemoryError):
        return None, TOO_DEEP, False
    from sentinel_hooks.engine import python_lowering

    lowered = python_lowering.lower(source)
    if lowered is None:
        return None, SYNTAX_ERROR, False
    try:
        return _parse(lowered), None, True
    except (SyntaxError, ValueError):
        return None, SYNTAX_ERROR, False
    except (RecursionError, MemoryError):
        return None, TOO_DEEP, False


def _parse(source: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarnings of scanned code are not ours to print
        return ast.parse(source)


def tree_of(unit: TextUnit) -> Optional[ast.Module]:
    """The tree of the unit's whole file, parsed on first request."""
    memo = unit.memo
    if MEMO_KEY not in memo:
        memo[MEMO_KEY], reason, memo[LOWERED_KEY] = parse_lowering(unit.full_text())
        if reason is not None:
            memo[NOT_ANALYSED] = reason
    return memo[MEMO_KEY]


def tree_is_lowered(unit: TextUnit) -> bool:
    """Whether the unit's tree (``tree_of``) was parsed from the file's newer syntax lowered."""
    return bool(unit.memo.get(LOWERED_KEY))


def first_line(node: ast.AST) -> int:
    """The first line of a statement, its decorators included."""
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])  # type: ignore[attr-defined]


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
