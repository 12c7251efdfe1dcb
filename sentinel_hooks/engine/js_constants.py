"""Constant evaluation for JavaScript/TypeScript, without a full parser.

``is_fixed(expr, scope)`` answers: is this expression's value fixed by the program itself, so that no
caller, request or tool argument can reach it? Fixed are:

* literals (strings, numbers, ``true``/``false``/``null``/``undefined``), template literals whose every
  ``${…}`` is fixed, array and object literals of fixed elements;
* conditionals (``c ? a : b``: the branches, whatever the condition), ``+``, ``||``, ``??`` and other
  operators of fixed operands;
* names checked against a fixed allow-list somewhere in the file (``ALLOWED.includes(x)``,
  ``KNOWN.has(x)``);
* fields of fixed values (``platform.name``, ``const { name } = platform``) unless the file assigns to a
  field of that name;
* names declared in the file (``const``/``let``/``var``, ``for (const x of LIST)``) whose every
  initializer and later assignment is fixed; a name that is also a parameter is fixed only when every
  function taking it is one of the file's own (named, not exported, never used as a value) and every call
  of it in the file passes a fixed value (or leaves a fixed default), since a parameter may shadow a
  constant of the same name;
* what the machine itself provides: ``process.platform``/``arch``/``pid``/``ppid``, ``__dirname``,
  ``__filename``, ``os.tmpdir()``, ``os.homedir()``, ``fs.mkdtemp…()``, ``process.cwd()``, ``Date.now()``, numeric
  properties (``.pid``, ``.length``), ``path.join``/``resolve``/``dirname``/``basename`` and
  ``String``/``Number``/``JSON.stringify``/``JSON.parse`` of fixed values, and string methods of fixed
  receivers;
* the program's own files: ``fs.readFileSync`` of a path in the program's folder (``Scope.own_path``:
  built from ``__dirname``/``import.meta``) and ``require`` of a relative ``.json`` file (its manifest,
  its package.json); files in the working directory, the home or temporary folder are not.
* calls of the file's own functions (``function f(…) {…}``, ``const f = (…) => …``) whose every ``return``
  value is fixed (their parameters judged as above, through the file's calls of them);
* for a sink that names them (``Scope(safe_calls=…)``: an HTML sink's escapers), the results of those calls,
  whatever their arguments; and with ``imported_calls``, calls with fixed arguments of functions imported
  from the program's own modules (a relative import), whose bodies this file does not show.

``string_spans(text)`` lists the string literals and comments of a file, so a match inside one (code
kept in a string, a bundle) is not judged as code.
"""
from __future__ import annotations

import re

from typing import Optional

from sentinel_hooks.engine.patterns import lazy
# the end of a ``${…}`` substitution: the tokenizer's, so strings and templates inside it are skipped one way
from sentinel_hooks.engine.tool_metadata.js_tokens import _skip_substitution as skip_substitution

SAFE_VALUES = frozenset({
    "process.platform", "process.arch", "process.pid", "process.ppid", "process.execPath", "__dirname",
    "__filename", "process.versions.node", "process.version", "os.EOL", "path.sep", "path.delimiter",
    "undefined", "null", "true", "false", "NaN", "Infinity",
})
SAFE_CALLS = frozenset({
    "os.tmpdir", "os.homedir", "os.platform", "os.arch", "os.type", "process.cwd", "Date.now", "fs.mkdtempSync",
    "fs.mkdtemp", "fsp.mkdtemp",
    "path.join", "path.resolve", "path.dirname", "path.basename", "path.extname", "path.normalize",
    "String", "Number", "Boolean", "Set", "JSON.stringify", "JSON.parse", "parseInt", "parseFloat", "Math.floor", "Math.round",
})
# reads of a file: fixed when the path is one of the program's own files (``Scope.own_path``)
READ_CALLS = frozenset({"fs.readFileSync", "readFileSync", "fs.promises.readFile", "fsp.readFile"})
NUMERIC_PROPERTIES = frozenset({"pid", "ppid", "length", "size", "byteLength"})
SAFE_METHODS = frozenset({
    "toString", "trim", "trimStart", "trimEnd", "toLowerCase", "toUpperCase", "join", "slice", "substring",
    "replace", "replaceAll", "padStart", "padEnd", "toFixed", "concat", "split", "map", "filter",
})
MAX_DEPTH = 12

_TOKEN = lazy(r"""
    (?P<ws>\s+)
  | (?P<num>\d[\w.]*)
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<op>\?\?=?|\?\.|\.\.\.|===|!==|==|!=|<=|>=|&&|\|\||=>|[-+*/%<>!?:.,()\[\]{}=&|^~])
""", re.VERBOSE)
_DECL = lazy(r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=;\n]{1,120}?)?=(?![=>])")
_DESTRUCTURE = lazy(r"\b(?:const|let|var)\s+\{([^{}]*)\}\s*(?::[^=;\n]{1,120}?)?=(?![=>])")
_FOR_OF = lazy(r"\bfor\s*\(\s*(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s+of\s+")
_ASSIGN = r"(?<![\w$.])%s\s*(?:\+|\?\?|\|\|)?=(?![=>])"
# parameter lists: `(a, { b }, c = 1) =>`, `function f(a) {`, `method(a) {`, `catch (e) {`, and `a =>`
_PARAMS = lazy(r"\(([^()]*)\)\s*(?::\s*[^=;{}()]{1,120}?)?\s*(?:=>|\{)|\b([A-Za-z_$][\w$]*)\s*=>")
_IDENT = lazy(r"[A-Za-z_$][\w$]*")
_CONTROL = lazy(r"\b(?:for|if|while|switch|with)\s*$")  # `for (…) {` is not a parameter list
_OWN_ROOT = lazy(r"(?:__dirname|__filename|import\s*\.\s*meta\s*\.\s*(?:dirname|filename|url))\b")
_PATH_JOIN = lazy(r"path\s*\.\s*(?:join|resolve)\s*\(")
_BARE_DECL = lazy(r"\b(?:let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=;\n]{1,120}?)?\s*;")
# one entry of an object pattern: `key`, `key: local`, `key = default`, `key: local = default`
_DESTRUCTURED = lazy(r"\s*([A-Za-z_$][\w$]*)\s*(?::\s*([A-Za-z_$][\w$]*)\s*)?(?:=([\s\S]+))?$")
# the name of the function whose parameter list follows: `function name(`, `const name = async (`
_FUNCTION_NAME = lazy(r"(?:\bfunction\*?\s+([A-Za-z_$][\w$]*)\s*(?:<[^<>()]*>)?\s*"
                      r"|\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=;]{1,120}?)?=\s*(?:async\s*)?)$")
# one plain parameter: `name`, `name: Type`, `name = default`, `name?: Type = default`
_PARAM = lazy(r"\s*([A-Za-z_$][\w$]*)\s*\??\s*(?::[^=]*?)?(?:=(?!>)([\s\S]*))?$")
# the file exports the function (or hands it to module.exports)
_EXPORTED = (r"\bexport\s+(?:default\s+)?(?:async\s+)?(?:function\*?|const|let|var)\s+%s\b"
             r"|\bexport\s*(?:default\s+%s\b|\{[^{}]*\b%s\b)")
# a function of the file: `function name(`, `async function* name<T>(`, `const name = async (…) =>`, `const name = x =>`
_FUNCTION_DECL = (r"\b(?:async\s+)?function\*?\s+%s\s*(?:<[^<>()]*>)?\s*\("
                  r"|\b(?:const|let|var)\s+%s\s*(?::[^=;]{1,120}?)?=\s*(?:async\s*)?(?:\(|(?=[A-Za-z_$][\w$]*\s*=>))")
# after a parameter list: an optional return type, then `=>` (an arrow function) or the body's `{`
_ARROW_BODY = lazy(r"\s*(?::[^{};]{1,200}?)?\s*=>\s*")
_BLOCK_BODY = lazy(r"\s*(?::[^{};=]{1,200}?)?\s*(?=\{)")
_BRACE = lazy(r"[{}]")
_RETURN = lazy(r"(?<![\w$.])return(?![\w$])")
# names imported from a relative module: `import { a, b as c } from './x'`, `import d from '../y.js'`
_RELATIVE_IMPORT = lazy(r"\bimport\s+(?!type\b)([^;'\"`]*?)\s+from\s*['\"]\.\.?/[^'\"]*['\"]")
# allow-list membership: `ALLOWED.includes(x)`, `KNOWN.has(x)`
_MEMBERSHIP = lazy(r"([A-Za-z_$][\w$.]*)\s*\.\s*(?:includes|has)\(\s*([A-Za-z_$][\w$]*)\s*\)")


# ------------------------------------------------------------------------------ lexing


def _skip_string(text: str, i: int) -> int:
    """Index after the quoted string starting at ``text[i]`` (a quote); to the end if unterminated."""
    quote, n = text[i], len(text)
    i += 1
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == quote or (c == "\n" and quote != "`"):
            return i + 1
        if quote == "`" and c == "$" and text.startswith("${", i):
            i = skip_substitution(text, i + 2)
            continue
        i += 1
    return n


def _skip_comment(text: str, i: int) -> int:
    """Index after the comment starting at ``text[i]`` (a line comment stops before its line end)."""
    if text.startswith("//", i):
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    end = text.find("*/", i + 2)
    return len(text) if end < 0 else end + 2


_REGEX_BEFORE = set("(,=:[!&|?{};+-*%<>~^") | {""}


_INTERESTING = lazy(r"['\"`/]")


def _previous_significant(text: str, i: int) -> str:
    """The last non-space character before ``i`` ('' at the start), as a class: 'a' for word characters."""
    j = i - 1
    while j >= 0 and text[j].isspace():
        j -= 1
    if j < 0:
        return ""
    c = text[j]
    return "a" if c.isalnum() or c in "_$" or c in "'\"`)]" else c


def string_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every string literal, template literal and comment of a JS/TS file, in order.

    A ``/`` after an operator or an opening bracket starts a regular expression literal, which is
    skipped as well (its quotes are not strings)."""
    spans: list[tuple[int, int]] = []
    n = len(text)
    m = _INTERESTING.search(text)
    while m is not None:
        i = m.start()
        c = text[i]
        if c in "'\"`":
            end = _skip_string(text, i)
            spans.append((i, end))
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            spans.append((i, end))
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            spans.append((i, end))
        elif _previous_significant(text, i) in _REGEX_BEFORE:
            j, in_class = i + 1, False
            while j < n and text[j] != "\n":
                if text[j] == "\\":
                    j += 2
                    continue
                if text[j] == "[":
                    in_class = True
                elif text[j] == "]":
                    in_class = False
                elif text[j] == "/" and not in_class:
                    break
                j += 1
            end = j + 1
        else:
            end = i + 1  # division
        m = _INTERESTING.search(text, max(end, i + 1))
    return spans


def inside(spans: list[tuple[int, int]], offset: int) -> bool:
    """True when ``offset`` lies strictly inside one of ``spans`` (sorted, not overlapping)."""
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid][1] <= offset:
            lo = mid + 1
        else:
            hi = mid
    return lo < len(spans) and spans[lo][0] < offset < spans[lo][1]


_CONTINUES_BEFORE = lazy(r"(?:[-+?:(,=|&*/%<>]|\?\?)\s*$")
_CONTINUES_AFTER = lazy(r"\s*(?:[-+?:.*/%|&]|\?\?|\?\.)")


def _statement_ends(text: str, start: int, newline: int) -> bool:
    """A line end ends the expression unless its line or the next line shows it goes on."""
    before = text[max(start, newline - 200):newline]
    if not before.strip() or _CONTINUES_BEFORE.search(before):
        return False
    return not _CONTINUES_AFTER.match(text, newline + 1)


def expression_at(text: str, start: int, stops: str = ",);") -> str:
    """The expression that starts at ``start``: up to the first of ``stops`` (or a line end after a
    complete expression) outside brackets and strings."""
    depth, i, n = 0, start, len(text)
    while i < n:
        c = text[i]
        if c in "'\"`":
            i = _skip_string(text, i)
            continue
        if c == "/" and text.startswith(("//", "/*"), i):
            i = _skip_comment(text, i)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and (c in stops or (c == "\n" and _statement_ends(text, start, i))):
            break
        i += 1
    return text[start:i]


# ------------------------------------------------------------------------------ scope


def _split_top_level(params: str) -> list[str]:
    """``params`` split at the commas outside brackets and strings."""
    parts, depth, start, i, n = [], 0, 0, 0, len(params)
    while i < n:
        c = params[i]
        if c in "'\"`":
            i = _skip_string(params, i)
            continue
        if c in "([{<":
            depth += 1
        elif c in ")]}>" and depth:
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(params[start:i])
            start = i + 1
        i += 1
    if params[start:].strip():
        parts.append(params[start:])
    return parts


def _arguments(text: str, start: int) -> list[str]:
    """The arguments of the call whose ``(`` ends just before ``start``."""
    args, i, n = [], start, len(text)
    while i < n:
        expr = expression_at(text, i, ",)")
        i += len(expr)
        while i < n and text[i].isspace():
            i += 1
        if expr.strip():
            args.append(expr)
        if i >= n or text[i] != ",":
            break
        i += 1
    return args


class Scope:
    """The names a file declares, with every expression assigned to each (initializers, ``for…of``
    sources and later assignments)."""

    def __init__(self, text: str, spans: Optional[list[tuple[int, int]]] = None,
                 safe_calls: frozenset[str] = frozenset(), imported_calls: bool = False):
        self.text = text
        self.safe_calls = safe_calls
        self.imported_calls = imported_calls
        self._returns: dict[str, Optional[list[str]]] = {}
        self._imported: Optional[set[str]] = None
        self.spans = string_spans(text) if spans is None else spans
        self.assigned: dict[str, list[str]] = {}
        for m in _DECL.finditer(text):
            if not inside(self.spans, m.start()):
                self.assigned.setdefault(m.group(1), []).append(expression_at(text, m.end()))
        for m in _BARE_DECL.finditer(text):  # `let manifest;`: undefined until assigned
            if not inside(self.spans, m.start()):
                self.assigned.setdefault(m.group(1), []).append("undefined")
        for m in _DESTRUCTURE.finditer(text):  # `const { a, b: c = 1 } = source`: a is source.a, c source.b
            if inside(self.spans, m.start()):
                continue
            source = expression_at(text, m.end())
            for entry in _split_top_level(m.group(1)):
                found = _DESTRUCTURED.match(entry)
                if found is not None:
                    key, local, default = found.group(1), found.group(2) or found.group(1), found.group(3)
                    value = f"({source}).{key}" + (f" ?? ({default})" if default else "")
                    self.assigned.setdefault(local, []).append(value)
        for m in _FOR_OF.finditer(text):
            if not inside(self.spans, m.start()):
                self.assigned.setdefault(m.group(1), []).append(expression_at(text, m.end(), ")"))
        # a name that is also a parameter somewhere may be shadowed by a caller's value; where the function
        # is one of the file's own (named, not exported) and called in it, its callers' values are known
        self.parameters: set[str] = set()
        self.parameter_slots: dict[str, list[Optional[tuple[str, int, str]]]] = {}
        for m in _PARAMS.finditer(text):
            if inside(self.spans, m.start()) or _CONTROL.search(text, max(m.start() - 12, 0), m.start()):
                continue
            self.parameters.update(_IDENT.findall(m.group(1) or m.group(2) or ""))
            self._record_slots(m)
        self.allow_lists: dict[str, list[str]] = {}
        for m in _MEMBERSHIP.finditer(text):
            if not inside(self.spans, m.start()):
                self.allow_lists.setdefault(m.group(2), []).append(m.group(1))
        self._cache: dict[str, bool] = {}
        self._calls: dict[str, Optional[list[list[str]]]] = {}

    def _record_slots(self, m: re.Match[str]) -> None:
        """Remember, for each parameter of a plain parameter list, the function it belongs to and its position
        (None when the function has no name of its own in the file: a method, a callback, a destructured
        parameter)."""
        if m.group(1) is None:
            for ident in _IDENT.findall(m.group(2) or ""):
                self.parameter_slots.setdefault(ident, []).append(None)
            return
        owner = _FUNCTION_NAME.search(self.text, max(m.start() - 200, 0), m.start())
        name = owner.group(1) or owner.group(2) if owner else None
        for index, param in enumerate(_split_top_level(m.group(1))):
            found = _PARAM.match(param)
            if found is None:  # destructuring, rest parameters: not followed
                for ident in _IDENT.findall(param):
                    self.parameter_slots.setdefault(ident, []).append(None)
                continue
            default = (found.group(2) or "undefined").strip()
            self.parameter_slots.setdefault(found.group(1), []).append(
                (name, index, default) if name else None)

    def caller_values(self, name: str) -> Optional[list[str]]:
        """Every value the file's callers give the parameter ``name`` (defaults for missing arguments), or None
        when a caller may be outside the file: an exported, unnamed or never-called function, a method, or a
        function used as a value."""
        values: list[str] = []
        for slot in self.parameter_slots.get(name, [None]):
            if slot is None:
                return None
            function, index, default = slot
            calls = self.calls_of(function)
            if not calls:
                return None
            for args in calls:
                value = args[index] if index < len(args) else default
                if value.strip() != name:  # the same name passed on adds no value of its own
                    values.append(value)
        return values

    def calls_of(self, function: str) -> Optional[list[list[str]]]:
        """The argument lists of every call of the file's own ``function``; None when it is exported or
        referenced otherwise than by a call or its declaration."""
        if function in self._calls:
            return self._calls[function]
        result: Optional[list[list[str]]] = []
        if re.search(_EXPORTED % (re.escape(function), re.escape(function), re.escape(function)), self.text):
            result = None
        else:
            for m in re.finditer(r"(?<![\w$.])%s(?![\w$])" % re.escape(function), self.text):
                if inside(self.spans, m.start()):
                    continue
                before = self.text[max(m.start() - 20, 0):m.start()]
                if re.search(r"(?:\bfunction\*?|\b(?:const|let|var))\s*$", before):
                    continue  # the declaration
                after = re.compile(r"\s*(?:<[^<>()]*>)?\s*\(").match(self.text, m.end())
                if after is None:
                    result = None  # passed as a value, called through .call/.apply, reassigned ...
                    break
                result.append(_arguments(self.text, after.end()))  # type: ignore[union-attr]
        self._calls[function] = result
        return result

    def function_returns(self, function: str) -> Optional[list[str]]:
        """The values the file's own ``function`` returns (every ``return`` in its body, nested functions'
        included; its expression for an arrow function with an expression body; ``undefined`` when it returns
        nothing); None when the file declares no such function, or more than one, or the name is also a
        parameter somewhere (a callback of the same name) or assigned again."""
        if function in self._returns:
            return self._returns[function]
        name = re.escape(function)
        found = [m for m in re.finditer(_FUNCTION_DECL % (name, name), self.text) if not inside(self.spans, m.start())]
        result: Optional[list[str]] = None
        reassigned = any(not inside(self.spans, m.start()) and not re.search(r"\b(?:const|let|var)\s+$",
                                                                             self.text[max(m.start() - 8, 0):m.start()])
                         for m in re.finditer(_ASSIGN % name, self.text))
        if len(found) == 1 and function not in self.parameters and not reassigned:
            m = found[0]
            result = self._returns_after(m.end() - 1 if m.group(0).endswith("(") else m.end())
        self._returns[function] = result
        return result

    def _returns_after(self, start: int) -> Optional[list[str]]:
        """The return values of the function whose parameters start at ``start`` (a ``(`` or the name of an
        arrow function's single parameter)."""
        text = self.text
        if text[start] == "(":
            close = expression_at(text, start + 1, ")")
            i = start + 1 + len(close) + 1
        else:
            param = _IDENT.match(text, start)
            i = param.end() if param is not None else start
        arrow = _ARROW_BODY.match(text, i)
        if arrow is not None and arrow.end() < len(text) and text[arrow.end()] != "{":
            return [expression_at(text, arrow.end())]  # `(a) => expression`
        block = arrow or _BLOCK_BODY.match(text, i)
        if block is None or block.end() >= len(text) or text[block.end()] != "{":
            return None
        i = block.end()
        end = self._block_end(i)
        if end is None:
            return None
        values = [expression_at(text, m.end()) for m in _RETURN.finditer(text, i, end)
                  if not inside(self.spans, m.start())]
        return [v if v.strip() else "undefined" for v in values] or ["undefined"]

    def _block_end(self, start: int) -> Optional[int]:
        """Index after the ``{…}`` block opening at ``start``, braces in strings and comments skipped; None
        when it does not close."""
        depth = 0
        for m in _BRACE.finditer(self.text, start):
            if inside(self.spans, m.start()):
                continue
            depth += 1 if m.group() == "{" else -1
            if depth == 0:
                return m.end()
        return None

    def returns_fixed(self, function: str, depth: int) -> bool:
        key = "() " + function
        if key in self._cache:
            return self._cache[key]
        values = self.function_returns(function)
        self._cache[key] = False  # a function returning its own call is not fixed
        ok = values is not None and all(is_fixed(v, self, depth + 1) for v in values)
        self._cache[key] = ok
        return ok

    def imported(self, name: str) -> bool:
        """True when ``name`` is imported from one of the program's own modules (a relative path)."""
        if self._imported is None:
            self._imported = set()
            for m in _RELATIVE_IMPORT.finditer(self.text):
                if inside(self.spans, m.start()):
                    continue
                clause = re.sub(r"\btype\s+[A-Za-z_$][\w$]*(?:\s+as\s+[A-Za-z_$][\w$]*)?", "", m.group(1))
                clause = re.sub(r"\b[A-Za-z_$][\w$]*\s+as\s+", "", clause)
                self._imported.update(n for n in _IDENT.findall(clause) if n not in {"as", "type"})
        return name in self._imported

    def own_path(self, expr: str, seen: Optional[set[str]] = None) -> bool:
        """True when the path ``expr`` lies in the program's own folder: it starts from ``__dirname``,
        ``__filename`` or ``import.meta`` (directly, as the first part of path.join/resolve, or through names
        whose every value does). Files there are the program's own (its manifest, its package.json); a path
        in the working directory, the home or temporary folder is not."""
        expr = expr.strip()
        if _OWN_ROOT.match(expr):
            return True
        joined = _PATH_JOIN.match(expr)
        if joined is not None:
            return self.own_path(expression_at(expr, joined.end(), ",)"), seen)
        if not _IDENT.fullmatch(expr) or expr in self.parameters:
            return False
        seen = set() if seen is None else seen
        if expr in seen or not self.assigned.get(expr):
            return False
        seen.add(expr)  # names on the way here: a name defined through itself is not an own path
        later = [expression_at(self.text, m.end()) for m in re.finditer(_ASSIGN % re.escape(expr), self.text)
                 if not inside(self.spans, m.start())]
        own = all(self.own_path(v, seen) for v in self.assigned[expr] + later)
        seen.discard(expr)
        return own

    def fields_assigned(self, name: str) -> bool:
        """True when the file assigns to a field of ``name`` (``name.x = …``, ``name[k] = …``)."""
        pattern = r"(?<![\w$.])%s\s*(?:\??\.\s*[\w$]+|\[[^\]\n]*\])+\s*(?:\+|\?\?|\|\||-)?=(?![=>])"
        return any(not inside(self.spans, m.start()) for m in re.finditer(pattern % re.escape(name), self.text))

    def name_is_fixed(self, name: str, depth: int) -> bool:
        if name in self._cache:
            return self._cache[name]
        if any(is_fixed(collection, self, depth + 1) for collection in self.allow_lists.get(name, ())):
            return True  # checked against a fixed allow-list: it can only be one of its values
        values = list(self.assigned.get(name) or ())
        if name in self.parameters:
            from_callers = self.caller_values(name)
            if from_callers is None:
                self._cache[name] = False
                return False
            values += from_callers
        if not values or self.fields_assigned(name):
            self._cache[name] = False  # undeclared, or an object whose fields the file changes
            return False
        self._cache[name] = False  # a name defined through itself is not fixed
        later = [expression_at(self.text, m.end()) for m in re.finditer(_ASSIGN % re.escape(name), self.text)
                 if not inside(self.spans, m.start())]
        ok = all(is_fixed(v, self, depth + 1) for v in values + later)
        self._cache[name] = ok
        return ok


# ------------------------------------------------------------------------------ evaluation


class _Parser:
    def __init__(self, expr: str, scope: Optional[Scope], depth: int):
        self.tokens: list[tuple[str, str]] = []
        self.ok = True
        self.scope, self.depth = scope, depth
        i, n = 0, len(expr)
        while i < n:
            c = expr[i]
            if c == "/" and expr.startswith(("//", "/*"), i):
                i = _skip_comment(expr, i)
                continue
            if c in "'\"":
                end = _skip_string(expr, i)
                self.tokens.append(("str", expr[i:end]))
                i = end
                continue
            if c == "`":
                end = _skip_string(expr, i)
                self.tokens.append(("tpl", expr[i:end]))
                i = end
                continue
            m = _TOKEN.match(expr, i)
            if not m:
                self.ok = False
                return
            if m.lastgroup != "ws":
                self.tokens.append((m.lastgroup or "", m.group()))
            i = m.end()
        self.pos = 0

    def peek(self) -> str:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else ""

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.pos] if self.pos < len(self.tokens) else ("", "")
        self.pos += 1
        return tok

    def expression(self) -> bool:
        """ternary := binary ('?' expression ':' expression)?; the condition does not count."""
        first = self.binary()
        if self.peek() == "?":
            self.take()
            yes = self.expression()
            if self.take()[1] != ":":
                return False
            no = self.expression()
            return yes and no
        return first

    def binary(self) -> bool:
        ok = self.unary()
        while self.peek() in {"+", "-", "*", "/", "%", "||", "&&", "??", "===", "!==", "==", "!=", "<", ">",
                              "<=", ">=", "&", "|", "^"}:
            self.take()
            ok = self.unary() and ok
        return ok

    def unary(self) -> bool:
        while self.peek() in {"!", "-", "+", "~", "typeof", "await", "void", "new"}:
            self.take()
        return self.postfix()

    def postfix(self) -> bool:
        kind, value = self.take()
        if kind == "str" or kind == "num":
            fixed, dotted = True, None
        elif kind == "tpl":
            fixed, dotted = _template_fixed(value, self.scope, self.depth), None
        elif value == "(":
            fixed, dotted = self.expression(), None
            if self.take()[1] != ")":
                return False
        elif value == "[":
            fixed, dotted = self.items("]"), None
        elif value == "{":
            fixed, dotted = self.object_literal(), None
        elif kind == "name":
            fixed, dotted = None, value
        else:
            return False
        while True:
            nxt = self.peek()
            if nxt in {".", "?."}:
                self.take()
                kind, prop = self.take()
                if kind != "name":
                    return False
                if self.peek() == "(":
                    self.take()
                    first = self.pos
                    args = self.items(")")
                    if dotted is not None and self.scope is not None and dotted + "." + prop in self.scope.safe_calls:
                        fixed = True  # an escaper of the sink judged (``DOMPurify.sanitize``)
                    elif dotted is not None and dotted + "." + prop in SAFE_CALLS:
                        fixed = args
                    elif dotted is not None and dotted + "." + prop in READ_CALLS:
                        fixed = args and self.reads_own_file(first)
                    else:
                        receiver = fixed if fixed is not None else self.name_fixed(dotted)
                        fixed = bool(receiver and args and prop in SAFE_METHODS)
                    dotted = None
                    continue
                if prop in NUMERIC_PROPERTIES:
                    fixed, dotted = True, None
                    continue
                if dotted is not None:
                    dotted = dotted + "." + prop
                    continue
                # a property of a computed value: fixed when the value is (a fixed object's fields)
            elif nxt == "(":
                self.take()
                first = self.pos
                args = self.items(")")
                if dotted in READ_CALLS:
                    fixed = args and self.reads_own_file(first)
                elif dotted == "require":  # the program's own JSON data: require('../package.json')
                    kind, module = self.tokens[first] if first < len(self.tokens) else ("", "")
                    fixed = kind == "str" and bool(re.fullmatch(r"""['"]\.\.?/[^'"]*\.json['"]""", module))
                elif dotted is not None and self.scope is not None and dotted in self.scope.safe_calls:
                    fixed = True  # an escaper of the sink judged: its result is safe whatever it escapes
                elif dotted is not None and self.own_function(dotted):
                    fixed = self.scope is not None and self.scope.returns_fixed(dotted, self.depth)
                else:  # the machine's values, or the program's own imported helpers, of fixed arguments
                    fixed = bool(dotted is not None and args and (dotted in SAFE_CALLS or self.imported_helper(dotted)))
                dotted = None
            elif nxt == "[":
                self.take()
                index = self.expression()
                if self.take()[1] != "]":
                    return False
                base = fixed if fixed is not None else self.name_fixed(dotted)
                fixed, dotted = bool(base and index), None
            else:
                break
        if dotted is not None:
            fixed = self.name_fixed(dotted)
        return bool(fixed)

    def name_fixed(self, dotted: Optional[str]) -> bool:
        if dotted is None:
            return False
        if dotted in SAFE_VALUES:
            return True
        if self.scope is None or self.depth > MAX_DEPTH:
            return False
        if "." in dotted:  # a field of a fixed object, unless the file assigns to its fields
            return self.scope.name_is_fixed(dotted.split(".", 1)[0], self.depth)
        return self.scope.name_is_fixed(dotted, self.depth)

    def own_function(self, name: str) -> bool:
        """``name`` is a function the file declares (its call is fixed when its returns are: its parameters
        are judged through every call of it in the file, so this call's arguments count there)."""
        return (self.scope is not None and "." not in name and self.depth <= MAX_DEPTH
                and self.scope.function_returns(name) is not None)

    def imported_helper(self, name: str) -> bool:
        """With ``imported_calls``: a function imported from the program's own modules."""
        return self.scope is not None and self.scope.imported_calls and "." not in name and self.scope.imported(name)

    def reads_own_file(self, first: int) -> bool:
        """The call whose arguments start at token ``first`` reads a path of the program's own folder."""
        depth, end = 0, first
        while end < len(self.tokens):
            value = self.tokens[end][1]
            if value in {"(", "[", "{"}:
                depth += 1
            elif value in {")", "]", "}"}:
                if depth == 0:
                    break
                depth -= 1
            elif value == "," and depth == 0:
                break
            end += 1
        path = " ".join(self.tokens[i][1] for i in range(first, end))
        return self.scope is not None and self.scope.own_path(path)

    def object_literal(self) -> bool:
        """``{ key: value, shorthand, ...spread }`` after its ``{``: fixed when every value is."""
        ok = True
        while self.peek() not in {"}", ""}:
            if self.peek() == "...":
                self.take()
                ok = self.expression() and ok
            else:
                kind, key = self.take()
                if kind not in {"name", "str", "num"}:
                    return False
                if self.peek() == ":":
                    self.take()
                    ok = self.expression() and ok
                elif kind == "name" and self.peek() in {",", "}"}:
                    ok = self.name_fixed(key) and ok  # shorthand `{ cwd }`
                else:
                    return False  # methods, computed keys: not followed
            if self.peek() == ",":
                self.take()
            elif self.peek() != "}":
                return False
        return self.take()[1] == "}" and ok

    def items(self, close: str) -> bool:
        ok = True
        while self.peek() not in {close, ""}:
            if self.peek() == "...":
                self.take()
            ok = self.expression() and ok
            if self.peek() == ",":
                self.take()
        return self.take()[1] == close and ok


def _template_fixed(literal: str, scope: Optional[Scope], depth: int) -> bool:
    i, n = 1, len(literal)
    while i < n:
        c = literal[i]
        if c == "\\":
            i += 2
            continue
        if c == "$" and literal.startswith("${", i):
            end = skip_substitution(literal, i + 2)
            if not is_fixed(literal[i + 2:end - 1], scope, depth + 1):
                return False
            i = end
            continue
        i += 1
    return True


def is_fixed(expr: str, scope: Optional[Scope] = None, depth: int = 0) -> bool:
    """True when the value of ``expr`` is fixed by the program (see the module docstring)."""
    expr = expr.strip()
    if not expr or depth > MAX_DEPTH:
        return False
    parser = _Parser(expr, scope, depth)
    if not parser.ok or not parser.tokens:
        return False
    try:
        ok = parser.expression()
    except IndexError:  # pragma: no cover - defensive: the parser checks bounds
        return False
    if parser.peek() == "as":  # TypeScript: `x as string`
        return ok
    return ok and parser.pos == len(parser.tokens)

