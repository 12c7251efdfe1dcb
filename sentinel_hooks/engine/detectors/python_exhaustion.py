"""Resource exhaustion driven by tool or request input: loop counts (``range(n)``, ``while i < n``), sizes
(``"x" * n``), sleeps and the recursion limit taken from input, regular expressions compiled from input
(ReDoS), and unbounded ``read()`` of a URL from input.

A value is bounded when the function clamps it (``min(n, LIMIT)``) or compares it in an ``if``/``assert``
before use, or when its parameter declares a bound (``Field(le=100)``, ``conint(le=...)``,
``Annotated[int, Field(lt=...)]``, ``Query(le=...)``). Each function reports at most one hit per value.
"""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterable, Optional

from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.python_scopes import own_nodes
from sentinel_hooks.engine.python_scopes import Origin
from sentinel_hooks.engine.python_summaries import origin_of, summaries_of
from sentinel_hooks.engine.detectors.python_ast import Analysis, Scope, first_argument, is_tainted, \
    make_hit, may_count_in, qualified_name, scoped_calls, survives_deep_nesting
from sentinel_hooks.engine.detectors.python_sinks import INPUT_GATE, UNTAINTED_PARAMS
from sentinel_hooks.engine.detectors.python_full_analysis import gated_analysis, whole_files
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.text_gate import Gate
from sentinel_hooks.findings import Confidence, Severity

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.units import TextUnit

MAX_SEED_DEPTH = 4  # calls a number from input is followed through
HUGE = 10 ** 8  # elements or bytes no tool needs to make in one call
SLEEP_MESSAGE = "the server sleeps as long as the input asks"
SLEEPS = {"time.sleep", "asyncio.sleep", "anyio.sleep", "trio.sleep"}
REGEX_FUNCS = {f"{mod}.{f}" for mod in ("re", "regex") for f in (
    "compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split")}
NUMBER_CASTS = {"int", "float", "abs", "round"}
BOUND_KEYWORDS = {"le", "lt", "max_length", "max_items", "maximum", "exclusiveMaximum"}
URL_OPENERS = {"urllib.request.urlopen", "urlopen", "urllib2.urlopen"}
EXHAUST_GATE = Gate(re.compile(r"range\(|sleep\(|re\.|regex\.|while\s|\*|\.read\(\)|setrecursionlimit|bytearray|"
                               r"urandom"),
                    ("range(", "sleep(", "re.", "regex.", "while", "*", ".read()", "setrecursionlimit", "bytearray",
                     "urandom"), anchored=True)


@detector("python-resource-exhaustion")
@survives_deep_nesting
@whole_files
def unbounded_work(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    analysis = gated_analysis(unit, EXHAUST_GATE, INPUT_GATE)
    if analysis is None:
        return
    numbers_of: dict[int, set[str]] = {}
    reported: set[tuple[int, str]] = set()
    seeds = _number_seeds(analysis)

    def numbers(scope: Scope) -> set[str]:
        if id(scope) not in numbers_of:
            numbers_of[id(scope)] = _input_numbers(scope, analysis, seeds.get(id(scope), {}))
        return numbers_of[id(scope)]

    counts: dict[int, bool] = {}  # by scope: whether its hits can count (a diff may not reach it)

    def may_count(scope: Scope) -> bool:
        if id(scope) not in counts:
            counts[id(scope)] = may_count_in(unit, analysis, scope)
        return counts[id(scope)]

    for scope, call, name in scoped_calls(analysis):
        if not may_count(scope):
            continue
        found: Optional[tuple[str, str]] = None
        if name == "range" and "range" not in analysis.shadowed:
            found = _first_number(call.args, scope, numbers(scope), "a loop runs as many times as the input asks")
        elif name in SLEEPS:
            found = _first_number(call.args[:1], scope, numbers(scope), SLEEP_MESSAGE)
        elif name == "sys.setrecursionlimit":
            found = _first_number(call.args[:1], scope, numbers(scope), "the recursion limit comes from input")
        elif name in REGEX_FUNCS:
            pattern = first_argument(call, "pattern")
            if pattern is not None and is_tainted(pattern, scope.tainted, analysis.aliases) and not _bounded_text(
                    pattern, scope):
                found = (ast.unparse(pattern), "a regular expression is compiled from input (ReDoS)")
        elif isinstance(call.func, ast.Attribute) and call.func.attr == "read" and not call.args and not call.keywords:
            opened = call.func.value
            if isinstance(opened, ast.Call) and qualified_name(opened.func, analysis.aliases) in URL_OPENERS and \
                    opened.args and is_tainted(opened.args[0], scope.tainted, analysis.aliases):
                found = (ast.unparse(opened.args[0]), "a URL from input is read without a size limit")
        if found is not None and (id(scope), found[0]) not in reported:
            reported.add((id(scope), found[0]))
            yield _hit(analysis, scope, call, found, seeds.get(id(scope), {}))
    for scope in analysis.scopes:
        if not may_count(scope) or not scope.is_entry and not scope.tainted and id(scope) not in seeds:
            continue
        names = numbers(scope)
        for node in own_nodes(scope.node):
            found = None
            if scope.is_entry:
                waste = _built_in_waste(node, analysis)
                if waste is not None:
                    hit = make_hit(analysis, node, waste, Confidence.HIGH, False)
                    if "fork" in waste:
                        hit.severity = Severity.HIGH
                    yield hit
                    continue
            if not names:
                continue
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
                for size, other in ((node.left, node.right), (node.right, node.left)):
                    if _is_sequence(other) and _number_name(size, names):
                        found = (_number_name(size, names), "a value is repeated as many times as the input asks")
            elif isinstance(node, ast.While) and isinstance(node.test, ast.Compare):
                name = next(filter(None, (_number_name(s, names) for s in node.test.comparators)), None)
                if name:
                    found = (name, "a loop runs as long as the input asks")
            if found is not None and (id(scope), found[0]) not in reported:
                reported.add((id(scope), found[0]))
                yield _hit(analysis, scope, node, found, seeds.get(id(scope), {}))


def _built_in_waste(node: ast.AST, analysis: Analysis) -> Optional[str]:
    """Exhaustion the tool's own code causes whatever the input: a ``while True`` loop with no way out,
    a process forked in a loop, a constant allocation or loop count of ``HUGE`` or more."""
    if isinstance(node, ast.While) and isinstance(node.test, ast.Constant) and node.test.value:
        exits = [n for n in ast.walk(node) if isinstance(n, (ast.Break, ast.Return, ast.Raise, ast.Await,
                                                              ast.Yield, ast.YieldFrom))]
        forks = [n for n in ast.walk(node) if isinstance(n, ast.Call) and qualified_name(
            n.func, analysis.aliases) in ("os.fork", "multiprocessing.Process", "subprocess.Popen")]
        if forks:
            return "processes are started in an endless loop (fork bomb)"
        if not exits:
            return "the tool loops forever"
    if isinstance(node, ast.Call) and (
            (isinstance(node.func, ast.Name) and node.func.id in ("range", "bytearray", "bytes")) or
            qualified_name(node.func, analysis.aliases) in ("os.urandom", "numpy.zeros", "numpy.ones")):
        if any(_constant_number(a) >= HUGE for a in node.args):
            return "the tool allocates or loops a huge constant amount"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and (
            (_is_sequence(node.left) and _constant_number(node.right) >= HUGE) or
            (_is_sequence(node.right) and _constant_number(node.left) >= HUGE)):
        return "the tool allocates or loops a huge constant amount"
    return None


def _constant_number(node: ast.expr) -> float:
    """The value of a constant arithmetic expression (``10**9``, ``1024 * 1024 * 1024``), else 0."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Pow, ast.Add, ast.LShift)):
        left, right = _constant_number(node.left), _constant_number(node.right)
        if not left or not right:
            return 0
        if isinstance(node.op, ast.Pow):
            return left ** min(right, 64)
        if isinstance(node.op, ast.LShift):
            return left * 2 ** min(right, 64)
        return left * right if isinstance(node.op, ast.Mult) else left + right
    return 0


def _hit(analysis: Analysis, scope: Scope, node: ast.AST, found: tuple[str, str],
         seeded: dict[str, tuple[bool, Origin]]) -> Hit:
    """A count typed ``int``/``float`` in the tool's signature is validated as a number by the SDK and
    usually drives harmless repetition (progress steps, demo loops), and a sleep holds only the caller's
    own request: both reported LOW, the rest MEDIUM. In a helper, what counts is how the number entered
    (``seeded``: parameter → it came from a typed tool parameter), not the helper's own annotation."""
    hit = make_hit(analysis, node, found[1], Confidence.MEDIUM, True)
    if found[0] in seeded and not scope.is_entry:
        typed, origin = seeded[found[0]]
        hit.message = (f"{found[1]}: {origin.what} reaches `{found[0]}` in helper `{scope.name}` "
                       f"(called at line {origin.line + analysis.line_offset})")
    else:
        typed = found[0] in _typed_numbers(scope)
    if typed or found[1] == SLEEP_MESSAGE:
        hit.severity, hit.confidence = Severity.LOW, Confidence.LOW
    return hit


def _number_seeds(analysis: Analysis) -> dict[int, dict[str, tuple[bool, Origin]]]:
    """Parameters of the file's own functions that receive an unbounded number from input, by scope:
    ``helper(n)`` where a tool or route computed ``n = int(request.get("n"))`` (taint itself stops at the
    cast, which is right for injection and wrong for sizes). Each parameter maps to whether the number
    came from a tool parameter typed ``int``/``float`` (see ``_hit``) and where it entered; followed from
    caller to callee through up to ``MAX_SEED_DEPTH`` calls."""
    summaries = summaries_of(analysis) if len(analysis.scopes) > 1 else None
    seeds: dict[int, dict[str, tuple[bool, Origin]]] = {}
    if summaries is None:
        return seeds
    frontier = [scope for scope in analysis.scopes if scope.is_entry or scope.tainted]
    for _ in range(MAX_SEED_DEPTH):
        woken: list[Scope] = []
        for scope in frontier:
            callees = [(call, callee) for call in scope.calls
                       if (callee := summaries.callee(call, scope)) is not None and callee.parent is not None
                       and not isinstance(callee.node, ast.Lambda)]
            if not callees:  # most tools call none of the file's own functions
                continue
            own = seeds.get(id(scope), {})
            names = _input_numbers(scope, analysis, own)
            if not names:
                continue
            typed = _typed_numbers(scope) if scope.is_entry else {n for n, (was, _) in own.items() if was}
            for call, callee in callees:
                for param, arg in summaries.arguments(call, callee):
                    name = _number_name(arg, names)
                    if not name:
                        continue
                    held = seeds.setdefault(id(callee), {})
                    was_typed = name in typed
                    if param not in held or (held[param][0] and not was_typed):  # an untyped caller decides
                        origin = own[name][1] if name in own else origin_of(arg, scope, call)
                        held[param] = (was_typed, origin)
                        woken.append(callee)
        if not woken:
            break
        frontier = list({id(s): s for s in woken}.values())
    return seeds


def _typed_numbers(scope: Scope) -> set[str]:
    node = scope.node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return set()
    args = node.args
    return {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]
            if isinstance(a.annotation, ast.Name) and a.annotation.id in ("int", "float")}


def _input_numbers(scope: Scope, analysis: Analysis, seeded: Optional[dict[str, tuple[bool, Origin]]] = None
                   ) -> set[str]:
    """Names in a tool or route (or a helper given such a number) that carry a number from input and
    are not bounded in the function."""
    names: set[str] = set(seeded or ())
    node = scope.node
    if scope.is_entry and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        defaults = dict(zip([a.arg for a in args.posonlyargs + args.args][::-1], args.defaults[::-1]))
        defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
        for a in params:
            if a.arg in UNTAINTED_PARAMS or _declares_bound(a.annotation) or _declares_bound(defaults.get(a.arg)):
                continue
            names.add(a.arg)
    names |= scope.tainted
    for name, values in scope.assigned.items():  # n = int(arguments["n"])
        if any(isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id in NUMBER_CASTS and v.args
               and (is_tainted(v.args[0], scope.tainted, analysis.aliases) or
                    any(isinstance(x, ast.Name) and x.id in names for x in ast.walk(v.args[0])))
               for v in values):
            names.add(name)
    return names - _bounded_names(scope)


def _declares_bound(node: Optional[ast.expr]) -> bool:
    if node is None:
        return False
    return any(isinstance(n, ast.keyword) and n.arg in BOUND_KEYWORDS for n in ast.walk(node)) or any(
        isinstance(n, ast.Name) and n.id in ("conint", "confloat", "PositiveInt") for n in ast.walk(node)) and \
        "le" in ast.unparse(node)


def _bounded_names(scope: Scope) -> set[str]:
    """Names compared in an ``if``/``assert`` test or clamped with ``min`` in the function (once per
    scope: the helpers' seeds and the checks ask again)."""
    found = scope.file.memo.get(("bounded names", id(scope))) if scope.file is not None else None
    if found is None:
        found = _find_bounded_names(scope)
        if scope.file is not None:
            scope.file.memo[("bounded names", id(scope))] = found
    return found


def _find_bounded_names(scope: Scope) -> set[str]:
    bounded: set[str] = set()
    for node in own_nodes(scope.node):
        test = node.test if isinstance(node, (ast.If, ast.Assert, ast.IfExp)) else None
        if test is not None:
            for compare in ast.walk(test):
                if isinstance(compare, ast.Compare):
                    bounded |= {n.id for n in ast.walk(compare) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("min", "clamp"):
            bounded |= {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    for name, values in scope.assigned.items():
        if any(isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id in ("min", "clamp")
               for v in values):
            bounded.add(name)
    return bounded


def _first_number(args: list[ast.expr], scope: Scope, names: set[str], message: str) -> Optional[tuple[str, str]]:
    for arg in args:
        name = _number_name(arg, names)
        if name:
            return name, message
    return None


def _number_name(node: ast.expr, names: set[str]) -> str:
    """The input name a size expression is made of (``n``, ``n * 2``, ``int(n)``), or ''."""
    if isinstance(node, ast.Name):
        return node.id if node.id in names else ""
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult, ast.Pow, ast.LShift)):
        return _number_name(node.left, names) or _number_name(node.right, names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in NUMBER_CASTS and node.args:
        return _number_name(node.args[0], names)
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id in ("arguments",):
        return ast.unparse(node)
    return ""


def _is_sequence(node: ast.expr) -> bool:
    return isinstance(node, (ast.List, ast.Tuple)) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))


def _bounded_text(pattern: ast.expr, scope: Scope) -> bool:
    """``re.escape(x)`` anywhere in the pattern (taint already stops at it) or a literal-only pattern."""
    return isinstance(pattern, ast.Constant)
