"""Python checks that need the syntax tree: code and command execution, SQL, deserialisation,
path traversal, SSRF and unescaped markup.

Each check is a detector (``python-eval``, ``python-shell``, ``python-sql``,
``python-deserialization``, ``python-torch-load``, ``python-path-traversal``, ``python-ssrf``,
``python-markup``) over one ``Analysis`` of the file (``engine/python_analysis.py``), and every hit
carries the span of the offending call in whole-file coordinates, so a window of a file reports only
the calls it overlaps.

What the tree tells us:

* whether an argument is a constant string, a string *built* at run time (f-string with
  placeholders, ``+`` with a non-literal, ``%`` formatting, ``.format``, ``str.join``), or an opaque
  value; a local name is followed to the values assigned to it in the same function (or module);
* keywords such as ``shell=True``, ``Loader=...`` and ``weights_only=True``; a shell run through an
  argument list (``["sh", "-c", f"... {x}"]``, built with ``.append``/``+=`` too);
* whether a value derives from input of the outside world (``engine/python_sources.py``: MCP tool
  parameters, HTTP request input), following assignments, containers and wrappers
  (``engine/python_taint.py``) and the file's own functions (``engine/python_summaries.py``): a tool
  that passes its ``url`` to a helper calling ``requests.get`` is reported at the call in the helper,
  and the message names the tool parameter and the line where it was passed on;
* whether the same function (or every caller that passed the value) contains a containment check
  (``resolve()`` + ``is_relative_to``, ``commonpath``, ``startswith``, a ``..`` test, a helper named
  like a validator) or a URL allow-list (``urlparse``, ``.hostname``/``.netloc``, names with
  ``allow``/``trusted``).

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

The analysis helpers other check modules build on stay importable from here with the same meaning:
``analysis_of``, ``scoped_calls``, ``is_tainted``, ``Scope`` (``scope.tainted``), ``make_hit``,
``first_argument``, ``qualified_name``; ``is_secret_data`` labels environment variables and
credential files.
"""
from __future__ import annotations

import ast
import bisect
import functools
import re
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Optional

from sentinel_hooks.engine import constant_eval, python_tree
from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.detectors.python_sinks import (ALWAYS_SHELL, CLIENT_NAME, NON_HTTP_CLIENT, CONTENT_LIMIT,
                                                          DESERIALIZATION_GATE, EVAL_FUNCS, EVAL_GATE, FIXED_HOST,
                                                          HTTP_FUNCS, HTTP_METHODS, INPUT_GATE, LIST_SHELLS,
                                                          MARKUP_FUNCS, MARKUP_GATE, NETWORK_ATTRS, NUMERIC_FUNCS,
                                                          PATH_FUNCS, PATH_METHODS, PICKLE_LIKE, SHELL_FLAGS,
                                                          SHELL_GATE, SQL_FUNCS, SQL_GATE, SQL_METHODS,
                                                          SQL_VALUE_CONTEXT, SQL_WORDS, SUBPROCESS_SHELL_OPTIONAL,
                                                          TORCH_GATE, WEAKER_DESERIALIZERS, YAML_LOADS,
                                                          YAML_SAFE_LOADERS, YAML_UNSAFE, LITERAL, BUILT, OPAQUE,
                                                          EXEC_LIST_CALLS, candidate_offsets)  # noqa: F401
from sentinel_hooks.engine.filters import is_test_path
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.python_analysis import (MAX_PARSE_CHARS, MEMO_KEY, analyse, analysis_of,  # noqa: F401
                                                   import_aliases, passes)
from sentinel_hooks.engine.python_scopes import (Analysis, Scope, child_nodes, lookup, parameter_names,  # noqa: F401
                                                 qualified_name, resolved)
from sentinel_hooks.engine.python_sources import (entry_parameters, is_entry_point,  # noqa: F401
                                                  is_request_source, is_route_path)
from sentinel_hooks.engine.python_taint import (compute_taint, is_sanitiser_call, is_secret_data,  # noqa: F401
                                                is_tainted)
from sentinel_hooks.engine.python_summaries import returned_values
from sentinel_hooks.engine.text_gate import Gate
from sentinel_hooks.findings import Confidence

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule


# --------------------------------------------------------------------------------------------
# expressions


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
    if tainted:
        message += flow_note(analysis, node)
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
        first = python_tree.first_line(fn)
        start = first if start is None else min(start, first)
    if start is not None:
        return start
    body = getattr(analysis.module.node, "body", [])
    i = bisect.bisect_right([stmt.lineno for stmt in body], line) - 1
    return body[i].lineno if i >= 0 else line


def may_count_in(unit: TextUnit, analysis: Analysis, scope: Scope) -> bool:
    """Whether a hit ``make_hit`` builds at a node of ``scope``'s own code can count in this scan. Such a
    hit lies within the function, and its data flow runs from the first line of the outermost function
    holding it to the node; a diff keeps it only when the change reaches those lines (see
    ``FileAnalysis.flow_touched``), so a function the change does not reach need not be checked."""
    file = unit.file()
    if file.changed_lines is None or scope.parent is None:
        return True
    fn = scope.node
    last = getattr(fn, "end_lineno", None) or fn.lineno  # type: ignore[attr-defined]
    first = python_tree.first_line(fn)
    offset = analysis.line_offset
    if file.flow_touched((first + offset, last + offset)):
        return True
    if scope.parent.parent is None:  # a function of the module: no outer function starts its flows earlier
        return False
    return file.flow_touched((flow_start_line(analysis, fn.lineno) + offset, last + offset))  # type: ignore[attr-defined]


def flow_note(analysis: Analysis, node: ast.AST) -> str:
    """``: tool parameter `url` of `fetch_page` reaches requests.get in helper `_get` (called at line
    12)`` when the sink sits in a helper whose parameter the input reached; '' otherwise."""
    scope = analysis.scope_of_call.get(id(node))
    if scope is None or scope.is_entry or not scope.origins or not isinstance(node, ast.Call):
        return ""
    used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    origin = next((scope.origins[name] for name in sorted(scope.origins) if name in used),
                  next(iter(scope.origins.values())))
    callee = qualified_name(node.func, analysis.aliases) or (
        node.func.attr if isinstance(node.func, ast.Attribute) else "the call")
    return (f": {origin.what} reaches {callee} in helper `{scope.name}` "
            f"(called at line {origin.line + analysis.line_offset})")


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
        names = analysis.call_names
        analysis.ordered_calls = [(s, c, names[id(c)] if id(c) in names else qualified_name(c.func, analysis.aliases))
                                  for s, c in pairs]
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
        through_list = False
        if name in SUBPROCESS_SHELL_OPTIONAL and not is_true(keyword(call, "shell")) or name in EXEC_LIST_CALLS:
            command = list_shell_command(call, scope, name)  # ["sh", "-c", command]
            if command is None or not is_tainted(command, scope.tainted, analysis.aliases):
                continue  # a fixed script of a shell run by argument list is common and harmless
            through_list = True
        elif name in ALWAYS_SHELL or name in SUBPROCESS_SHELL_OPTIONAL:
            command = first_argument(call, "args", "cmd", "command")
        else:
            continue
        if command is None or isinstance(command, (ast.List, ast.Tuple)):
            continue
        if not through_list and only_allow_listed(command, scope, analysis.aliases):
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


def list_shell_command(call: ast.Call, scope: Scope, name: str) -> Optional[ast.expr]:
    """The command string of a shell run through an argument list: ``["sh", "-c", command]``, built
    literally, with ``.append``/``.extend``/``+=``, or spread over ``create_subprocess_exec``."""
    if name == "asyncio.create_subprocess_exec":
        elements = list(call.args)
    else:
        argv = call.args[1] if name.startswith("os.") and len(call.args) > 1 else first_argument(call, "args")
        if argv is None:
            return None
        elements = list_elements(argv, scope)
    for i, element in enumerate(elements[:-2]):
        program, flag = literal_text(element), literal_text(elements[i + 1])
        if program.replace("\\", "/").rsplit("/", 1)[-1] in LIST_SHELLS and flag in SHELL_FLAGS:
            return elements[i + 2]
    return None


def list_elements(node: ast.expr, scope: Scope, depth: int = 0) -> list[ast.expr]:
    """The items of a list expression, following a local name to its literal and what was appended."""
    if depth > 4:
        return []
    if isinstance(node, (ast.List, ast.Tuple)):
        return [e for e in node.elts if not isinstance(e, ast.Starred)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return list_elements(node.left, scope, depth + 1) + list_elements(node.right, scope, depth + 1)
    if isinstance(node, ast.Name):
        out: list[ast.expr] = []
        for value in lookup(node.id, scope):
            if not (isinstance(value, ast.BinOp) and isinstance(value.left, ast.Name) and value.left.id == node.id):
                out += list_elements(value, scope, depth + 1)
            else:  # cmd += [...]
                out += list_elements(value.right, scope, depth + 1)
        for key, value in scope.contents.get(node.id, ()):
            out += list_elements(value, scope, depth + 1) if isinstance(value, (ast.List, ast.Tuple)) else [value]
        return out
    return []


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
        if query is None:
            continue
        # (value, scope) pairs: the query, a local name's values, or what a builder of this file returns
        built = [(v, s) for v, s in returned_values(query, scope) if string_kind(v, s) == BUILT]
        if not built or not any(SQL_WORDS.search(literal_text(v)) for v, _ in built):
            continue
        if all(only_placeholders(v, s) for v, s in built):
            continue
        if all(is_number(p, s) for v, s in built for p in interpolated(v, s, 0)):
            continue
        tainted = is_tainted(query, scope.tainted, analysis.aliases) or any(
            is_tainted(v, s.tainted, analysis.aliases) for v, s in built)
        if not wanted(rule, tainted):
            continue
        confidence = Confidence.HIGH if tainted or any(value_interpolated(v) for v, _ in built) else Confidence.MEDIUM
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
        if not scope.tainted or scope.path_guarded:
            continue
        if name in PATH_FUNCS and (name != "open" or "open" not in analysis.shadowed):
            target = first_argument(call, "file", "path", "src", "filename", "name")
        elif isinstance(call.func, ast.Attribute) and call.func.attr in PATH_METHODS and not name.startswith(
                ("os.", "shutil.", "io.", "codecs.", "tarfile.", "zipfile.")):
            target = call.func.value
        else:
            continue
        if target is None or not is_tainted(target, scope.tainted, analysis.aliases) \
                or guarded_by_callers(target, scope, "path_guarded"):
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


def guarded_by_callers(node: ast.expr, scope: Scope, flag: str) -> bool:
    """Every tainted name in ``node`` is a parameter whose every caller checked it (``flag``) first."""
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in scope.tainted}
    return bool(names) and all(flag in scope.guarded_seeds.get(n, ()) for n in names)


def direct_input(node: ast.expr, scope: Scope) -> bool:
    """The input is visible here: the function is the tool or route itself, reads the request, or
    is a helper whose parameter a tool or route fills (``scope.origins``)."""
    return scope.is_entry or any(isinstance(n, ast.Name) and n.id in scope.origins or
                                 isinstance(n, ast.expr) and is_request_source(n) for n in ast.walk(node))


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
        if not any(host_controlled(v, scope, analysis) for v in resolved(url, scope)) \
                or guarded_by_callers(url, scope, "url_guarded"):
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
