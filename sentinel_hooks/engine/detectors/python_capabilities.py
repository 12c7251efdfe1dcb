"""Capability versus description: what an MCP tool's body can do (send data over the network and to
where, write or delete files, run programs, read secrets), against what its name, description and
parameters say. A tool whose text names none of a dangerous family's words (``capability_words``) is
reported at the call that shows the capability.

Capabilities come from the tool function and the local functions it calls (by name or ``self.name``),
three calls deep. Network means a send (a request with a body, POST/PUT/PATCH, e-mail, a socket, a DNS
name built from data), not a plain fetch; secrets means the whole environment or a credential file, not
one variable. Tools without any description are left to the metadata checks.
"""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterable, Optional

from sentinel_hooks.engine import python_tree
from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.detectors.capability_words import CAPABILITY_PHRASES, CAPABILITY_WORDS
from sentinel_hooks.engine.detectors.python_ast import Analysis, Scope, lookup, make_hit, may_count_in, \
    qualified_name, survives_deep_nesting
from sentinel_hooks.engine.detectors.python_outbound import READ_CALLS, carries_secret_data, outbound_send
from sentinel_hooks.engine.detectors.python_full_analysis import gated_analysis, whole_files
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.text_gate import Gate
from sentinel_hooks.findings import Confidence, Severity

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.tool_metadata.model import ToolDecl
    from sentinel_hooks.engine.units import TextUnit

EXEC_CALLS = {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
              "subprocess.Popen", "subprocess.getoutput", "subprocess.getstatusoutput", "os.system", "os.popen",
              "os.execv", "os.execvp", "os.execl", "os.execlp", "os.execve", "os.spawnv", "os.spawnl",
              "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell", "pty.spawn", "eval", "exec"}
WRITE_CALLS = {"os.remove", "os.unlink", "os.rmdir", "os.removedirs", "os.rename", "os.replace", "os.truncate",
               "shutil.rmtree", "shutil.move", "shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.copytree"}
WRITE_METHODS = {"write_text", "write_bytes", "unlink", "rmdir", "touch"}  # not replace/rename: str has them
OPENERS = {"open", "io.open", "aiofiles.open", "codecs.open", "os.fdopen"}
TOOL_GATE = Gate(re.compile(r"@[\w.]*\b(?:tool|call_tool)\b"), ("@",), anchored=True)
SEVERE = {"execution", "secrets", "environment"}
DEPTH = 3


@detector("tool-undisclosed-capability")
@survives_deep_nesting
@whole_files
def undisclosed_capabilities(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    analysis = gated_analysis(unit, TOOL_GATE)
    if analysis is None:
        return
    tree = python_tree.tree_of(unit)
    if tree is None:
        return
    from sentinel_hooks.engine.tool_metadata.imported import Imports
    from sentinel_hooks.engine.tool_metadata.python_tools import python_tools

    decls: Optional[dict[int, ToolDecl]] = None  # by declaration line, read once a tool may report
    functions: dict[str, list[Scope]] = {}
    for scope in analysis.scopes:
        if isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions.setdefault(scope.node.name, []).append(scope)
    own: dict[int, dict[str, tuple[ast.Call, str]]] = {}

    def capabilities(scope: Scope) -> dict[str, tuple[ast.Call, str]]:
        if id(scope) not in own:
            own[id(scope)] = _own_capabilities(scope, analysis)
        return own[id(scope)]

    for scope in analysis.scopes:
        node = scope.node
        if not scope.is_entry or not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if not may_count_in(unit, analysis, scope):  # its hits are calls in the tool (a diff it does not reach)
            continue
        if decls is None:
            modules = unit.file().modules  # descriptions imported from other modules of the repository count too
            imports = Imports(modules, unit.path) if modules is not None else None
            decls = {d.declaration_span.line: d for d in python_tools(unit.full_text(), tree, imports=imports)}
        decl = next((decls[line] for line in _def_lines(node) if line in decls), None)
        if decl is None or not (decl.description or "").strip():
            continue
        found = dict(capabilities(scope))
        for call, helpers in _helper_calls(scope, functions):  # the evidence is the call in the tool
            for helper in helpers:
                for family, (_inner, evidence) in _reach(helper, functions, capabilities).items():
                    found.setdefault(family, (call, evidence))
        if not found:
            continue
        text = _words(" ".join([decl.name, decl.description or "",
                                *(f"{p.name} {p.description}" for p in decl.params)]))
        for family, (call, evidence) in sorted(found.items(), key=lambda kv: kv[1][0].lineno):
            if _discloses(text, family) or (family == "execution" and _command_named(evidence, text)):
                continue  # the words of the command line it runs: "clone_repo" running git clone
            hit = make_hit(analysis, call, f"tool '{decl.name}' can {CAPABILITY_PHRASES[family]} ({evidence}) but "
                           "its description does not say so", Confidence.MEDIUM, False)
            if family in SEVERE:
                hit.severity = Severity.HIGH
            yield hit


def _def_lines(node: ast.AST) -> list[int]:
    return [node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]  # type: ignore[attr-defined]


def _own_capabilities(scope: Scope, analysis: Analysis) -> dict[str, tuple[ast.Call, str]]:
    found: dict[str, tuple[ast.Call, str]] = {}
    for call in sorted(scope.calls, key=lambda c: (c.lineno, c.col_offset)):  # the first evidence of each
        name = qualified_name(call.func, analysis.aliases)
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if name in EXEC_CALLS and ("." in name or name not in analysis.shadowed):
            program = _program_words(call)
            found.setdefault("execution", (call, f"{name}({' '.join(program[:2])})" if program else f"{name}()"))
        elif (name in WRITE_CALLS or method in WRITE_METHODS and not name.startswith(("os.path", "str")) or (
                (name in OPENERS and _writes(call)))) and not _temporary(call, scope):
            found.setdefault("file_write", (call, f"{name or method}()"))
        send = outbound_send(call, name, scope, analysis)
        if send is not None and send.sends_data:
            where = f" to {send.host}" if send.host else ""
            found.setdefault("network", (call, f"{send.family}{where}"))
        reads = name in READ_CALLS or method in READ_CALLS  # the read itself: open("~/.ssh/id_rsa").read()
        for arg in [call] if reads else [*call.args, *(k.value for k in call.keywords)]:
            secret = carries_secret_data(arg, scope, analysis)
            if secret:
                found.setdefault("environment" if secret == "the environment" else "secrets", (call, secret))
                break
    return found


def _command_named(evidence: str, text: list[str]) -> bool:
    words = {w for w in _words(evidence) if len(w) > 2} - {"subprocess", "run", "popen", "system", "http", "https",
                                                           "the", "and", "bin"}
    return bool(words & set(text))


def _program_words(call: ast.Call) -> list[str]:
    """The constant words of the command line a process call runs (``["git", "clone", url]``)."""
    args = call.args[0].elts if call.args and isinstance(call.args[0], (ast.List, ast.Tuple)) else call.args
    return [a.value for a in args if isinstance(a, ast.Constant) and isinstance(a.value, str)
            and not a.value.startswith("-")]


def _temporary(call: ast.Call, scope: Scope, depth: int = 0) -> bool:
    """A write or delete of a temporary file (``tempfile``, ``gettempdir()``, ``/tmp``): housekeeping."""
    target = call.args[0] if call.args and not isinstance(call.func, ast.Attribute) or (
        call.args and isinstance(call.func, ast.Attribute) and call.func.attr not in WRITE_METHODS) else (
        call.func.value if isinstance(call.func, ast.Attribute) else None)
    return target is not None and _mentions_temp(target, scope, 0)


def _mentions_temp(node: ast.expr, scope: Scope, depth: int) -> bool:
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value.startswith(("/tmp", "/var/tmp")):
            return True
        if isinstance(n, (ast.Name, ast.Attribute)) and re.search(r"(?i)^(?:tempfile|gettempdir|mkdtemp|mkstemp|"
                                                                     r"NamedTemporaryFile|TemporaryDirectory)$",
                                                                     n.id if isinstance(n, ast.Name) else n.attr):
            return True
        if isinstance(n, ast.Name) and depth < DEPTH and any(
                _mentions_temp(v, scope, depth + 1) for v in lookup(n.id, scope) if v is not node):
            return True
    return False


def _writes(call: ast.Call) -> bool:
    mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and bool(set(mode.value) & set("wax+"))


def _helper_calls(scope: Scope, functions: dict[str, list[Scope]]) -> list[tuple[ast.Call, list[Scope]]]:
    out = []
    for call in scope.calls:
        func = call.func
        name = func.id if isinstance(func, ast.Name) else (
            func.attr if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and
            func.value.id in ("self", "cls") else "")
        helpers = [s for s in functions.get(name, []) if s is not scope]
        if helpers:
            out.append((call, helpers))
    return out


def _reach(scope: Scope, functions: dict[str, list[Scope]], capabilities, depth: int = 1,
           seen: Optional[set[int]] = None) -> dict[str, tuple[ast.Call, str]]:
    seen = set() if seen is None else seen
    seen.add(id(scope))
    found = dict(capabilities(scope))
    if depth < DEPTH:
        for call, helpers in _helper_calls(scope, functions):
            for helper in helpers:
                if id(helper) not in seen:
                    for family, value in _reach(helper, functions, capabilities, depth + 1, seen).items():
                        found.setdefault(family, value)
    return found


def _words(text: str) -> list[str]:
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text.lower().replace("_", " "))


def _discloses(words: list[str], family: str) -> bool:
    return any(w.startswith(CAPABILITY_WORDS[family]) for w in words)
