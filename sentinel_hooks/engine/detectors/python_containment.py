"""Containment checked as a string prefix: ``str(path).startswith(base)`` or
``os.path.abspath(p).startswith(root)`` guarding a file operation on a path from tool or request input.
Without a separator at the end of the prefix, ``/srv/data-evil`` passes a check for ``/srv/data``; a path
that is not resolved (``realpath``/``resolve()``) still leaves through a symbolic link inside the folder.

A prefix that ends with a separator (``base + os.sep``, ``f"{root}/"``, a constant ending in ``/``) is
not reported; neither is a check of a resolved path against a resolved folder with a separator, nor a
function that also uses ``is_relative_to``/``commonpath``.
"""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterable

from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.detectors.python_ast import Analysis, Scope, analysis_of, is_tainted, lookup, \
    make_hit, parameter_names, passes, qualified_name, scoped_calls, survives_deep_nesting
from sentinel_hooks.engine.detectors.python_full_analysis import full_analysis, whole_files
from sentinel_hooks.engine.detectors.python_sinks import GUARD_NAME, INPUT_GATE, PATH_FUNCS, PATH_METHODS
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.text_gate import AllOf, Gate
from sentinel_hooks.findings import Confidence

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.units import TextUnit

PATH_SHAPERS = {"os.path.abspath", "os.path.normpath", "os.path.realpath", "os.path.join", "os.path.expanduser",
                "pathlib.Path", "Path", "str", "os.fspath", "posixpath.join", "posixpath.normpath"}
RESOLVERS = {"os.path.realpath", "realpath", "resolve", "os.readlink"}
STRONG_GUARDS = {"is_relative_to", "relative_to", "commonpath"}
BASE_NAME = re.compile(r"(?i)dir|root|base|folder|allowed|workspace|sandbox|home|prefix|path")
STARTSWITH_GATE = Gate(re.compile(r"\.startswith\("), (".startswith(",), anchored=True)
# a path validator named so: a function whose name says it checks, resolving a path and testing its prefix; the
# resolver's name, rarer than ``def``, is looked for first
_RESOLVERS = ("abspath", "normpath", "realpath", "resolve(", "Path(")
VALIDATOR_GATE = AllOf((
    Gate(re.compile("|".join(map(re.escape, _RESOLVERS))), _RESOLVERS, anchored=True),
    Gate(re.compile(r"def \w*(?:safe|valid|allow|within|contain|sanitiz|ensure|verify|check|inside|"
                    r"jail)\w*\([^)]*\)[^:]*:[\s\S]{0,400}?"
                    r"(?:abspath|normpath|realpath|resolve\(|Path\()[\s\S]{0,400}?\.startswith\("),
         ("def ",), anchored=True)))
DEPTH = 5


@detector("python-prefix-containment")
@survives_deep_nesting
@whole_files
def prefix_containment(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    if not passes(unit, STARTSWITH_GATE):
        return
    if passes(unit, INPUT_GATE):
        analysis = analysis_of(unit)
    elif passes(unit, VALIDATOR_GATE):
        analysis = full_analysis(unit)  # a path validator named so, in a file without tool input
    else:
        return
    if analysis is None:
        return
    for scope, call, _name in scoped_calls(analysis):  # noqa: B007
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "startswith" and len(call.args) == 1):
            continue
        checked, prefix = func.value, call.args[0]
        validator = _is_validator(scope)
        if not (validator and _from_parameter(checked, scope)) and not (
                scope.tainted and is_tainted(checked, scope.tainted, analysis.aliases)):
            continue
        if not _is_path_value(checked, scope, analysis) and (validator or not _looks_like_folder(prefix)):
            continue
        if _ends_with_other_delimiter(prefix):
            continue  # ``host.startswith(base + ":")``: a delimiter of its own, not a path
        if _ends_with_separator(prefix, scope) or _uses(scope, analysis, STRONG_GUARDS):
            continue
        if not validator and not _opens_files(scope, analysis):
            continue
        resolved = _mentions(checked, scope, analysis, RESOLVERS)
        detail = "without a trailing separator" + ("" if resolved else " and without resolving symbolic links")
        yield make_hit(analysis, call, f"path containment is checked as a string prefix {detail}",
                       Confidence.MEDIUM if resolved else Confidence.HIGH, True)


def _is_validator(scope: Scope) -> bool:
    """A function that checks a path for its callers (``validate_path``, ``ensure_within_root`` ...)."""
    node = scope.node
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and bool(GUARD_NAME.search(node.name))


def _from_parameter(node: ast.expr, scope: Scope, depth: int = 0) -> bool:
    params = parameter_names(scope.node)
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            if n.id in params:
                return True
            if depth < DEPTH and any(_from_parameter(v, scope, depth + 1) for v in lookup(n.id, scope) if v is not n):
                return True
    return False


def _is_path_value(node: ast.expr, scope: Scope, analysis: Analysis) -> bool:
    return _mentions(node, scope, analysis, PATH_SHAPERS | {"resolve", "absolute", "expanduser"})


def _mentions(node: ast.expr, scope: Scope, analysis: Analysis, names: set[str], depth: int = 0) -> bool:
    """Some call in the value (or in the values its local names were given) is one of ``names``."""
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            name = qualified_name(n.func, analysis.aliases)
            if name in names or (isinstance(n.func, ast.Attribute) and n.func.attr in names):
                return True
        elif isinstance(n, ast.Name) and depth < DEPTH:
            if any(_mentions(v, scope, analysis, names, depth + 1) for v in lookup(n.id, scope) if v is not node):
                return True
    return False


def _looks_like_folder(node: ast.expr) -> bool:
    text = ast.unparse(node)
    return bool(BASE_NAME.search(text)) and not (isinstance(node, ast.Constant) and "://" in str(node.value))


def _ends_with_separator(node: ast.expr, scope: Scope, depth: int = 0) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value.endswith(("/", "\\"))
    if isinstance(node, ast.JoinedStr):
        return bool(node.values) and _ends_with_separator(node.values[-1], scope, depth + 1)  # type: ignore
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        right = node.right
        return _ends_with_separator(right, scope, depth + 1) or (
            isinstance(right, ast.Attribute) and right.attr in ("sep", "altsep")) or (
            isinstance(right, ast.Name) and right.id in ("sep", "SEP"))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join" and \
            node.args and isinstance(node.args[-1], ast.Constant) and node.args[-1].value == "":
        return True  # os.path.join(base, "") ends with a separator
    if isinstance(node, ast.Tuple):
        return all(_ends_with_separator(e, scope, depth + 1) for e in node.elts)
    if isinstance(node, ast.Name) and depth < DEPTH:
        values = lookup(node.id, scope)
        return bool(values) and all(_ends_with_separator(v, scope, depth + 1) for v in values)
    return False


def _ends_with_other_delimiter(node: ast.expr) -> bool:
    last = node.right if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) else (
        node.values[-1] if isinstance(node, ast.JoinedStr) and node.values else node)
    return isinstance(last, ast.Constant) and isinstance(last.value, str) and bool(last.value) and \
        not last.value.endswith(("/", "\\")) and not last.value[-1].isalnum()


def _uses(scope: Scope, analysis: Analysis, names: set[str]) -> bool:
    return any(isinstance(c.func, ast.Attribute) and c.func.attr in names or
               qualified_name(c.func, analysis.aliases).rsplit(".", 1)[-1] in names for c in scope.calls)


def _opens_files(scope: Scope, analysis: Analysis) -> bool:
    for call in scope.calls:
        name = qualified_name(call.func, analysis.aliases)
        if name in PATH_FUNCS or (isinstance(call.func, ast.Attribute) and call.func.attr in PATH_METHODS):
            return True
    return False
