"""Python checks that need the syntax tree: code and command execution, SQL, deserialisation,
path traversal, SSRF and unescaped markup.

Each check is a detector (``python-eval``, ``python-shell``, ``python-sql``,
``python-deserialization``, ``python-torch-load``, ``python-path-traversal``, ``python-ssrf``,
``python-markup``). The whole file is parsed once per unit (``unit.memo``) and every hit carries
the span of the offending call in whole-file coordinates, so a window of a file reports only the
calls it overlaps.

What the tree tells us:

* whether an argument is a constant string, a string *built* at run time (f-string with
  placeholders, ``+`` with a non-literal, ``%`` formatting, ``.format``, ``str.join``), or an opaque
  value; a local name is followed to the values assigned to it in the same function (or module);
* keywords such as ``shell=True``, ``Loader=...`` and ``weights_only=True``;
* whether a value derives from input of the outside world: a parameter of a function decorated as
  an MCP tool, resource or prompt (``@mcp.tool()``, ``@server.tool``, ``@tool``, ``@server.call_tool()``
  ...) or as an HTTP route (``@app.get("/...")``), ``request.args``/``request.json``/... and
  ``arguments[...]``. Taint flows through assignments, f-strings, concatenation, path joins and
  methods of a tainted value; it stops at calls of other functions (often a validating helper) and
  at sanitisers (``shlex.quote``, ``int``, ``os.path.basename``, ``secure_filename`` ...);
* whether the same function contains a containment check (``resolve()`` + ``is_relative_to``,
  ``commonpath``, ``startswith``, a ``..`` test, a helper named like a validator) or a URL
  allow-list (``urlparse``, ``.hostname``/``.netloc``, names with ``allow``/``trusted``).

Confidence follows the evidence: input of a tool or request is high; a built string is medium
(low in test files); a bare variable is low (and skipped in test files). A cheap text test runs
before parsing, so files that cannot hold a hit of a check (no ``eval(``, no tool decorator or
request access, no SQL words ...) are never parsed for it.

A rule may pass ``options: {input: tool}`` to keep only hits whose value comes from such input, or
``{input: other}`` for the rest, so one check feeds a critical and a high rule without duplicates.

Files that do not parse (Python 2, syntax errors, templates with a ``.py`` name), files over
``MAX_PARSE_CHARS`` and chunks of huge files that start mid-file produce no hits
from these detectors: a regex fallback would bring back the false positives (comments, strings,
``re.compile``) the tree exists to avoid, and such files are rarely the code that runs.
"""
from __future__ import annotations

import ast
import bisect
import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Optional

from sentinel_hooks.engine import constant_eval, python_tree
from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.detectors.python_prune import prune
from sentinel_hooks.engine.detectors.python_sinks import (ALWAYS_SHELL, CLIENT_NAME, NON_HTTP_CLIENT, CONTENT_LIMIT,
                                                          DESERIALIZATION_GATE, EVAL_FUNCS, EVAL_GATE, FIXED_HOST,
                                                          GUARD_NAME, HTTP_FUNCS, HTTP_METHODS, INPUT_GATE,
                                                          MARKUP_FUNCS, MARKUP_GATE, NETWORK_ATTRS, NUMERIC_FUNCS,
                                                          PATH_FUNCS, PATH_GUARD_ATTRS, PATH_METHODS, PICKLE_LIKE,
                                                          PROPAGATORS, REQUEST_FIELDS, ROUTE_DECORATORS,
                                                          SAFE_ANNOTATIONS, SANITIZERS, SANITIZER_METHODS,
                                                          SHELL_GATE, SQL_FUNCS, SQL_GATE, SQL_METHODS,
                                                          SQL_VALUE_CONTEXT, SQL_WORDS, SUBPROCESS_SHELL_OPTIONAL,
                                                          TOOL_DECORATORS, TORCH_GATE, UNTAINTED_PARAMS,
                                                          URL_GUARD_CALLS, URL_GUARD_NAME, WEAKER_DESERIALIZERS,
                                                          YAML_LOADS, YAML_SAFE_LOADERS, YAML_UNSAFE,
                                                          LITERAL, BUILT, OPAQUE, candidate_offsets)
from sentinel_hooks.engine.filters import is_test_path
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.text_gate import Gate, lines_of
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.findings import Confidence

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule

MEMO_KEY = "python_ast.analysis"
MAX_PARSE_CHARS = 5_000_000  # larger files are generated code; a tree of them costs too much memory


# --------------------------------------------------------------------------------------------
# parsing and per-function facts


@dataclass
class Scope:
    """A function (or the module body): its own calls, local assignments and what is tainted."""

    node: ast.AST
    parent: Optional["Scope"]
    is_entry: bool = False
    calls: list[ast.Call] = field(default_factory=list)
    assigned: dict[str, list[ast.expr]] = field(default_factory=dict)
    tainted: set[str] = field(default_factory=set)
    path_guarded: bool = False
    url_guarded: bool = False
    allow_listed: set[str] = field(default_factory=set)  # names checked against a constant collection


@dataclass
class Analysis:
    lines: list[str]
    aliases: dict[str, str]
    shadowed: set[str]
    scopes: list[Scope]
    module: Scope
    ordered_calls: list[tuple[Scope, ast.Call, str]] = field(default_factory=list)
    line_offset: int = 0  # file line of the parsed text's first line, minus one
    column_offset: int = 0  # file column of its first character, minus one


def passes(unit: TextUnit, gate: Gate) -> bool:
    """Whether the unit's whole-file text passes ``gate`` (remembered per unit)."""
    key = ("python_ast.gate", id(gate))
    if key not in unit.memo:
        unit.memo[key] = gate.search(unit.full_text(), unit.full_lowered() if gate.ignore_case else None)
    return unit.memo[key]


def analysis_of(unit: TextUnit, *prechecks: Gate) -> Optional[Analysis]:
    """The parsed file, or None when it does not parse or a precheck finds nothing to look at."""
    if unit.partial:
        # a piece of a huge file: parsing it would cost memory and find no valid tree
        if all(passes(unit, gate) for gate in prechecks):
            unit.memo[python_tree.NOT_ANALYSED] = python_tree.TOO_LARGE
        return None
    if MEMO_KEY not in unit.memo:
        if not all(passes(unit, gate) for gate in prechecks):
            return None
        text = unit.full_text()
        analysis = analyse(text, candidate_offsets(text, passes(unit, INPUT_GATE)),
                           whole_tree=lambda: python_tree.tree_of(unit))
        if analysis is None:  # the parse left its reason; what it did not explain is size or depth
            unit.memo.setdefault(python_tree.NOT_ANALYSED, python_tree.TOO_LARGE if len(text) > MAX_PARSE_CHARS
                                 else python_tree.TOO_DEEP)
        if analysis is not None and unit.full_text_loader is None:
            # the text is the unit itself, which may start inside the file
            analysis.line_offset = unit.first_line - 1
            analysis.column_offset = getattr(unit, "first_column", 1) - 1
        unit.memo[MEMO_KEY] = analysis
    return unit.memo[MEMO_KEY]


def analyse(source: str, candidates: Optional[list[int]] = None,
            whole_tree: Optional[Callable[[], Optional[ast.Module]]] = None) -> Optional[Analysis]:
    """Parse ``source`` and analyse its scopes; with ``candidates`` (ascending offsets of possible
    sinks), only functions holding one of them (and the module body) are parsed and analysed, since
    no other function can hold a hit. ``whole_tree`` gives the tree of the whole ``source`` when
    another detector may have parsed it already."""
    if len(source) > MAX_PARSE_CHARS:
        return None
    tree, blanked = None, set()
    if candidates is not None:
        pruned, blanked = prune(source, candidates)
        if blanked:
            tree = python_tree.parse(pruned)
    if tree is None:
        tree, blanked = (whole_tree() if whole_tree is not None else python_tree.parse(source)), set()
        if tree is None:
            return None
    keep = _keeper(None if candidates is None else lines_of(source, candidates))
    try:
        aliases, shadowed = import_aliases(tree, keep)
        shadowed |= blanked  # a function removed before parsing still defines its name
        module = Scope(tree, None)
        scopes = [module]
        collect(module, aliases, scopes, keep)
        for scope in scopes:
            compute_taint(scope, aliases)
    except RecursionError:  # expressions nested thousands deep
        return None
    return Analysis(source.splitlines(), aliases, shadowed, scopes, module)


def _keeper(candidates: Optional[set[int]]):
    """A test of whether a function's lines hold a candidate line (always true without candidates)."""
    if candidates is None:
        return lambda fn: True
    ordered = sorted(candidates)

    def keep(fn: ast.AST) -> bool:
        start = min([fn.lineno] + [d.lineno for d in getattr(fn, "decorator_list", [])])
        i = bisect.bisect_left(ordered, start)
        return i < len(ordered) and ordered[i] <= (getattr(fn, "end_lineno", None) or fn.lineno)

    return keep


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
# fields that never hold a node (names, flags) or hold only an expression context
_LEAF_FIELDS = {"ctx", "id", "attr", "arg", "name", "module", "level", "kind", "type_comment", "conversion",
                "is_async", "simple"}
_BLOCK_FIELDS: dict[type, tuple[str, ...]] = {}


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes`` as a list, in the same order, without expression contexts
    (Load/Store carry nothing the checks use); several times faster."""
    kind = type(node)
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f not in _LEAF_FIELDS) \
            if kind is not ast.Constant else ()
    out: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            out.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            out.append(value)
    return out


def _statement_lists(node: ast.AST) -> list[ast.AST]:
    """The statements (and except/case clauses) directly inside ``node``, in field order."""
    kind = type(node)
    fields = _BLOCK_FIELDS.get(kind)
    if fields is None:
        fields = _BLOCK_FIELDS[kind] = tuple(f for f in kind._fields if f in (
            "body", "orelse", "finalbody", "handlers", "cases"))
    out: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            out.extend(value)
    return out


def _walk_kept(tree: ast.AST, keep) -> Iterator[ast.AST]:
    """Every statement, not descending into functions ``keep`` rejects (the def itself is
    yielded); in the order a depth-first walk of all nodes would meet them."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not keep(node):
            continue
        stack.extend(_statement_lists(node))


def import_aliases(tree: ast.Module, keep=lambda fn: True) -> tuple[dict[str, str], set[str]]:
    """Local name -> qualified name for imports; and builtins the module redefines."""
    aliases: dict[str, str] = {}
    shadowed: set[str] = set()
    for node in _walk_kept(tree, keep):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    aliases[a.asname] = a.name
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                if node.module and not node.level:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
                else:
                    shadowed.add(a.asname or a.name)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            shadowed.add(node.name)
    for local in aliases:
        if local in EVAL_FUNCS or local == "open":
            shadowed.add(local)
    return aliases, shadowed


def collect(scope: Scope, aliases: dict[str, str], scopes: list[Scope], keep=lambda fn: True) -> None:
    """Fill ``scope`` with its calls, bindings and guards; nested functions ``keep`` accepts become
    scopes of their own (in the order a depth-first walk meets them)."""
    stack = child_nodes(scope.node)
    while stack:
        n = stack.pop()
        kind = type(n)
        if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            if keep(n):  # a function without a candidate sink holds nothing to report
                child = Scope(n, scope, is_entry=is_entry_point(n, aliases))
                scopes.append(child)
                collect(child, aliases, scopes, keep)
            continue
        if kind is ast.Name:
            if _is_url_guard_name(n.id):
                scope.url_guarded = True
            continue  # no children worth a visit
        if kind is ast.Constant:
            continue
        if kind is ast.Attribute:
            if _is_url_guard_name(n.attr):
                scope.url_guarded = True
        elif kind is ast.Call:
            scope.calls.append(n)
            note_guards(scope, n, aliases)
        elif kind is ast.Assign:
            for target in n.targets:
                bind(scope, target, n.value)
        elif kind is ast.AnnAssign or kind is ast.NamedExpr:
            if n.value is not None:
                bind(scope, n.target, n.value)
        elif kind is ast.AugAssign:
            if isinstance(n.target, ast.Name):
                bind(scope, n.target, ast.BinOp(left=ast.Name(n.target.id, ast.Load()), op=n.op, right=n.value))
        elif kind is ast.For or kind is ast.AsyncFor or kind is ast.comprehension:
            bind(scope, n.target, n.iter)
        elif kind is ast.withitem:
            if n.optional_vars is not None:
                bind(scope, n.optional_vars, n.context_expr)
        elif kind is ast.Compare:
            if any(isinstance(c, ast.Constant) and isinstance(c.value, str) and ".." in c.value
                   for c in [n.left, *n.comparators]) or constant_eval.is_containment_check(n):
                scope.path_guarded = True
            scope.allow_listed |= constant_eval.allow_listed_names(n, lambda name, s=scope: lookup(name, s))
        stack.extend(child_nodes(n))


@functools.lru_cache(maxsize=4096)
def _is_url_guard_name(name: str) -> bool:
    return bool(URL_GUARD_NAME.search(name)) or name in ("hostname", "netloc")


def bind(scope: Scope, target: ast.expr, value: ast.expr) -> None:
    if isinstance(target, ast.Name):
        scope.assigned.setdefault(target.id, []).append(value)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            bind(scope, elt, value)
    elif isinstance(target, ast.Starred):
        bind(scope, target.value, value)


def note_guards(scope: Scope, call: ast.Call, aliases: dict[str, str]) -> None:
    name = qualified_name(call.func, aliases)
    last = name.rsplit(".", 1)[-1] if name else (call.func.attr if isinstance(call.func, ast.Attribute) else "")
    if last in PATH_GUARD_ATTRS or (last and GUARD_NAME.search(last)):
        scope.path_guarded = True
    if name in URL_GUARD_CALLS or last in ("urlparse", "urlsplit"):
        scope.url_guarded = True


def is_entry_point(fn: ast.FunctionDef | ast.AsyncFunctionDef, aliases: dict[str, str]) -> bool:
    """Decorated as an MCP tool/resource/prompt or an HTTP route: its parameters come from outside."""
    for dec in fn.decorator_list:
        call = dec if isinstance(dec, ast.Call) else None
        target = dec.func if call is not None else dec
        last = target.attr if isinstance(target, ast.Attribute) else (
            target.id if isinstance(target, ast.Name) else "")
        if last in TOOL_DECORATORS:
            return True
        if last in ROUTE_DECORATORS and call is not None and call.args and is_route_path(call.args[0]):
            return True
    return False


def is_route_path(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("/")


def entry_parameters(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    args = fn.args
    names = set()
    for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
        if a is None or a.arg in UNTAINTED_PARAMS:
            continue
        if isinstance(a.annotation, ast.Name) and a.annotation.id in SAFE_ANNOTATIONS:
            continue
        names.add(a.arg)
    return names


def compute_taint(scope: Scope, aliases: dict[str, str]) -> None:
    inherited = set(scope.parent.tainted) if scope.parent is not None else set()
    if scope.is_entry:
        inherited |= entry_parameters(scope.node)  # type: ignore[arg-type]
    sanitised = {name for name, values in scope.assigned.items()
                 if any(is_sanitiser_call(v, aliases) for v in values)}
    tainted = inherited - sanitised
    changed = True
    while changed:
        changed = False
        for name, values in scope.assigned.items():
            if name in tainted or name in sanitised:
                continue
            if any(is_tainted(v, tainted, aliases) for v in values):
                tainted.add(name)
                changed = True
    scope.tainted = tainted


# --------------------------------------------------------------------------------------------
# expressions


def qualified_name(func: ast.expr, aliases: dict[str, str]) -> str:
    """``sp.run`` -> ``subprocess.run`` when ``import subprocess as sp``; '' for computed callees."""
    parts: list[str] = []
    node = func
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(aliases.get(node.id, node.id))
    return ".".join(reversed(parts))


def is_sanitiser_call(node: ast.expr, aliases: dict[str, str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = qualified_name(node.func, aliases)
    if name in SANITIZERS:
        return True
    return isinstance(node.func, ast.Attribute) and node.func.attr in SANITIZER_METHODS


def is_request_source(node: ast.expr) -> bool:
    """``request.args[...]``, ``request.json.get(...)``, ``arguments["x"]``, ``arguments.get("x")``."""
    chain: list[str] = []
    cur = node
    while True:
        if isinstance(cur, ast.Attribute):
            chain.append(cur.attr)
            cur = cur.value
        elif isinstance(cur, ast.Subscript):
            cur = cur.value
        elif isinstance(cur, ast.Call):
            cur = cur.func
        else:
            break
    if not isinstance(cur, ast.Name):
        return False
    if cur.id in ("request", "req"):
        return any(part in REQUEST_FIELDS for part in chain)
    if cur.id == "arguments":
        return isinstance(node, ast.Subscript) or (isinstance(node, ast.Call) and chain[-1:] == ["get"])
    return False


def is_tainted(node: ast.expr, tainted: set[str], aliases: dict[str, str]) -> bool:
    if isinstance(node, ast.Name):
        return node.id in tainted
    if isinstance(node, ast.Constant):
        return False
    if is_request_source(node):
        return True
    if isinstance(node, ast.Call):
        if is_sanitiser_call(node, aliases):
            return False
        func = node.func
        if isinstance(func, ast.Attribute) and is_tainted(func.value, tainted, aliases):
            return True  # a method of a tainted value (``path.strip()``, ``params.get("url")``)
        if qualified_name(func, aliases) in PROPAGATORS or (isinstance(func, ast.Attribute) and func.attr in
                                                            ("join", "format", "format_map")):
            return any(is_tainted(a, tainted, aliases) for a in [*node.args, *(k.value for k in node.keywords)])
        return False  # another function: often a validating helper
    if isinstance(node, (ast.Lambda, ast.FunctionDef)):
        return False
    return any(is_tainted(child, tainted, aliases) for child in ast.iter_child_nodes(node)
               if isinstance(child, ast.expr))


def string_kind(node: ast.expr, scope: Scope, depth: int = 0) -> str:
    """LITERAL (constant text), BUILT (text assembled at run time) or OPAQUE (anything else)."""
    if depth == 0 and not isinstance(node, ast.Constant) and constant_eval.is_constant(
            node, lambda name: lookup(name, scope)):
        return LITERAL  # f-strings, conditionals and concatenations of constants
    if isinstance(node, ast.Constant):
        return LITERAL if isinstance(node.value, (str, bytes)) or node.value is None else OPAQUE
    if isinstance(node, ast.JoinedStr):
        return BUILT if any(isinstance(v, ast.FormattedValue) for v in node.values) else LITERAL
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        kinds = {string_kind(node.left, scope, depth + 1), string_kind(node.right, scope, depth + 1)}
        if kinds == {LITERAL}:
            return LITERAL
        return BUILT if LITERAL in kinds or BUILT in kinds else OPAQUE
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        kinds = {string_kind(node.left, scope, depth + 1), string_kind(node.right, scope, depth + 1)}
        return LITERAL if LITERAL in kinds else OPAQUE  # "?" * n repeats constant text
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        if string_kind(node.left, scope, depth + 1) == LITERAL:
            return LITERAL if string_kind(node.right, scope, depth + 1) == LITERAL else BUILT
        return OPAQUE
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in ("format", "format_map") and string_kind(node.func.value, scope, depth + 1) == LITERAL:
            return BUILT if node.args or node.keywords else LITERAL
        if node.func.attr == "join" and string_kind(node.func.value, scope, depth + 1) == LITERAL:
            return BUILT
    if isinstance(node, ast.Name) and depth < 8:
        values = lookup(node.id, scope)
        if values:
            kinds = {string_kind(v, scope, depth + 1) for v in values}
            if kinds == {LITERAL}:
                return LITERAL
            if BUILT in kinds:
                return BUILT
    return OPAQUE


def lookup(name: str, scope: Optional[Scope]) -> list[ast.expr]:
    """Values assigned to ``name`` in the innermost scope that assigns it; none when a function on the
    way takes ``name`` as a parameter (its value is the caller's, not an outer assignment's)."""
    while scope is not None:
        if name in scope.assigned:
            return scope.assigned[name]
        if name in parameter_names(scope.node):
            return []
        scope = scope.parent
    return []


@functools.lru_cache(maxsize=4096)
def parameter_names(node: ast.AST) -> frozenset[str]:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return frozenset()
    a = node.args
    return frozenset(p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if p is not None)


def resolved(node: ast.expr, scope: Scope) -> list[ast.expr]:
    """The expression itself, or the values a local name was given."""
    if isinstance(node, ast.Name):
        values = lookup(node.id, scope)
        return values or [node]
    return [node]


def literal_text(node: ast.expr) -> str:
    """The constant parts of a string expression, placeholders as ``{}``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp):
        return literal_text(node.left) + "{}" + literal_text(node.right) if not (
            isinstance(node.op, ast.Mod)) else literal_text(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return literal_text(node.func.value)
    return ""


def first_argument(call: ast.Call, *keywords: str, position: int = 0) -> Optional[ast.expr]:
    if len(call.args) > position and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    for kw in call.keywords:
        if kw.arg in keywords:
            return kw.value
    return None


def keyword(call: ast.Call, name: str) -> Optional[ast.expr]:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def is_true(node: Optional[ast.expr]) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


# --------------------------------------------------------------------------------------------
# hits


def make_hit(analysis: Analysis, node: ast.AST, message: str, confidence: Optional[Confidence],
             tainted: bool) -> Hit:
    line, end_line = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
    col = char_column(analysis.lines, line, node.col_offset)  # type: ignore[attr-defined]
    end_col = char_column(analysis.lines, end_line, node.end_col_offset or 0)  # type: ignore[attr-defined]
    if line == end_line:
        content = analysis.lines[line - 1][col:end_col]
    else:
        content = "\n".join([analysis.lines[line - 1][col:], *analysis.lines[line:end_line - 1],
                             analysis.lines[end_line - 1][:end_col]])
    shift = analysis.column_offset
    flow_start = flow_start_line(analysis, line)
    return Hit(line + analysis.line_offset, col + 1 + (shift if line == 1 else 0),
               end_line + analysis.line_offset, end_col + 1 + (shift if end_line == 1 else 0),
               content[:CONTENT_LIMIT], message=message, confidence=confidence, extra={"tool_input": tainted},
               flow=(flow_start + analysis.line_offset, end_line + analysis.line_offset))


def flow_start_line(analysis: Analysis, line: int) -> int:
    """Where the data flow to a sink on ``line`` can begin: the first line (decorators included) of the
    outermost function holding it, whose parameters and guards feed it, or of its module-level statement."""
    start = None
    for scope in analysis.scopes:
        fn = scope.node
        if scope.parent is None:
            continue  # the module: no function holds the sink
        last = getattr(fn, "end_lineno", None) or fn.lineno  # type: ignore[attr-defined]
        if not fn.lineno <= line <= last:  # type: ignore[attr-defined]
            continue
        first = min([fn.lineno] + [d.lineno for d in getattr(fn, "decorator_list", [])])  # type: ignore[attr-defined]
        start = first if start is None else min(start, first)
    if start is not None:
        return start
    body = getattr(analysis.module.node, "body", [])
    i = bisect.bisect_right([stmt.lineno for stmt in body], line) - 1
    return body[i].lineno if i >= 0 else line


def char_column(lines: list[str], line: int, byte_offset: int) -> int:
    """ast columns count UTF-8 bytes; hits count characters."""
    if line - 1 >= len(lines):
        return byte_offset
    text = lines[line - 1]
    if text.isascii():
        return byte_offset
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def input_prechecks(rule: Rule) -> tuple[Gate, ...]:
    return (INPUT_GATE,) if rule.options.get("input") == "tool" else ()


def wanted(rule: Rule, tainted: bool) -> bool:
    mode = rule.options.get("input", "any")
    return mode == "any" or (mode == "tool") == tainted


def scoped_calls(analysis: Analysis) -> Iterator[tuple[Scope, ast.Call, str]]:
    """Every call with its scope and qualified callee name, in source order."""
    if not analysis.ordered_calls:
        pairs = [(scope, call) for scope in analysis.scopes for call in scope.calls]
        pairs.sort(key=lambda p: (p[1].lineno, p[1].col_offset))
        analysis.ordered_calls = [(s, c, qualified_name(c.func, analysis.aliases)) for s, c in pairs]
    yield from analysis.ordered_calls


def execution_confidence(tainted: bool, kind: str, path: str) -> Optional[Confidence]:
    """Input of a tool: high. A built string: medium (low in tests). A bare variable: low (not in tests)."""
    if tainted:
        return Confidence.HIGH
    if is_test_path(path):
        return Confidence.LOW if kind == BUILT else None
    return Confidence.MEDIUM if kind == BUILT else Confidence.LOW


def callee_is_builtin(name: str, analysis: Analysis) -> bool:
    return "." not in name and name not in analysis.shadowed


def survives_deep_nesting(check: Callable[[TextUnit, Rule], Iterable[Hit]]) -> Callable[[TextUnit, Rule], Iterator[Hit]]:
    """A pathologically deep expression ends the check for that file instead of the scan."""
    @functools.wraps(check)
    def run(unit: TextUnit, rule: Rule) -> Iterator[Hit]:
        try:
            yield from check(unit, rule)
        except RecursionError:
            unit.memo[python_tree.NOT_ANALYSED] = python_tree.TOO_DEEP
            return
    return run


# --------------------------------------------------------------------------------------------
# detectors


@detector("python-eval")
@survives_deep_nesting
def eval_calls(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """eval/exec/compile of something other than a constant string."""
    analysis = analysis_of(unit, EVAL_GATE, *input_prechecks(rule))
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        if name not in EVAL_FUNCS or ("." not in name and not callee_is_builtin(name, analysis)):
            continue
        func = name.rsplit(".", 1)[-1]
        if func == "compile" and len(call.args) + len(call.keywords) < 3:
            continue  # the builtin needs source, filename and mode
        source = first_argument(call, "source", "object")
        if source is None:
            continue
        kind = string_kind(source, scope)
        if kind == LITERAL or isinstance(source, (ast.Constant, ast.List, ast.Dict, ast.Tuple)):
            continue
        tainted = is_tainted(source, scope.tainted, analysis.aliases)
        if not wanted(rule, tainted):
            continue
        if any(isinstance(v, ast.Call) and qualified_name(v.func, analysis.aliases) in EVAL_FUNCS
               for v in resolved(source, scope)):
            continue  # exec(compile(...)) or code = compile(...); exec(code): reported at compile()
        confidence = execution_confidence(tainted, kind, unit.path)
        if confidence is None:
            continue
        what = "input of the tool or request" if tainted else ("a string built at run time" if kind == BUILT
                                                               else "a non-literal value")
        yield make_hit(analysis, call, f"{func}() runs {what}", confidence, tainted)


@detector("python-shell")
@survives_deep_nesting
def shell_calls(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """A shell command line assembled from values: os.system/os.popen, subprocess with shell=True."""
    analysis = analysis_of(unit, SHELL_GATE, *input_prechecks(rule))
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        if name in SUBPROCESS_SHELL_OPTIONAL:
            if not is_true(keyword(call, "shell")):
                continue
        elif name not in ALWAYS_SHELL:
            continue
        command = first_argument(call, "args", "cmd", "command")
        if command is None or isinstance(command, (ast.List, ast.Tuple)):
            continue
        kind = string_kind(command, scope)
        if kind == LITERAL:
            continue
        tainted = is_tainted(command, scope.tainted, analysis.aliases)
        if not wanted(rule, tainted):
            continue
        if not tainted and kind == BUILT and only_quoted_values(command, scope, analysis.aliases):
            continue
        confidence = execution_confidence(tainted, kind, unit.path)
        if confidence is None:
            continue
        what = "input of the tool or request" if tainted else ("a string built at run time" if kind == BUILT
                                                               else "a non-literal command")
        yield make_hit(analysis, call, f"{name}() passes {what} to a shell", confidence, tainted)


def only_quoted_values(node: ast.expr, scope: Scope, aliases: dict[str, str]) -> bool:
    """Every value spliced into the command is quoted (shlex.quote), constant, or a CONSTANT name."""
    parts = interpolated(node, scope, 0)
    return bool(parts) and all(is_quoted(p, scope, aliases) for p in parts)


def interpolated(node: ast.expr, scope: Scope, depth: int) -> list[ast.expr]:
    if depth > 6:
        return [node]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return interpolated(node.left, scope, depth + 1) + interpolated(node.right, scope, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return list(node.right.elts) if isinstance(node.right, ast.Tuple) else [node.right]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return [*node.args, *(k.value for k in node.keywords)]
    if isinstance(node, ast.Constant):
        return []
    if isinstance(node, ast.Name) and string_kind(node, scope) == BUILT:
        return [p for v in lookup(node.id, scope) for p in interpolated(v, scope, depth + 1)]
    return [node]


def is_quoted(node: ast.expr, scope: Scope, aliases: dict[str, str]) -> bool:
    if isinstance(node, ast.Constant) or is_sanitiser_call(node, aliases):
        return True
    if isinstance(node, ast.Name):
        if node.id.isupper() or string_kind(node, scope) == LITERAL:
            return True
        values = lookup(node.id, scope)
        return bool(values) and all(is_sanitiser_call(v, aliases) for v in values)
    return False


@detector("python-sql")
@survives_deep_nesting
def sql_calls(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """SQL text built with f-strings, concatenation, % or .format handed to a query API."""
    analysis = analysis_of(unit, SQL_GATE)
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        is_method = isinstance(call.func, ast.Attribute) and call.func.attr in SQL_METHODS
        if not is_method and name not in SQL_FUNCS:
            continue
        if name == "text" and "text" in analysis.shadowed:
            continue
        query = first_argument(call, "sql", "query", "statement", "operation")
        if query is None or string_kind(query, scope) != BUILT:
            continue
        built = [v for v in resolved(query, scope) if string_kind(v, scope) == BUILT]
        if not built or not any(SQL_WORDS.search(literal_text(v)) for v in built):
            continue
        if all(only_placeholders(v, scope) for v in built):
            continue
        if all(is_number(p, scope) for v in built for p in interpolated(v, scope, 0)):
            continue
        tainted = any(is_tainted(v, scope.tainted, analysis.aliases) for v in [query, *built])
        if not wanted(rule, tainted):
            continue
        confidence = Confidence.HIGH if tainted or any(value_interpolated(v) for v in built) else Confidence.MEDIUM
        yield make_hit(analysis, call, "SQL text is built from values instead of bound parameters",
                       confidence, tainted)


def only_placeholders(node: ast.expr, scope: Scope) -> bool:
    """``f"... IN ({marks})"`` where every interpolated value is a run of ``?``/``%s`` markers."""
    if not isinstance(node, ast.JoinedStr):
        return False
    values = [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    return bool(values) and all(is_marker_run(v, scope) for v in values)


def is_marker_run(node: ast.expr, scope: Scope) -> bool:
    if isinstance(node, ast.Name):
        if re.search(r"(?i)placeholder|marks|qmarks|params_sql|bind", node.id):
            return True
        values = lookup(node.id, scope)
        return bool(values) and all(is_marker_run(v, scope) for v in values if v is not node)
    constants = [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return bool(constants) and all(re.fullmatch(r"[\s,()]*(?:\?|%s|:\w+|\$\d+)?[\s,()]*", c) for c in constants)


def is_number(node: ast.expr, scope: Scope) -> bool:
    """A value that renders as a number (``int(x)``, ``len(rows)``, ``min(a, b)``, a numeric constant)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id in NUMERIC_FUNCS
    if isinstance(node, ast.BinOp) and not isinstance(node.op, ast.Add):
        return is_number(node.left, scope) or is_number(node.right, scope)
    if isinstance(node, ast.Name):
        values = lookup(node.id, scope)
        return bool(values) and all(v is not node and is_number(v, scope) for v in values)
    return False


def value_interpolated(node: ast.expr) -> bool:
    """A placeholder that sits where a value belongs (after ``=``, inside quotes, in ``LIKE``)."""
    if isinstance(node, ast.JoinedStr):
        before = ""
        for v in node.values:
            if isinstance(v, ast.Constant):
                before += str(v.value)
            elif SQL_VALUE_CONTEXT.search(before.rstrip(" ") if not before.endswith(("'", '"')) else before):
                return True
            else:
                before += "{}"
        return False
    text = literal_text(node)
    return bool(re.search(r"""(?:['"]\{\}|['"]%s|=\s*\{\}|=\s*%s|=\s*['"]?\s*$)""", text, re.I))


@detector("python-deserialization")
@survives_deep_nesting
def deserialization_calls(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """pickle and friends, marshal, shelve, yaml.load without a safe loader, jsonpickle."""
    analysis = analysis_of(unit, DESERIALIZATION_GATE)
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        data = first_argument(call, "file", "data", "stream", "string", "filename", "s")
        if name in YAML_LOADS:
            loader = call.args[1] if len(call.args) > 1 else keyword(call, "Loader")
            loader_name = qualified_name(loader, analysis.aliases).rsplit(".", 1)[-1] if loader is not None else ""
            if loader_name in YAML_SAFE_LOADERS:
                continue
            if loader is not None and not loader_name.endswith(("Loader",)):
                continue  # a loader chosen at run time: cannot tell
            message = f"{name}() without a safe Loader can build arbitrary Python objects"
            confidence = Confidence.HIGH
        elif name in YAML_UNSAFE:
            message = f"{name}() can build arbitrary Python objects"
            confidence = Confidence.HIGH
        elif name in PICKLE_LIKE or name in WEAKER_DESERIALIZERS:
            if data is not None and (string_kind(data, scope) == LITERAL or round_trip(data, scope)):
                continue
            message = f"{name}() on data that may come from outside can run arbitrary code"
            if name in WEAKER_DESERIALIZERS:
                confidence = Confidence.LOW
            elif name.startswith("jsonpickle") or looks_external(data, scope, analysis):
                confidence = Confidence.HIGH
            else:
                confidence = Confidence.MEDIUM
        else:
            continue
        tainted = data is not None and is_tainted(data, scope.tainted, analysis.aliases)
        if not wanted(rule, tainted):
            continue
        if tainted:
            confidence = Confidence.HIGH
        elif is_test_path(unit.path):
            confidence = Confidence.LOW
        yield make_hit(analysis, call, message, confidence, tainted)


def round_trip(data: ast.expr, scope: Scope) -> bool:
    """``loads(dumps(x))``: the bytes were made right here."""
    return all(isinstance(v, ast.Call) and isinstance(v.func, (ast.Attribute, ast.Name)) and (
        v.func.attr if isinstance(v.func, ast.Attribute) else v.func.id) in ("dumps", "dump")
        for v in resolved(data, scope))


def looks_external(data: Optional[ast.expr], scope: Scope, analysis: Analysis) -> bool:
    """Bytes that visibly come from a socket, an HTTP body or a request."""
    if data is None:
        return False
    for value in resolved(data, scope):
        if is_tainted(value, scope.tainted, analysis.aliases):
            return True
        for n in ast.walk(value):
            if isinstance(n, ast.Attribute) and n.attr in NETWORK_ATTRS and not (
                    isinstance(n.value, ast.Name) and n.value.id in ("f", "fh", "fp", "file", "handle")):
                return True
    return False


@detector("python-torch-load")
@survives_deep_nesting
def torch_load_calls(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """torch.load() unpickles unless weights_only=True."""
    analysis = analysis_of(unit, TORCH_GATE)
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        if name != "torch.load":
            continue
        weights_only = keyword(call, "weights_only")
        if is_true(weights_only):
            continue
        explicit_off = isinstance(weights_only, ast.Constant) and weights_only.value is False
        data = first_argument(call, "f")
        tainted = data is not None and is_tainted(data, scope.tainted, analysis.aliases)
        if not wanted(rule, tainted):
            continue
        confidence = Confidence.HIGH if explicit_off or tainted else Confidence.MEDIUM
        yield make_hit(analysis, call, "torch.load() without weights_only=True unpickles the file",
                       confidence, tainted)


@detector("python-path-traversal")
@survives_deep_nesting
def path_calls(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """A file is opened or changed at a path that comes from tool or request input, unchecked."""
    analysis = analysis_of(unit, INPUT_GATE)
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        if not scope.tainted or guarded(scope, "path_guarded"):
            continue
        if name in PATH_FUNCS and (name != "open" or "open" not in analysis.shadowed):
            target = first_argument(call, "file", "path", "src", "filename", "name")
        elif isinstance(call.func, ast.Attribute) and call.func.attr in PATH_METHODS and not name.startswith(
                ("os.", "shutil.", "io.", "codecs.", "tarfile.", "zipfile.")):
            target = call.func.value
        else:
            continue
        if target is None or not is_tainted(target, scope.tainted, analysis.aliases):
            continue
        if only_allow_listed(target, scope, analysis.aliases):
            continue
        if isinstance(target, ast.Call) and isinstance(target.func, ast.Attribute) and target.func.attr == "get" \
                and not is_request_source(target):
            continue  # ``mapping.get(key).open()``: the path is looked up, not given
        yield make_hit(analysis, call, "file path comes from tool or request input without a containment check",
                       Confidence.HIGH if direct_input(target, scope) else Confidence.MEDIUM, True)


def only_allow_listed(node: ast.expr, scope: Scope, aliases: dict[str, str]) -> bool:
    """Some name in ``node`` was checked against a constant allow-list in this function and every
    other name is a constant or an imported module or function."""
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    checked = names & scope.allow_listed
    return bool(checked) and all(
        n in checked or n in aliases or constant_eval.is_constant(ast.Name(n, ast.Load()),
                                                                  lambda m: lookup(m, scope))
        for n in names)


def guarded(scope: Scope, flag: str) -> bool:
    return bool(getattr(scope, flag))


def direct_input(node: ast.expr, scope: Scope) -> bool:
    """The input is visible here: the function is the tool or route itself, or reads the request."""
    return scope.is_entry or any(isinstance(n, ast.expr) and is_request_source(n) for n in ast.walk(node))


@detector("python-ssrf")
@survives_deep_nesting
def ssrf_calls(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """An HTTP request to a URL whose host is chosen by tool or request input, with no allow-list."""
    analysis = analysis_of(unit, INPUT_GATE)
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        if not scope.tainted or scope.url_guarded:
            continue
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if name in HTTP_FUNCS:
            verb = name.rsplit(".", 1)[-1]
        elif method in HTTP_METHODS and is_client(call.func.value):  # type: ignore[attr-defined]
            verb = method
        else:
            continue
        url = first_argument(call, "url", position=1) if verb == "request" else first_argument(call, "url", "uri")
        if url is None:
            continue
        if not any(host_controlled(v, scope, analysis) for v in resolved(url, scope)):
            continue
        yield make_hit(analysis, call, "the URL requested is chosen by tool or request input",
                       Confidence.HIGH if direct_input(url, scope) else Confidence.MEDIUM, True)


def is_client(node: ast.expr) -> bool:
    if isinstance(node, ast.Call):
        node = node.func
    own = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    if NON_HTTP_CLIENT.search(own):
        return False
    if isinstance(node, ast.Attribute):
        return bool(CLIENT_NAME.search(node.attr)) or (isinstance(node.value, ast.Name) and node.value.id in (
            "httpx", "requests", "aiohttp"))
    return isinstance(node, ast.Name) and bool(CLIENT_NAME.search(node.id))


def host_controlled(node: ast.expr, scope: Scope, analysis: Analysis) -> bool:
    """True when tainted input decides the scheme and host, not only the path or query."""
    if not is_tainted(node, scope.tainted, analysis.aliases):
        return False
    if isinstance(node, ast.JoinedStr):
        prefix = ""
        for v in node.values:
            if isinstance(v, ast.Constant):
                prefix += str(v.value)
                continue
            if prefix and (FIXED_HOST.search(prefix) or "://" not in prefix):
                return False
            return is_tainted(v.value, scope.tainted, analysis.aliases)  # type: ignore[attr-defined]
        return False
    if isinstance(node, ast.BinOp):
        return host_controlled(node.left, scope, analysis) if not isinstance(node.left, ast.Constant) else bool(
            "://" in str(node.left.value) and not FIXED_HOST.search(str(node.left.value)))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        template = literal_text(node.func.value)
        prefix = template.split("{", 1)[0]
        return not (FIXED_HOST.search(prefix) or (prefix and "://" not in prefix))
    return True


@detector("python-markup")
@survives_deep_nesting
def markup_calls(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """Markup()/mark_safe() of a string built from values: the values skip HTML escaping."""
    analysis = analysis_of(unit, MARKUP_GATE)
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        if name not in MARKUP_FUNCS or not call.args:
            continue
        value = call.args[0]
        if string_kind(value, scope) != BUILT:
            continue
        tainted = is_tainted(value, scope.tainted, analysis.aliases)
        if not wanted(rule, tainted):
            continue
        yield make_hit(analysis, call, f"{name}() marks a string built from values as safe HTML",
                       Confidence.HIGH if tainted else Confidence.MEDIUM, tainted)
