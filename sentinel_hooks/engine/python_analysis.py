"""Parse a Python file once and gather, per function, what the checks need (``Analysis``).

The whole file is parsed once per unit (``unit.memo``); with candidate offsets (possible sinks of
the checks whose text gates pass the file) the functions holding none of them are blanked before
parsing (``python_prune``). ``collect`` walks each
function once: its calls, the values assigned to or stored into each name, its return values, and
its guards (containment checks, URL allow-lists, membership tests against a constant collection).
Code under a condition that is constant (``if False:``, ``if 0:``, ``while False:``, ``if DEBUG:``
with ``DEBUG = False`` assigned once at module level, and the dead branch of ``a if True else b``) is
not collected: it never runs. Taint is computed for every scope, inter-procedurally within the
file (``python_summaries``), when a check first asks for a scope's tainted names.
"""
from __future__ import annotations

import ast
import functools
import re
from typing import Callable, Optional

from sentinel_hooks.engine import constant_eval, python_tree
from sentinel_hooks.engine.detectors.python_prune import prune
from sentinel_hooks.engine.detectors.python_sinks import (EVAL_FUNCS, GUARD_NAME, INPUT_GATE, PATH_GUARD_ATTRS,
                                                          URL_GUARD_CALLS, URL_GUARD_NAME, candidate_offsets)
from sentinel_hooks.engine.python_scopes import (Analysis, Scope, add_nodes, constant_key, lookup, qualified_name,
                                                 walk_kept)
from sentinel_hooks.engine.python_sources import entry_kind, is_user_prompt, registered_tools
from sentinel_hooks.engine.python_summaries import propagate_input
from sentinel_hooks.engine.text_gate import AllOf, Found, Gate, LiteralIndex
from sentinel_hooks.text_lines import holds_line, lines_of
from sentinel_hooks.engine.units import SELECTED_DETECTORS, TextUnit

MEMO_KEY = "python_ast.analysis"
MAX_PARSE_CHARS = 5_000_000  # larger files are generated code; a tree of them costs too much memory
GLOBAL_STATEMENT = re.compile(r"^[ \t]+global[ \t]+(\w+(?:[ \t]*,[ \t]*\w+)*)", re.M)
CONTAINER_METHODS = {"append", "extend", "insert", "add", "update", "appendleft", "extendleft"}
COMPARISONS: dict[type, Callable[[object, object], bool]] = {
    ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,  # type: ignore
    ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b}  # type: ignore
ARITHMETIC: dict[type, Callable[[object, object], object]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b}  # type: ignore


GATE_LITERALS = LiteralIndex()  # the literals of every gate ``passes`` was asked about, in this process
LOWERED_GATE_LITERALS = LiteralIndex()  # the same for the case-insensitive gates, read in the lowered text
LITERALS_KEY = "python_ast.gate literals"
LOWERED_LITERALS_KEY = "python_ast.lowered gate literals"


def passes(unit: TextUnit, gate: Gate | AllOf) -> bool:
    """Whether the unit's whole-file text passes ``gate`` (remembered per unit). The gate's literals
    that the text holds, and their offsets, come from one pass of ``GATE_LITERALS`` over the text
    (``LOWERED_GATE_LITERALS`` over the lowered text for a case-insensitive gate), shared by every gate."""
    key = ("python_ast.gate", id(gate))
    memo = unit.memo
    if key not in memo:
        if isinstance(gate, AllOf):  # its gates' answers are shared with the checks that test them alone
            memo[key] = all(passes(unit, part) for part in gate.gates)
        elif gate.ignore_case:
            text, lowered = unit.full_text(), unit.full_lowered()
            found = None
            if len(lowered) == len(text):  # else the gate searches the text itself
                LOWERED_GATE_LITERALS.add(gate.literals)
                found = literals_found(unit, LOWERED_LITERALS_KEY, LOWERED_GATE_LITERALS, lowered)
            memo[key] = gate.search(text, lowered, found)
        else:
            GATE_LITERALS.add(gate.literals)
            memo[key] = gate.search(unit.full_text(), None, gate_literals(unit))
    return memo[key]


def gate_literals(unit: TextUnit) -> Found:
    """The gates' literals in the unit's whole-file text, with their offsets (one pass per unit)."""
    return literals_found(unit, LITERALS_KEY, GATE_LITERALS, unit.full_text())


def literals_found(unit: TextUnit, key: str, index: LiteralIndex, text: str) -> Found:
    found = unit.memo.get(key)
    if found is None:
        found = unit.memo[key] = index.found(text)
    return found


def analysis_of(unit: TextUnit, *prechecks: Gate | AllOf) -> Optional[Analysis]:
    """The parsed file, or None when it does not parse or a precheck finds nothing to look at."""
    if unit.partial:
        # a piece of a huge file: parsing it would cost memory and find no valid tree
        if all(passes(unit, gate) for gate in prechecks):
            unit.memo[python_tree.NOT_ANALYSED] = python_tree.TOO_LARGE
        return None
    if not all(passes(unit, gate) for gate in prechecks):
        return None  # also once another check built the analysis, which holds only the functions
        # with a candidate sink of a check whose gate passes
    if MEMO_KEY not in unit.memo:
        text = unit.full_text()
        candidates = candidate_offsets(text, passes(unit, INPUT_GATE), lambda gate: passes(unit, gate),
                                       unit.memo.get(SELECTED_DETECTORS), gate_literals(unit))
        analysis = analyse(text, candidates, whole_tree=lambda: python_tree.tree_of(unit))
        if analysis is None:  # the parse left its reason; what it did not explain is size or depth
            unit.memo.setdefault(python_tree.NOT_ANALYSED, python_tree.TOO_LARGE if len(text) > MAX_PARSE_CHARS
                                 else python_tree.TOO_DEEP)
        if analysis is not None and unit.full_text_loader is None:
            # the text is the unit itself, which may start inside the file
            analysis.line_offset = unit.first_line - 1
            analysis.column_offset = getattr(unit, "first_column", 1) - 1
        unit.memo[MEMO_KEY] = analysis
        release_with(unit.memo, analysis)
    return unit.memo[MEMO_KEY]


def release_with(memo: dict, analysis: Optional[Analysis]) -> None:
    """Release ``analysis`` when ``memo`` (a file's memo, which owns it) is dropped."""
    if analysis is not None:
        memo[("python_analysis.release", id(analysis))] = _Release(analysis)


def release(analysis: Analysis) -> None:
    """Break the cycles an analysis holds once no check will read it: scopes point back to their analysis,
    and taint (the scopes' and the summaries' in its memo) to the scopes and summaries. Left to the garbage
    collector, a tree stayed alive among the objects of the files scanned after it and was walked again at
    each collection of the older generation."""
    for scope in analysis.scopes:
        scope.file = None
        scope.computed_taint = None
    analysis.memo.clear()


class _Release:
    """Held in a file's memo beside an analysis: when the memo goes, it breaks the analysis' reference
    cycles (``release``), so reference counting frees the analysis and its syntax tree at once."""

    __slots__ = ("analysis",)

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis

    release = staticmethod(release)  # reached through the class: at interpreter exit globals may be gone

    def __del__(self) -> None:
        self.release(self.analysis)


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
        collector = Collector(aliases, scopes, keep, module_constants(tree, source),
                              registered_tools(tree, source))
        collector.collect(module)
        analysis = Analysis(source, aliases, shadowed, scopes, module, call_names=collector.call_names)
        for scope in scopes:
            scope.file = analysis
            for call in scope.calls:
                analysis.scope_of_call[id(call)] = scope
        analysis.taint_pending, analysis.compute_taint = True, propagate_input
    except RecursionError:  # expressions nested thousands deep
        return None
    return analysis


def _keeper(candidates: Optional[set[int]]):
    """A test of whether a function's lines hold a candidate line (always true without candidates)."""
    if candidates is None:
        return lambda fn: True
    ordered = sorted(candidates)

    def keep(fn: ast.AST) -> bool:
        return holds_line(ordered, python_tree.first_line(fn), getattr(fn, "end_lineno", None) or fn.lineno)

    return keep


def import_aliases(tree: ast.Module, keep=lambda fn: True) -> tuple[dict[str, str], set[str]]:
    """Local name -> qualified name for imports; and builtins the module redefines."""
    aliases: dict[str, str] = {}
    shadowed: set[str] = set()
    for node in walk_kept(tree, keep):
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


def module_constants(tree: ast.Module, source: str = "") -> dict[str, object]:
    """Module-level names assigned exactly once, to a number, a boolean, a string or None, and
    declared ``global`` by no function (``source``: the text, to skip that search when it has no
    ``global``)."""
    values: dict[str, object] = {}
    counts: dict[str, int] = {}
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(
            stmt, (ast.AnnAssign, ast.AugAssign)) else []
        for target in targets:
            if isinstance(target, ast.Name):
                counts[target.id] = counts.get(target.id, 0) + 1
                value = getattr(stmt, "value", None)
                if isinstance(stmt, ast.AugAssign) or not isinstance(value, ast.Constant):
                    counts[target.id] += 1
                else:
                    values[target.id] = value.value
    rebound = {name.strip() for names in global_statements(source) for name in names.split(",")} if values else set()
    return {name: value for name, value in values.items() if counts[name] == 1 and name not in rebound}


def global_statements(source: str) -> list[str]:
    """The name lists of the ``global`` statements of ``source`` (``GLOBAL_STATEMENT``'s matches), tried at the
    start of each line holding the word instead of at every character."""
    found: list[str] = []
    find, rfind, match = source.find, source.rfind, GLOBAL_STATEMENT.match
    pos, tried = find("global"), -1
    while pos != -1:
        start = rfind("\n", 0, pos) + 1
        if start != tried:  # a line is tried once, however often it holds the word
            tried = start
            m = match(source, start)
            if m is not None:
                found.append(m.group(1))
        pos = find("global", pos + 1)
    return found


def constant_truth(node: ast.expr, constants: dict[str, object]) -> Optional[bool]:
    """The truth of a condition fixed by the program text (``False``, ``0``, ``not DEBUG``, ``7 * 18
    > 200``), or None when it depends on run time."""
    found, value = _constant_value(node, constants, 0)
    return bool(value) if found else None


def _constant_value(node: ast.expr, constants: dict[str, object], depth: int) -> tuple[bool, object]:
    if depth > 6:
        return False, None
    if isinstance(node, ast.Constant):
        return True, node.value
    if isinstance(node, ast.Name):
        return (True, constants[node.id]) if node.id in constants else (False, None)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        found, value = _constant_value(node.operand, constants, depth + 1)
        return found, (not value) if found else None
    if isinstance(node, ast.BinOp) and type(node.op) in ARITHMETIC:
        (lf, lv), (rf, rv) = (_constant_value(node.left, constants, depth + 1),
                              _constant_value(node.right, constants, depth + 1))
        if lf and rf and all(isinstance(v, int) and not isinstance(v, bool) for v in (lv, rv)):
            return True, ARITHMETIC[type(node.op)](lv, rv)
        return False, None
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in COMPARISONS:
        (lf, lv), (rf, rv) = (_constant_value(node.left, constants, depth + 1),
                              _constant_value(node.comparators[0], constants, depth + 1))
        if lf and rf and type(lv) is type(rv) and isinstance(lv, (int, str)):
            return True, COMPARISONS[type(node.ops[0])](lv, rv)
    return False, None


class Collector:
    """Fills scopes with their calls, bindings, returns and guards (``collect``)."""

    def __init__(self, aliases: dict[str, str], scopes: list[Scope], keep, constants: dict[str, object],
                 registered: set[str]) -> None:
        self.aliases, self.scopes, self.keep = aliases, scopes, keep
        self.constants, self.registered = constants, registered
        self.call_names: dict[int, str] = {}  # qualified callee names, for ``scoped_calls``

    def collect(self, scope: Scope) -> None:
        """Nested functions ``keep`` accepts become scopes of their own (in the order a depth-first
        walk meets them)."""
        stack: list[ast.AST] = []
        add_nodes(scope.node, stack)
        while stack:
            n = stack.pop()
            kind = type(n)
            if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                if self.keep(n):  # a function without a candidate sink holds nothing to report
                    self.function(n, scope, None)
                continue
            if kind is ast.ClassDef:
                for item in n.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        if self.keep(item):
                            self.function(item, scope, n)
                    else:
                        stack.append(item)
                stack.extend([*n.bases, *n.keywords, *n.decorator_list])
                continue
            if kind is ast.Name:
                if _is_url_guard_name(n.id):
                    scope.url_guarded = True
                continue  # no children worth a visit
            if kind is ast.Constant:
                continue
            if kind is ast.If or kind is ast.While or kind is ast.IfExp:
                truth = constant_truth(n.test, self.constants)
                if truth is not None:  # only one branch can run
                    taken = n.body if truth else n.orelse
                    stack.extend(taken if isinstance(taken, list) else [taken])
                    continue
            if kind is ast.Attribute:
                if _is_url_guard_name(n.attr):
                    scope.url_guarded = True
            elif kind is ast.Call:
                scope.calls.append(n)
                name = self.call_names[id(n)] = qualified_name(n.func, self.aliases)
                note_guards(scope, n, name)
                note_container_call(scope, n)
            elif kind is ast.Assign:
                for target in n.targets:
                    bind(scope, target, self.branch(n.value))
            elif kind is ast.AnnAssign or kind is ast.NamedExpr:
                if n.value is not None:
                    bind(scope, n.target, self.branch(n.value))
            elif kind is ast.AugAssign:
                if isinstance(n.target, ast.Name):
                    bind(scope, n.target, ast.BinOp(left=ast.Name(n.target.id, ast.Load()), op=n.op, right=n.value))
                else:
                    bind(scope, n.target, n.value)
            elif kind is ast.For or kind is ast.AsyncFor or kind is ast.comprehension:
                bind(scope, n.target, n.iter)
            elif kind is ast.withitem:
                if n.optional_vars is not None:
                    bind(scope, n.optional_vars, n.context_expr)
            elif kind is ast.Return or kind is ast.Yield or kind is ast.YieldFrom:
                if n.value is not None:
                    scope.returns.append(self.branch(n.value))
            elif kind is ast.Compare:
                if any(isinstance(c, ast.Constant) and isinstance(c.value, str) and ".." in c.value
                       for c in [n.left, *n.comparators]) or constant_eval.is_containment_check(n):
                    scope.path_guarded = True
                scope.allow_listed |= constant_eval.allow_listed_names(n, lambda name, s=scope: lookup(name, s))
            add_nodes(n, stack)

    def function(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, parent: Scope,
                 class_node: Optional[ast.ClassDef]) -> None:
        kind = entry_kind(fn, self.registered)
        child = Scope(fn, parent, is_entry=bool(kind), entry_kind=kind, class_node=class_node,
                      user_prompt=is_user_prompt(fn))
        self.scopes.append(child)
        self.collect(child)

    def branch(self, value: ast.expr) -> ast.expr:
        """The branch of ``a if COND else b`` that runs when ``COND`` is constant; else the value."""
        while isinstance(value, ast.IfExp):
            truth = constant_truth(value.test, self.constants)
            if truth is None:
                break
            value = value.body if truth else value.orelse
        return value


def _non_path_prefix_test(call: ast.Call) -> bool:
    """``query.startswith("SELECT")``: a prefix test against constants that name no folder."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "startswith" and call.args):
        return False
    arg = call.args[0]
    values = arg.elts if isinstance(arg, ast.Tuple) else [arg]
    return all(isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value and
               not any(c in v.value for c in "/\\~.") for v in values)


@functools.lru_cache(maxsize=4096)
def _is_path_guard_name(name: str) -> bool:
    return name in PATH_GUARD_ATTRS or bool(GUARD_NAME.search(name))


def _checks_something(call: ast.Call, last: str) -> bool:
    """A check named so must be given something (``_verify_cert()`` checks no path), and a prefix test
    against constants that name no folder (``query.startswith("SELECT")``) is no containment check."""
    if last in PATH_GUARD_ATTRS:
        return not _non_path_prefix_test(call)
    return bool(call.args or call.keywords or isinstance(call.func, ast.Attribute))


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
    elif isinstance(target, (ast.Subscript, ast.Attribute)) and isinstance(target.value, ast.Name):
        key = constant_key(target.slice) if isinstance(target, ast.Subscript) else target.attr
        scope.contents.setdefault(target.value.id, []).append((key, value))


def note_container_call(scope: Scope, call: ast.Call) -> None:
    """``x.append(v)``, ``x.extend(v)``, ``x.insert(i, v)``, ``x.update(v)``: ``v`` is now in ``x``."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in CONTAINER_METHODS and isinstance(func.value, ast.Name):
        values = call.args[1:] if func.attr == "insert" else call.args
        stored = scope.contents.setdefault(func.value.id, [])
        stored.extend((None, v) for v in values)
        stored.extend((kw.arg, kw.value) for kw in call.keywords)


def note_guards(scope: Scope, call: ast.Call, name: str) -> None:
    """Guards a call shows (``name``: its qualified callee name)."""
    last = name.rsplit(".", 1)[-1] if name else (call.func.attr if isinstance(call.func, ast.Attribute) else "")
    if last and _is_path_guard_name(last) and _checks_something(call, last):
        scope.path_guarded = True
    if name in URL_GUARD_CALLS or last in ("urlparse", "urlsplit"):
        scope.url_guarded = True
