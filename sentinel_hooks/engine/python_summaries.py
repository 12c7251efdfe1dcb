"""Inter-procedural taint within one Python file: summaries of the file's own functions.

Calls are resolved by name to functions of the same file: a plain name to the nearest function so
named (nested functions first, then module level) or to a simple ``f = lambda ...``; ``self.m(...)`` /
``cls.m(...)`` to the method ``m`` of the caller's class. Two facts follow, context-insensitively:

* **Return flows**: which parameters of a function reach its return value, and whether it returns a
  labelled value of its own (``return request.args["q"]``, ``return os.environ["TOKEN"]``), so a
  builder (``def query(name): return f"SELECT ... {name}"``) passes the label of its argument on to
  its caller. Functions named or acting like guards (``safe_path``, a containment or URL check
  inside) return clean values. Computed on demand, once per function.
* **Parameter seeds**: when a call passes a labelled argument, the callee's parameter carries the
  label in the callee's scope, so every check on the callee's body (``requests.get(url)`` in a
  helper) sees it; the seed remembers where the input entered (``tool parameter `url` of
  `fetch_page```, the line of the first call) for the finding's message, and which guards (path
  containment, URL allow-list) every caller applied before passing it.

Both run as a worklist over the file's scopes, bounded by ``MAX_VISITS_PER_SCOPE`` visits per scope
``MAX_PARAMETERS`` parameters per function and ``MAX_DEPTH`` summaries computed inside one another,
so the cost stays linear in the file.
"""
from __future__ import annotations

import ast
import functools
from collections import deque
from typing import Optional

from sentinel_hooks.engine.detectors.python_sinks import GUARD_NAME
from sentinel_hooks.engine.python_scopes import (Analysis, Origin, Scope, Taint, lookup, parameter_names,
                                                 positional_parameters)
from sentinel_hooks.engine.python_sources import entry_parameters, is_secret_source
from sentinel_hooks.engine.python_taint import (Source, carries, compute_taint, input_source, no_source,
                                                request_source, spread)

MAX_VISITS_PER_SCOPE = 6
MAX_PARAMETERS = 12
MAX_DEPTH = 16  # nested summary computations (a long chain of builders)
INPUT, SECRET, FLOW = "input", "secret", "flow"
SOURCES: dict[str, Source] = {INPUT: request_source, SECRET: is_secret_source, FLOW: no_source}
Callee = Scope  # a function of the file (a lambda gets a scope of its own on demand)


class Summaries:
    """Call resolution and the per-function facts of one analysed file."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.functions: dict[str, list[Scope]] = {}
        self.methods: dict[tuple[int, str], Scope] = {}
        for scope in analysis.scopes:
            if scope.parent is None:
                continue
            if scope.class_node is not None:
                self.methods[(id(scope.class_node), scope.name)] = scope
            else:
                self.functions.setdefault(scope.name, []).append(scope)
        self.classes: dict[str, ast.ClassDef] = {}
        for scope in analysis.scopes:
            if scope.class_node is not None:
                self.classes.setdefault(scope.class_node.name, scope.class_node)
        self.resolved: dict[int, Optional[Callee]] = {}
        self.flows: dict[int, frozenset[str]] = {}
        self.returns_label: dict[tuple[int, str], bool] = {}
        self.lambdas: dict[int, Scope] = {}
        self.depth = 0  # summaries being computed inside one another

    # ---------------------------------------------------------------------------- resolution

    def callee(self, call: ast.Call, caller: Scope) -> Optional[Callee]:
        key = id(call)
        if key not in self.resolved:
            self.resolved[key] = self._resolve(call, caller)
        return self.resolved[key]

    def _resolve(self, call: ast.Call, caller: Scope) -> Optional[Callee]:
        func = call.func
        if isinstance(func, ast.Name):
            found = self.functions.get(func.id)
            if found:
                chain = []
                cur: Optional[Scope] = caller
                while cur is not None:
                    chain.append(cur.node)
                    cur = cur.parent
                for node in chain:  # the nearest enclosing definition wins
                    for scope in found:
                        if scope.parent is not None and scope.parent.node is node:
                            return scope
                return None
            return self._lambda(func.id, caller)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
            cur = caller
            while cur is not None and cur.class_node is None:
                cur = cur.parent
            if cur is not None:
                return self.methods.get((id(cur.class_node), func.attr))
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and self.classes:
            owner = self.classes.get(func.value.id)  # Service.build(...)
            if owner is None:  # svc = Service(); svc.fetch(...)
                values = lookup(func.value.id, caller)
                made = values[0] if len(values) == 1 else None
                if isinstance(made, ast.Call) and isinstance(made.func, ast.Name):
                    owner = self.classes.get(made.func.id)
            if owner is not None:
                return self.methods.get((id(owner), func.attr))
        return None

    def _lambda(self, name: str, caller: Scope) -> Optional[Scope]:
        cur: Optional[Scope] = caller
        while cur is not None and name not in cur.assigned:
            cur = cur.parent
        if cur is None or len(cur.assigned[name]) != 1 or not isinstance(cur.assigned[name][0], ast.Lambda):
            return None
        node = cur.assigned[name][0]
        if id(node) not in self.lambdas:
            scope = Scope(node, cur, returns=[node.body], file=self.analysis)  # type: ignore[arg-type]
            self.lambdas[id(node)] = scope
        return self.lambdas[id(node)]

    @staticmethod
    def arguments(call: ast.Call, callee: Callee) -> list[tuple[str, ast.expr]]:
        """(parameter, argument) pairs of the call; a spread argument reaches every parameter."""
        params = positional_parameters(callee.node)
        bound = isinstance(call.func, ast.Attribute) and not any(
            isinstance(d, ast.Name) and d.id == "staticmethod" for d in getattr(callee.node, "decorator_list", ()))
        if bound and params:
            params = params[1:]
        pairs: list[tuple[str, ast.expr]] = []
        every = sorted(parameter_names(callee.node))[:MAX_PARAMETERS]
        for i, arg in enumerate(call.args):
            if isinstance(arg, ast.Starred):
                pairs.extend((p, arg.value) for p in every)
            elif i < len(params):
                pairs.append((params[i], arg))
            elif callee.node.args.vararg is not None:  # type: ignore[attr-defined]
                pairs.append((callee.node.args.vararg.arg, arg))  # type: ignore[attr-defined]
        names = parameter_names(callee.node)
        kwarg = callee.node.args.kwarg  # type: ignore[attr-defined]
        for kw in call.keywords:
            if kw.arg is None:
                pairs.extend((p, kw.value) for p in every)
            elif kw.arg in names:
                pairs.append((kw.arg, kw.value))
            elif kwarg is not None:
                pairs.append((kwarg.arg, kw.value))
        return pairs

    # ---------------------------------------------------------------------------- return summaries

    def result_carries(self, caller: Scope, label: str, call: ast.Call, names: set[str],
                       aliases: dict[str, str]) -> bool:
        """Whether ``call`` (in ``caller``) returns a value with ``label`` given the caller's names."""
        callee = self.callee(call, caller)
        if callee is None or (label != SECRET and acts_as_guard(callee)) or self.depth > MAX_DEPTH:
            return False
        self.depth += 1
        try:
            source = SOURCES[label]
            passed = [param for param, arg in self.arguments(call, callee) if carries(arg, names, aliases, source)]
            if passed and self.parameter_flows(callee).intersection(passed):
                return True
            return label != FLOW and self.returns_own(callee, label)
        finally:
            self.depth -= 1

    def parameter_flows(self, callee: Callee) -> frozenset[str]:
        """The parameters of ``callee`` whose value reaches its return value."""
        key = id(callee.node)
        if key in self.flows:
            return self.flows[key]
        self.flows[key] = frozenset()  # a recursive call adds nothing while this one is computed
        if not callee.returns:
            return self.flows[key]
        aliases = self.analysis.aliases
        results = functools.partial(self.result_carries, callee, FLOW)
        found = set()
        for param in sorted(parameter_names(callee.node))[:MAX_PARAMETERS]:
            names = spread(callee, {param}, aliases, no_source, results)
            if any(carries(r, names, aliases, no_source) for r in callee.returns):
                found.add(param)
        self.flows[key] = frozenset(found)
        return self.flows[key]

    def returns_own(self, callee: Callee, label: str) -> bool:
        """Whether ``callee`` returns a value with ``label`` whatever its arguments."""
        key = (id(callee.node), label)
        if key not in self.returns_label:
            self.returns_label[key] = False
            if callee.returns:
                aliases = self.analysis.aliases
                source = SOURCES[label]
                names = spread(callee, set(), aliases, source, functools.partial(self.result_carries, callee, label))
                self.returns_label[key] = any(carries(r, names, aliases, source) for r in callee.returns)
        return self.returns_label[key]


def returned_values(node: ast.expr, scope: Scope, depth: int = 0) -> list[tuple[ast.expr, Scope]]:
    """The values ``node`` may stand for, each with the scope it belongs to: a local name's values,
    and for a call of a function of this file (a builder), the values it returns."""
    values = [(v, scope) for v in (lookup(node.id, scope) or [node])] if isinstance(node, ast.Name) else [(node, scope)]
    if depth > 2 or scope.file is None:
        return values
    out: list[tuple[ast.expr, Scope]] = []
    summaries = summaries_of(scope.file)
    for value, owner in values:
        callee = summaries.callee(value, owner) if isinstance(value, ast.Call) else None
        if callee is None or not callee.returns:
            out.append((value, owner))
            continue
        for returned in callee.returns:
            out.extend(returned_values(returned, callee, depth + 1))
    return out


def acts_as_guard(callee: Scope) -> bool:
    """A validating helper: its name says so or it checks a path or URL; its result is clean."""
    return bool(GUARD_NAME.search(callee.name)) or callee.path_guarded or callee.url_guarded


def summaries_of(analysis: Analysis) -> Summaries:
    found = analysis.memo.get("summaries")
    if found is None:
        found = analysis.memo["summaries"] = Summaries(analysis)
    return found


# -------------------------------------------------------------------------------- propagation


def propagate_input(analysis: Analysis) -> None:
    """Compute ``tainted`` for every scope, tool and request input following calls into the file's
    own functions (parameters seeded by their callers) and back out (return flows)."""
    aliases = analysis.aliases
    summaries = summaries_of(analysis) if len(analysis.scopes) > 1 else None

    def compute(scope: Scope) -> Taint:
        results = functools.partial(summaries.result_carries, scope, INPUT) if summaries is not None else None
        compute_taint(scope, aliases, results)
        return scope.tainted  # type: ignore[return-value]

    def push(scope: Scope, names: Taint) -> list[Scope]:
        woken: list[Scope] = []
        for call in scope.calls:
            callee = summaries.callee(call, scope)  # type: ignore[union-attr]
            if callee is None or callee.parent is None or isinstance(callee.node, ast.Lambda):
                continue
            for param, arg in summaries.arguments(call, callee):  # type: ignore[union-attr]
                if not carries(arg, names, aliases, input_source(scope)):
                    continue
                guards = caller_guards(scope, arg)
                before = callee.guarded_seeds.get(param)
                callee.guarded_seeds[param] = guards if before is None else before & guards
                if param not in callee.seeds:
                    callee.seeds.add(param)
                    callee.origins[param] = origin_of(arg, scope, call)
                    woken.append(callee)
        return woken

    run_worklist(analysis, compute, push if summaries is not None else None)


def run_worklist(analysis: Analysis, compute, push) -> None:
    """Visit every scope (parents first), then again each scope whose parent's names or whose
    seeds changed, at most ``MAX_VISITS_PER_SCOPE`` times each."""
    children: dict[int, list[Scope]] = {}
    for scope in analysis.scopes:
        if scope.parent is not None:
            children.setdefault(id(scope.parent), []).append(scope)
    queue = deque(analysis.scopes)
    queued = {id(s) for s in analysis.scopes}
    visits: dict[int, int] = {}
    last: dict[int, tuple] = {}
    while queue:
        scope = queue.popleft()
        queued.discard(id(scope))
        count = visits.get(id(scope), 0)
        if count >= MAX_VISITS_PER_SCOPE:
            continue
        visits[id(scope)] = count + 1
        names = compute(scope)
        state = (frozenset(names), len(names.keys))
        if last.get(id(scope)) == state:
            continue
        last[id(scope)] = state
        woken = list(children.get(id(scope), ()))
        if push is not None and (len(names) or names.keys):
            woken += push(scope, names)
        for other in woken:
            if id(other) not in queued:
                queued.add(id(other))
                queue.append(other)


def caller_guards(scope: Scope, arg: ast.expr) -> frozenset[str]:
    """The guards that cover ``arg`` in ``scope``: its own checks, or those every caller applied."""
    own = {flag for flag in ("path_guarded", "url_guarded") if getattr(scope, flag)}
    seeded = [scope.guarded_seeds[n.id] for n in ast.walk(arg)
              if isinstance(n, ast.Name) and n.id in scope.guarded_seeds]
    if seeded:
        inherited = frozenset.intersection(*seeded)
        own |= inherited
    return frozenset(own)


def origin_of(arg: ast.expr, scope: Scope, call: ast.Call) -> Origin:
    """Where the input ``arg`` carries comes from, for the message of a finding in a helper."""
    used = [n.id for n in ast.walk(arg) if isinstance(n, ast.Name)]
    for name in used:
        if name in scope.origins:
            return scope.origins[name]
    if scope.is_entry:
        params = entry_parameters(scope.node)  # type: ignore[arg-type]
        name = next((n for n in used if n in params), None)
        kind = "tool" if scope.entry_kind == "tool" else "request"
        if name is not None:
            return Origin(f"{kind} parameter `{name}` of `{scope.name}`", call.lineno)
        return Origin(f"{kind} input of `{scope.name}`", call.lineno)
    if scope.origins:
        return next(iter(scope.origins.values()))
    return Origin(f"request input read in `{scope.name}`", call.lineno)


def secret_names(analysis: Analysis, scope: Scope) -> Taint:
    """The names of ``scope`` holding secret data (computed for the whole file on first use)."""
    table = analysis.memo.get(SECRET)
    if table is None:
        table = analysis.memo[SECRET] = {}
        summaries = summaries_of(analysis)
        aliases = analysis.aliases
        seeds: dict[int, set[str]] = {}

        def compute(s: Scope) -> Taint:
            parent = table.get(id(s.parent), Taint()) if s.parent is not None else Taint()
            results = functools.partial(summaries.result_carries, s, SECRET)
            table[id(s)] = spread(s, set(parent) | seeds.get(id(s), set()), aliases, is_secret_source, results,
                                  parent.keys)
            return table[id(s)]

        def push(s: Scope, names: Taint) -> list[Scope]:
            woken = []
            for call in s.calls:
                callee = summaries.callee(call, s)
                if callee is None or callee.parent is None or isinstance(callee.node, ast.Lambda):
                    continue
                for param, arg in summaries.arguments(call, callee):
                    own = seeds.setdefault(id(callee), set())
                    if param not in own and carries(arg, names, aliases, is_secret_source):
                        own.add(param)
                        woken.append(callee)
            return woken

        run_worklist(analysis, compute, push)
    if id(scope) not in table:  # a lambda scope made on demand
        parent = table.get(id(scope.parent), Taint()) if scope.parent is not None else Taint()
        return parent
    return table[id(scope)]
