"""Argument injection: tool or request input placed as its own element of a program's argument list
(``subprocess.run(["git", "clone", url])``, ``asyncio.create_subprocess_exec("git", "log", ref)``),
passed to GitPython (``repo.git.<command>(x)``, ``Repo.clone_from(x, ...)``) with no ``--`` before it and
no leading-dash check: a value such as ``--upload-pack=touch /tmp/x`` or ``--output=/etc/passwd`` becomes
an option of the program. No shell is involved (the shell checks report those).

An element is safe when it cannot start with ``-``: a constant, a string with a constant start
(``f"--branch={x}"``, ``"origin/" + x``), a number, or a name checked in the function with
``startswith("-")``, a regular expression or an allow-list.
"""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterable, Optional

from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.detectors.python_ast import Analysis, Scope, direct_input, is_tainted, \
    lookup, make_hit, scoped_calls, survives_deep_nesting
from sentinel_hooks.engine.detectors.python_sinks import INPUT_GATE
from sentinel_hooks.engine.detectors.python_full_analysis import gated_analysis, whole_files
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.text_gate import Gate
from sentinel_hooks.findings import Confidence

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.units import TextUnit

LIST_RUNNERS = {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
                "subprocess.Popen", "os.execv", "os.execvp", "os.execve", "os.execvpe", "os.spawnv", "os.spawnvp"}
VARARG_RUNNERS = {"asyncio.create_subprocess_exec", "os.execl", "os.execlp", "os.spawnl", "os.spawnlp",
                  "anyio.run_process", "trio.run_process"}
CLONE_FUNCS = {"git.Repo.clone_from", "Repo.clone_from", "git.repo.base.Repo.clone_from"}
DASH_CHECK_METHODS = {"startswith", "lstrip", "match", "fullmatch", "search"}
ARGUMENT_GATE = Gate(re.compile(r"subprocess|create_subprocess_exec|run_process|exec[lv]p?e?\(|spawn[lv]|"
                                r"clone_from|\.git\."), ("subprocess", "create_subprocess_exec", "run_process",
                                                         "exec", "spawn", "clone_from", ".git."))
DEPTH = 5


@detector("python-argument-injection")
@survives_deep_nesting
@whole_files
def argument_injection(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    analysis = gated_analysis(unit, ARGUMENT_GATE, INPUT_GATE)
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        if not scope.tainted:
            continue
        arguments = _argument_list(call, name, scope, analysis)
        if arguments is None:
            continue
        program, elements = arguments
        for element in elements:
            if isinstance(element, ast.Constant) and element.value == "--":
                break  # everything after it is an operand
            if not _may_start_with_dash(element, scope, analysis):
                continue
            yield make_hit(analysis, call, f"tool or request input can become an option of {program} "
                           "(no '--' before it, no leading-dash check)",
                           Confidence.HIGH if direct_input(element, scope) else Confidence.MEDIUM, True)
            break


def _argument_list(call: ast.Call, name: str, scope: Scope, analysis: Analysis
                   ) -> Optional[tuple[str, list[ast.expr]]]:
    """The program and the elements after it that a call passes, when they are visible here."""
    if name in LIST_RUNNERS:
        if any(k.arg == "shell" for k in call.keywords) or not call.args:
            return None
        listed = _list_value(call.args[1] if name.startswith(("os.execv", "os.spawnv")) and len(call.args) > 1
                             else call.args[0], scope)
        if not listed or not _is_constant_text(listed[0]):
            return None
        return repr(listed[0].value), listed[1:]  # type: ignore[attr-defined]
    if name in VARARG_RUNNERS:
        if not call.args or not _is_constant_text(call.args[0]):
            if call.args and name == "anyio.run_process":
                listed = _list_value(call.args[0], scope)
                if listed and _is_constant_text(listed[0]):
                    return repr(listed[0].value), listed[1:]  # type: ignore[attr-defined]
            return None
        start = 2 if name.startswith(("os.execl", "os.spawnl")) else 1
        return repr(call.args[0].value), list(call.args[start:])  # type: ignore[attr-defined]
    if name in CLONE_FUNCS or name.endswith(".clone_from"):
        return "git clone", list(call.args[:1])
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute) and func.value.attr == "git" \
            and not func.attr.startswith("_"):
        return f"git {func.attr.replace('_', '-')}", [a for a in call.args if not isinstance(a, ast.Starred)]
    return None


def _list_value(node: ast.expr, scope: Scope, depth: int = 0) -> Optional[list[ast.expr]]:
    if isinstance(node, (ast.List, ast.Tuple)):
        out: list[ast.expr] = []
        for elt in node.elts:
            if isinstance(elt, ast.Starred):
                inner = _list_value(elt.value, scope, depth + 1)
                if inner is None:
                    return out or None
                out.extend(inner)
            else:
                out.append(elt)
        return out
    if isinstance(node, ast.Name) and depth < DEPTH:
        values = lookup(node.id, scope)
        if len(values) == 1:
            return _list_value(values[0], scope, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _list_value(node.left, scope, depth + 1), _list_value(node.right, scope, depth + 1)
        if left is not None:
            return left + (right or [])
    return None


def _is_constant_text(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _may_start_with_dash(node: ast.expr, scope: Scope, analysis: Analysis) -> bool:
    """Tainted, and nothing fixes its first character or checks it for a leading dash."""
    if not is_tainted(node, scope.tainted, analysis.aliases):
        return False
    if isinstance(node, ast.JoinedStr):  # f"--depth={x}" or f"refs/heads/{x}": the start is fixed
        first = node.values[0] if node.values else None
        return not (isinstance(first, ast.Constant) and str(first.value))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and _is_constant_text(node.left):
        return not node.left.value  # type: ignore[attr-defined]
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    if names & scope.allow_listed or names & _dash_checked(scope):
        return False
    return True


def _dash_checked(scope: Scope) -> set[str]:
    """Names this function tests for a leading dash or against a pattern (``x.startswith("-")``,
    ``re.fullmatch(PATTERN, x)``, ``x.lstrip("-")``)."""
    checked: set[str] = set()
    for call in scope.calls:
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr not in DASH_CHECK_METHODS:
            continue
        if func.attr in ("startswith", "lstrip"):
            if isinstance(func.value, ast.Name) and any(
                    isinstance(a, ast.Constant) and isinstance(a.value, str) and a.value.startswith("-")
                    for a in ast.walk(call) if a is not func.value):
                checked.add(func.value.id)
        else:
            checked |= {a.id for a in call.args if isinstance(a, ast.Name)}
    return checked
