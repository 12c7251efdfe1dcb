"""What an MCP tool hands over by design: the program it runs, and the secrets it returns to the model.

* ``python-program-from-input``: the program of a process (the first item of a ``subprocess`` argument
  list, ``[command] + args``, the file of ``os.exec*``/``os.spawn*``, ``asyncio.create_subprocess_exec``)
  comes from tool or request input. No shell is involved, so the shell checks stay silent, yet the caller
  chooses what runs. A program checked against a constant allow-list is not reported.
* ``python-tool-returns-secrets``: a tool (or route) returns the whole process environment
  (``os.environ``, ``dict(os.environ)``, ``os.environ.items()`` ...), an environment variable named like a
  credential (``os.getenv("AWS_SECRET_ACCESS_KEY")``) or the content of a credential file (``~/.ssh/id_rsa``,
  ``~/.aws/credentials``, ``.env``, ...). What a tool returns goes to the model and the client: the
  secrets leave the machine with it. Values are followed through local assignments, loops over the
  environment, containers filled with ``append``/``update``/item assignment and ``with open(...) as f``.
"""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from sentinel_hooks.findings import Confidence
from sentinel_hooks.engine.credential_paths import CREDENTIAL_FILE
from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.detectors.python_ast import (
    Analysis, Scope, analysis_of, first_argument, is_tainted, is_true, keyword, make_hit, qualified_name,
    resolved, scoped_calls, survives_deep_nesting,
)
from sentinel_hooks.engine.detectors.python_sinks import INPUT_GATE
from sentinel_hooks.engine.patterns import lazy
from sentinel_hooks.engine.python_sources import FILE_READS, credential_path
from sentinel_hooks.engine.text_gate import Gate

if TYPE_CHECKING:
    from sentinel_hooks.engine.hits import Hit
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.units import TextUnit

PROGRAM_GATE = Gate(lazy(r"subprocess|execv|execl|spawn"), ("subprocess", "execv", "execl", "spawn"), anchored=True)
_SECRET_WORDS = ("environ", "getenv", ".ssh", ".aws", ".env", "netrc", "id_rsa", "id_ed25519", "credentials",
                 ".kube", ".docker", ".pgpass", ".npmrc", ".pypirc")
SECRETS_GATE = Gate(lazy("|".join(re.escape(w) for w in _SECRET_WORDS)), _SECRET_WORDS, anchored=True)

ARGV_CALLS = {"subprocess.run", "subprocess.Popen", "subprocess.call", "subprocess.check_call",
              "subprocess.check_output"}
PROGRAM_FIRST = {"asyncio.create_subprocess_exec", "os.execv", "os.execve", "os.execvp", "os.execvpe",
                 "os.execl", "os.execle", "os.execlp", "os.execlpe", "os.posix_spawn", "os.posix_spawnp"}
PROGRAM_SECOND = {"os.spawnv", "os.spawnve", "os.spawnvp", "os.spawnvpe", "os.spawnl", "os.spawnle",
                  "os.spawnlp", "os.spawnlpe"}

ENVIRON = "os.environ"
WHOLE_ENV_METHODS = {"copy", "items", "values"}
GETENV = {"os.getenv", "os.environ.get"}
SECRET_VARIABLE = lazy(r"(?i)(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|CREDENTIAL|PRIVATE|AUTH|SESSION|COOKIE)")
READ_METHODS = {"read_text", "read_bytes"}
KEY_ONLY_CALLS = {"sorted", "list", "set", "frozenset", "tuple", "len", "enumerate", "any", "all"}
FILL_METHODS = {"append", "extend", "update", "add", "insert", "setdefault", "write"}

WHOLE, NAMED, FILE = "the whole process environment", "a credential environment variable", "a credential file"


# ------------------------------------------------------------------------------------- program


def program_of(call: ast.Call, name: str, scope: Scope) -> Optional[ast.expr]:
    if name in ARGV_CALLS:
        argv = first_argument(call, "args")
        if isinstance(argv, ast.Name):
            # a local list: its first item, as written where the list was made (later appends add arguments)
            literals = [v for v in resolved(argv, scope) if isinstance(v, (ast.List, ast.Tuple))]
            if literals:
                argv = literals[0]
        if isinstance(argv, ast.BinOp) and isinstance(argv.op, ast.Add):
            argv = argv.left  # [command] + args
        if isinstance(argv, (ast.List, ast.Tuple)):
            return argv.elts[0] if argv.elts and not isinstance(argv.elts[0], ast.Starred) else None
        return argv  # a whole list (or a string naming the program) from elsewhere
    if name in PROGRAM_FIRST:
        return call.args[0] if call.args else None
    if name in PROGRAM_SECOND:
        return call.args[1] if len(call.args) > 1 else None
    return None


def allow_listed(node: ast.expr, scope: Scope) -> bool:
    return isinstance(node, ast.Name) and node.id in scope.allow_listed


@detector("python-program-from-input")
@survives_deep_nesting
def program_from_input(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """The program a process runs is chosen by tool or request input (no shell needed)."""
    analysis = analysis_of(unit, PROGRAM_GATE, INPUT_GATE)  # no input, no taint: the file need not be parsed
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        if not scope.tainted or is_true(keyword(call, "shell")):
            continue  # no input here, or a shell: the shell checks report it
        program = program_of(call, name, scope)
        if program is None or allow_listed(program, scope):
            continue
        if is_tainted(program, scope.tainted, analysis.aliases):
            yield make_hit(analysis, call, f"{name}() runs a program named by the input of the tool or request",
                           Confidence.HIGH, True)


# ------------------------------------------------------------------------------------- secrets


def secret_kind(node: ast.AST, aliases: dict[str, str], secret_names: dict[str, str]) -> Optional[str]:
    """What secret ``node`` holds or contains: WHOLE, NAMED, FILE, or None."""
    found: Optional[str] = None
    for sub in ast.walk(node):
        kind = _own_secret(sub, aliases, secret_names)
        if kind == WHOLE:
            return WHOLE
        found = found or kind
    return found


def _own_secret(node: ast.AST, aliases: dict[str, str], secret_names: dict[str, str]) -> Optional[str]:
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
        return secret_names.get(node.id)
    if isinstance(node, ast.Call):
        name = qualified_name(node.func, aliases)
        if name in GETENV:
            key = node.args[0] if node.args else None
            return NAMED if _constant_secret_name(key) else None
        if name == "dict" and node.args and qualified_name(node.args[0], aliases) == ENVIRON:
            return WHOLE
        if isinstance(node.func, ast.Attribute) and qualified_name(node.func.value, aliases) == ENVIRON:
            return WHOLE if node.func.attr in WHOLE_ENV_METHODS else None
        if name in FILE_READS and node.args and credential_path(node.args[0], CREDENTIAL_FILE):
            return FILE
        if isinstance(node.func, ast.Attribute) and node.func.attr in READ_METHODS and credential_path(
                node.func.value, CREDENTIAL_FILE):
            return FILE
        return None
    if isinstance(node, ast.Subscript) and qualified_name(node.value, aliases) == ENVIRON:
        return NAMED if _constant_secret_name(node.slice) else None
    return None


def _constant_secret_name(node: Optional[ast.AST]) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(SECRET_VARIABLE.search(node.value))


def _bare_environ(node: ast.AST, aliases: dict[str, str], parents: dict[int, ast.AST]) -> bool:
    """``os.environ`` used as a value (returned, serialised, spread), not indexed or asked for one key."""
    if not isinstance(node, (ast.Name, ast.Attribute)) or qualified_name(node, aliases) != ENVIRON:
        return False
    parent = parents.get(id(node))
    if isinstance(parent, ast.Subscript) and parent.value is node:
        return False
    if isinstance(parent, ast.Attribute):
        return False  # a method: decided by _own_secret
    if isinstance(parent, ast.Compare):
        return False  # "X" in os.environ
    if isinstance(parent, (ast.For, ast.AsyncFor, ast.comprehension)) and parent.iter is node:
        return False  # iterating it yields the names only
    if isinstance(parent, ast.Call) and node in parent.args and (
            isinstance(parent.func, ast.Name) and parent.func.id in KEY_ONLY_CALLS
            or isinstance(parent.func, ast.Attribute) and parent.func.attr == "join"):
        return False  # sorted(os.environ), ", ".join(os.environ): the names only
    return True


def tool_functions(analysis: Analysis) -> Iterator[Scope]:
    for scope in analysis.scopes:
        if scope.is_entry and isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield scope


class FunctionSecrets:
    """The secrets of one function: the local names holding them (followed to a fixed point through
    assignments, loops, containers and ``with`` targets) and the secret a value of it holds."""

    def __init__(self, fn: ast.AST, aliases: dict[str, str]):
        self.aliases = aliases
        self.parents = {id(child): parent for parent in ast.walk(fn) for child in ast.iter_child_nodes(parent)}
        self.names: dict[str, str] = {}
        for _ in range(4):
            if not self._propagate(fn):
                break

    def kind_of(self, node: ast.AST) -> Optional[str]:
        """WHOLE, NAMED, FILE or None for an expression of the function."""
        if any(_bare_environ(n, self.aliases, self.parents) for n in ast.walk(node)):
            return WHOLE
        return secret_kind(node, self.aliases, self.names)

    def _mark(self, target: ast.AST, kind: str) -> bool:
        changed = False
        for n in ast.walk(target):
            if not isinstance(n, ast.Name):
                continue
            current = self.names.get(n.id)
            new = kind if current is None or kind == WHOLE else current
            if new != current:
                self.names[n.id] = new
                changed = True
        return changed

    def _propagate(self, fn: ast.AST) -> bool:
        """One pass over the function; whether a name gained or raised its label."""
        changed = False
        for node in ast.walk(fn):
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                kind = self.kind_of(node.value)
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if kind:
                    for t in targets:
                        changed |= self._mark(t.value if isinstance(t, ast.Subscript) else t, kind)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                kind = _loop_kind(node.iter, self.aliases, self.names)
                if kind:
                    changed |= self._mark(_value_target(node.target), kind)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    kind = self.kind_of(item.context_expr)
                    if kind and item.optional_vars is not None:
                        changed |= self._mark(item.optional_vars, kind)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in FILL_METHODS and isinstance(node.func.value, ast.Name):
                kinds = [self.kind_of(a) for a in [*node.args, *(k.value for k in node.keywords)]]
                kind = WHOLE if WHOLE in kinds else next((k for k in kinds if k), None)
                if kind:
                    changed |= self._mark(node.func.value, kind)
        return changed


def _loop_kind(iterable: ast.AST, aliases: dict[str, str], names: dict[str, str]) -> Optional[str]:
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute) and \
            iterable.func.attr in ("items", "values") and qualified_name(iterable.func.value, aliases) == ENVIRON:
        return WHOLE
    if isinstance(iterable, ast.Name):
        return names.get(iterable.id)
    return None


def _value_target(target: ast.AST) -> ast.AST:
    """For ``for key, value in ...items()`` the value; otherwise the whole target."""
    if isinstance(target, ast.Tuple) and len(target.elts) == 2:
        return target.elts[1]
    return target


@detector("python-tool-returns-secrets")
@survives_deep_nesting
def tool_returns_secrets(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """A tool returns the environment, a credential variable or a credential file to its caller."""
    analysis = analysis_of(unit, SECRETS_GATE, INPUT_GATE)  # a file without a tool or route has no entry point
    if analysis is None:
        return
    for scope in tool_functions(analysis):
        fn = scope.node
        secrets = FunctionSecrets(fn, analysis.aliases)
        for node in ast.walk(fn):
            if not isinstance(node, (ast.Return, ast.Yield)) or node.value is None:
                continue
            kind = secrets.kind_of(node.value)
            if kind is None:
                continue
            confidence = Confidence.HIGH if kind in (WHOLE, FILE) else Confidence.MEDIUM
            yield make_hit(analysis, node, f"the tool `{fn.name}` returns {kind} to its caller",  # type: ignore[attr-defined]
                           confidence, True)
            break  # one finding per tool
