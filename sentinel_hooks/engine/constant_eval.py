"""Constant evaluation for the Python checks: is a value fixed by the program, or checked against a
fixed allow-list?

``is_constant(node, lookup)`` is True for literals (text, bytes, numbers, ``None``, booleans);
f-strings, ``+``/``%`` concatenations, ``str.format`` and ``str.join`` whose parts are all constant;
conditionals whose branches are constant (``"a" if flag else "b"``, whatever the condition); tuples,
lists and sets of constants; and names every assignment of which is constant (module constants
included, through ``lookup``).

``allow_listed_names(compare, lookup)`` names the variable a membership test checks against a constant
collection (``x in ("python", "node")``, ``x not in ALLOWED``, with ``ALLOWED`` a constant or an
upper-case name); such a value can only be one of the listed constants where the test guards it.
``is_containment_check(compare)`` recognises ``Path(p).resolve().parent != base``.
"""
from __future__ import annotations

import ast
from typing import Callable

Lookup = Callable[[str], list[ast.expr]]
MAX_DEPTH = 8
PURE_CALLS = {"str", "int", "float", "repr", "os.path.join", "posixpath.join", "shlex.quote", "len"}


def _call_name(func: ast.expr) -> str:
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
        return ".".join(reversed(parts))
    return ""


def is_constant(node: ast.expr | None, lookup: Lookup, depth: int = 0) -> bool:
    if node is None or depth > MAX_DEPTH:
        return False
    nxt = depth + 1
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(is_constant(v, lookup, nxt) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        return is_constant(node.value, lookup, nxt)
    if isinstance(node, ast.BinOp):
        return is_constant(node.left, lookup, nxt) and is_constant(node.right, lookup, nxt)
    if isinstance(node, ast.IfExp):
        return is_constant(node.body, lookup, nxt) and is_constant(node.orelse, lookup, nxt)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(is_constant(e, lookup, nxt) for e in node.elts)
    if isinstance(node, ast.Call):
        args_fixed = all(is_constant(a, lookup, nxt) for a in node.args) and all(
            is_constant(k.value, lookup, nxt) for k in node.keywords)
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join", "strip", "lower", "upper"):
            return args_fixed and is_constant(node.func.value, lookup, nxt)
        return args_fixed and _call_name(node.func) in PURE_CALLS
    if isinstance(node, ast.Name):
        values = lookup(node.id)
        return bool(values) and all(is_constant(v, lookup, nxt) for v in values)
    return False


def _constant_collection(node: ast.expr, lookup: Lookup) -> bool:
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(is_constant(e, lookup) for e in node.elts)
    if isinstance(node, ast.Name):
        return node.id.isupper() or is_constant(node, lookup)
    if isinstance(node, ast.Attribute):
        return node.attr.isupper()  # settings.ALLOWED_LANGUAGES
    if isinstance(node, ast.Call) and _call_name(node.func) in ("set", "frozenset", "tuple", "list"):
        return len(node.args) == 1 and _constant_collection(node.args[0], lookup)
    return False


def _is_resolved_parent(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr in ("parent", "parents") and any(
        isinstance(n, ast.Attribute) and n.attr in ("resolve", "absolute", "realpath", "abspath")
        for n in ast.walk(node.value))


def allow_listed_names(compare: ast.Compare, lookup: Lookup) -> set[str]:
    """Names a membership test checks against a constant collection: ``x`` in ``x in ("a", "b")``."""
    if not isinstance(compare.left, ast.Name):
        return set()
    for op, right in zip(compare.ops, compare.comparators):
        if isinstance(op, (ast.In, ast.NotIn)) and _constant_collection(right, lookup):
            return {compare.left.id}
    return set()


def is_containment_check(compare: ast.Compare) -> bool:
    """``Path(p).resolve().parent != base`` (or ``==``): the path is checked to stay in a folder."""
    sides = [compare.left, *compare.comparators]
    return any(isinstance(op, (ast.Eq, ast.NotEq)) for op in compare.ops) and any(map(_is_resolved_parent, sides))
