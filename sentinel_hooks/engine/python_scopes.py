"""The facts the Python checks keep per function: a :class:`Scope` for the module body and for
each function, the :class:`Analysis` of a file, and the small tree helpers every stage shares
(qualified names, the values a name was given, fast child lists).

A scope records its own calls, the values assigned to each local name (``assigned``), the values put
*into* a container or attribute of a name (``contents``: ``x.append(v)``, ``x[k] = v``,
``x.attr = v``), its ``return`` values, the guards it contains, and the labels its names carry:
``tainted`` (input of a tool or request) and, computed on demand, ``secret`` (environment variables
and credential files; see ``python_taint.is_secret_data``).
"""
from __future__ import annotations

import ast
from sentinel_hooks.records import field, record
from typing import Any, Callable, Iterator, Optional

# a value stored under a constant key (``d["k"] = v``, ``{"k": v}``) or under no known key (None)
Content = tuple[Optional[str], ast.expr]

DEEP = "too deep"


class Taint(set):
    """The local names holding a label in one scope.

    ``keys`` maps a name that holds the label only under some constant keys (``conf["s"] =
    {"b": value}``) to those key paths (``"s.b"``); ``results`` tells whether a call of a function
    of the same file returns the label (inter-procedural summaries; None outside an analysis).
    """

    def __init__(self, names: Any = (), keys: Optional[dict[str, set[str]]] = None,
                 results: Optional[Callable[[ast.Call, "Taint", dict[str, str]], bool]] = None) -> None:
        super().__init__(names)
        self.keys: dict[str, set[str]] = keys or {}
        self.results = results

    def __bool__(self) -> bool:
        return bool(len(self)) or bool(self.keys)


@record(eq=False)
class Scope:
    """A function (or the module body): its own calls, local assignments and what is tainted."""

    node: ast.AST
    parent: Optional["Scope"]
    is_entry: bool = False
    entry_kind: str = ""  # "tool" or "request" for an entry point
    user_prompt: bool = False  # a low-level get_prompt handler: its ``arguments`` are typed by the user
    calls: list[ast.Call] = field(default_factory=list)
    assigned: dict[str, list[ast.expr]] = field(default_factory=dict)
    contents: dict[str, list[Content]] = field(default_factory=dict)
    returns: list[ast.expr] = field(default_factory=list)
    computed_taint: Optional[set[str]] = None  # ``tainted`` once set (see the property)
    path_guarded: bool = False
    url_guarded: bool = False
    allow_listed: set[str] = field(default_factory=set)  # names checked against a constant collection
    class_node: Optional[ast.ClassDef] = None  # the class a method belongs to
    # a parameter tainted by the callers of this function -> where the input came from
    origins: dict[str, "Origin"] = field(default_factory=dict)
    seeds: set[str] = field(default_factory=set)  # parameters the callers pass tainted values to
    guarded_seeds: dict[str, frozenset[str]] = field(default_factory=dict)  # guards every such caller had
    file: Optional["Analysis"] = None  # the analysis this scope belongs to
    params: Optional[frozenset[str]] = None  # its parameter names, once looked up

    @property
    def name(self) -> str:
        return getattr(self.node, "name", "<module>")

    @property
    def tainted(self) -> set[str]:
        """The names holding tool or request input. The file's taint (every scope, following calls
        between its functions) is computed when a check first asks, so files whose checks never
        reach a candidate sink skip it."""
        file = self.file
        if file is not None and file.taint_pending:
            if file.taint_pending == DEEP:
                raise RecursionError("taint of a file nested too deep")  # as on the first attempt
            if self.computed_taint is None:
                file.taint_pending = False
                try:
                    file.compute_taint(file)  # type: ignore[misc]
                except RecursionError:
                    file.taint_pending = DEEP
                    raise
        if self.computed_taint is None:
            self.computed_taint = Taint()
        return self.computed_taint

    @tainted.setter
    def tainted(self, value: set[str]) -> None:
        self.computed_taint = value


@record(frozen=True)
class Origin:
    """Where a parameter's tainted value comes from: ``tool parameter `url` of `fetch_page```,
    passed on at ``line`` of the file (the call into the first helper)."""

    what: str
    line: int


@record
class Analysis:
    source: str  # the text analysed (before its functions without candidates were blanked)
    aliases: dict[str, str]
    shadowed: set[str]
    scopes: list[Scope]
    module: Scope
    ordered_calls: list[tuple[Scope, ast.Call, str]] = field(default_factory=list)
    line_offset: int = 0  # file line of the parsed text's first line, minus one
    column_offset: int = 0  # file column of its first character, minus one
    memo: dict[Any, Any] = field(default_factory=dict)  # per-file facts computed on demand
    scope_of_call: dict[int, Scope] = field(default_factory=dict)  # id(call) -> scope holding it
    # taint of every scope, computed on the first ``Scope.tainted`` read while pending
    taint_pending: bool | str = False  # True until computed; DEEP when expressions nest too deep
    compute_taint: Optional[Callable[["Analysis"], None]] = None
    call_names: dict[int, str] = field(default_factory=dict)  # id(call) -> qualified callee name
    _lines: Optional[list[str]] = field(default=None, repr=False)

    @property
    def lines(self) -> list[str]:
        """The source's lines, split when a hit first needs them (most analyses report nothing)."""
        if self._lines is None:
            self._lines = self.source.splitlines()
        return self._lines


# fields that never hold a node (names, flags), hold only an expression context or an operator (Load,
# Add, Eq: nodes without children that carry nothing the checks use), or hold only names (``global a, b``)
_LEAF_FIELDS = {"ctx", "id", "attr", "arg", "name", "module", "level", "kind", "type_comment", "conversion",
                "is_async", "simple", "op", "ops"}
_NAME_LISTS = {(ast.Global, "names"), (ast.Nonlocal, "names"), (getattr(ast, "MatchClass", None), "kwd_attrs")}
# list fields that hold only nodes (others may hold None: ``Dict.keys`` for ``**other``, ``kw_defaults``)
_NODE_LISTS = {"body", "orelse", "finalbody", "handlers", "args", "keywords", "elts", "values", "targets",
               "decorator_list", "bases", "comparators", "generators", "ifs", "items", "cases", "patterns",
               "posonlyargs", "kwonlyargs", "defaults"}
# per node type: its child fields in field order, each with how to read it (``LIST``; ``OPTIONAL_LIST``: a
# list that may hold something else than nodes; ``SINGLE``: a node, None or a plain value)
LIST, OPTIONAL_LIST, SINGLE = 0, 1, 2
CHILD_PLANS: dict[type, tuple[tuple[str, int], ...]] = {ast.Constant: ()}
_BLOCK_FIELDS: dict[type, tuple[str, ...]] = {}


def own_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes below ``node`` that belong to it: nested functions, classes and lambdas are left out."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        yield n
        stack.extend(ast.iter_child_nodes(n))


def child_plan(node: ast.AST) -> tuple[tuple[str, int], ...]:
    """How to read the children of nodes of ``node``'s type (learnt from ``node``: a field the parser
    fills with a list always holds a list)."""
    kind = type(node)
    plan = CHILD_PLANS.get(kind)
    if plan is None:
        fields = []
        for name in kind._fields:
            if name in _LEAF_FIELDS or (kind, name) in _NAME_LISTS:
                continue
            value = getattr(node, name, None)
            if isinstance(value, list):
                fields.append((name, LIST if name in _NODE_LISTS else OPTIONAL_LIST))
            else:
                fields.append((name, SINGLE))
        plan = CHILD_PLANS[kind] = tuple(fields)
    return plan


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes`` as a list, in the same order, without expression contexts and operators
    (Load/Store, Add/Eq carry nothing the checks use); several times faster."""
    out: list[ast.AST] = []
    add_nodes(node, out)
    return out


def add_nodes(node: ast.AST, out: list[ast.AST]) -> None:
    """Append the children of ``node`` to ``out`` (as ``child_nodes`` lists them)."""
    plan = CHILD_PLANS.get(type(node))
    if plan is None:
        plan = child_plan(node)
    for name, how in plan:
        value = getattr(node, name, None)
        if how == LIST:
            out.extend(value)
        else:
            add_field(value, out)


def add_field(value: object, out: list[ast.AST]) -> None:
    """Append the nodes a field holds (a node, a list that may hold None or names, or a plain value)."""
    if isinstance(value, ast.AST):
        out.append(value)
    elif isinstance(value, list):
        out.extend([item for item in value if isinstance(item, ast.AST)])


def statement_lists(node: ast.AST) -> list[ast.AST]:
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


def walk_kept(tree: ast.AST, keep) -> Iterator[ast.AST]:
    """Every statement, not descending into functions ``keep`` rejects (the def itself is
    yielded); in the order a depth-first walk of all nodes would meet them."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not keep(node):
            continue
        stack.extend(statement_lists(node))


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


def lookup(name: str, scope: Optional[Scope]) -> list[ast.expr]:
    """Values assigned to ``name`` in the innermost scope that assigns it; none when a function on the
    way takes ``name`` as a parameter (its value is the caller's, not an outer assignment's)."""
    while scope is not None:
        if name in scope.assigned:
            return scope.assigned[name]
        if scope.params is None:
            scope.params = parameter_names(scope.node)
        if name in scope.params:
            return []
        scope = scope.parent
    return []


def parameter_names(node: ast.AST) -> frozenset[str]:
    """The parameter names of a function or lambda (not cached by node: such a cache kept every
    analysed tree alive; ``lookup`` keeps them per scope)."""
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return frozenset()
    a = node.args
    return frozenset(p.arg for p in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if p is not None)


def positional_parameters(node: ast.AST) -> list[str]:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return []
    return [p.arg for p in (*node.args.posonlyargs, *node.args.args)]


def resolved(node: ast.expr, scope: Scope) -> list[ast.expr]:
    """The expression itself, or the values a local name was given."""
    if isinstance(node, ast.Name):
        values = lookup(node.id, scope)
        return values or [node]
    return [node]


def constant_key(node: ast.expr) -> Optional[str]:
    """The text of a constant subscript key (``"k"``, ``0``), or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int)) and not isinstance(node.value, bool):
        return str(node.value)
    return None
