"""MCP tool metadata: find the tools a file declares, and check what their descriptions tell the model.

Extraction covers Python (``@mcp.tool`` / ``@server.tool`` / ``@app.tool()`` decorated functions with
their ``description=`` or docstring, ``Tool(...)`` / ``types.Tool(...)`` objects), JavaScript and
TypeScript (``server.tool(name, description, ...)``, ``server.registerTool(name, {...})``,
``addTool({...})``, ``{name, description, inputSchema}`` objects and ``tools: [...]`` arrays) and
JSON / YAML manifests with a ``tools`` array. Descriptions are the decoded string values the model
reads; positions are whole-file, 1-based, end column exclusive.

The poisoning detectors registered here share one scan of each description.
"""
from __future__ import annotations

import ast
import base64
import binascii
import bisect
import inspect
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional, Union

from sentinel_hooks.engine import python_tree
from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.filters import shannon_entropy
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.languages import language_of
from sentinel_hooks.engine.patterns import lazy
from sentinel_hooks.engine.protective_text import is_protective
from sentinel_hooks.engine.text_gate import Gate
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.findings import Confidence

if TYPE_CHECKING:
    import yaml

    from sentinel_hooks.engine.rule import Rule

MAX_SOURCE_CHARS = 2_000_000


# -- data model ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass
class ToolParam:
    name: str
    description: str = ""
    span: Optional[Span] = None


@dataclass
class ToolDecl:
    """One tool as the model sees it: its name, description, and input schema."""

    name: str
    description: Optional[str]
    description_span: Optional[Span]
    declaration_span: Span
    schema: str = ""  # a canonical text of the input schema, for comparison
    schema_span: Optional[Span] = None
    params: list[ToolParam] = field(default_factory=list)

    @property
    def report_span(self) -> Span:
        return self.description_span or self.declaration_span


def join_spans(spans: Iterable[Optional[Span]]) -> Optional[Span]:
    present = [s for s in spans if s is not None]
    if not present:
        return None
    first = min(present, key=lambda s: (s.line, s.column))
    last = max(present, key=lambda s: (s.end_line, s.end_column))
    return Span(first.line, first.column, last.end_line, last.end_column)


class LineIndex:
    """Character offsets of a text to 1-based (line, column)."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def position(self, offset: int) -> tuple[int, int]:
        idx = bisect.bisect_right(self.starts, offset) - 1
        return idx + 1, offset - self.starts[idx] + 1

    def span(self, start: int, end: int) -> Span:
        return Span(*self.position(start), *self.position(end))

    def line(self, number: int) -> str:
        if number < 1 or number > len(self.starts):
            return ""
        end = self.starts[number] - 1 if number < len(self.starts) else len(self.text)
        return self.text[self.starts[number - 1]:end]


# -- Python ----------------------------------------------------------------------------------------

_PY_TOOL_CLASSES = {"Tool"}
_PY_SELF_PARAMS = {"self", "cls"}


def _callee_name(node: ast.AST) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return ""


class _PySource:
    def __init__(self, text: str, tree: ast.Module):
        self.lines = text.splitlines()
        self.tree = tree
        self.constants = self._module_constants(tree)
        self.imported_tool = any(
            isinstance(n, ast.ImportFrom) and any(a.name == "tool" and a.asname is None for a in n.names)
            for n in tree.body)

    @staticmethod
    def _module_constants(tree: ast.Module) -> dict[str, ast.AST]:
        out: dict[str, ast.AST] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                out[node.targets[0].id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                out[node.target.id] = node.value
        return out

    def column(self, line: int, byte_offset: int) -> int:
        """ast reports UTF-8 byte offsets; findings use characters."""
        if line < 1 or line > len(self.lines):
            return byte_offset + 1
        raw = self.lines[line - 1].encode("utf-8")[:byte_offset]
        return len(raw.decode("utf-8", errors="replace")) + 1

    def span(self, node: ast.AST) -> Span:
        end_line = getattr(node, "end_lineno", None) or node.lineno
        end_col = getattr(node, "end_col_offset", None)
        return Span(node.lineno, self.column(node.lineno, node.col_offset), end_line,
                    self.column(end_line, end_col if end_col is not None else node.col_offset))

    def string_value(self, node: Optional[ast.AST], depth: int = 0) -> Optional[str]:
        """The value of a string expression built from literals, concatenation and constants."""
        if node is None or depth > 8:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.string_value(node.left, depth + 1), self.string_value(node.right, depth + 1)
            return None if left is None or right is None else left + right
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            text = self.string_value(node.left, depth + 1)
            count = node.right.value if isinstance(node.right, ast.Constant) else None
            if text is not None and isinstance(count, int) and 0 <= count <= 10_000:
                return text * count
            return None
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    parts.append(value.value)
                else:
                    parts.append("{" + ast.unparse(value.value if isinstance(value, ast.FormattedValue)
                                                   else value) + "}")
            return "".join(parts)
        if isinstance(node, ast.Name) and node.id in self.constants:
            return self.string_value(self.constants[node.id], depth + 1)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.keywords:
            if node.func.attr in ("strip", "lstrip", "rstrip") and not node.args:
                inner = self.string_value(node.func.value, depth + 1)
                return inner.strip() if inner is not None else None
            if node.func.attr == "join" and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple)):
                sep = self.string_value(node.func.value, depth + 1)
                items = [self.string_value(e, depth + 1) for e in node.args[0].elts]
                if sep is not None and all(i is not None for i in items):
                    return sep.join(items)  # type: ignore[arg-type]
            if node.func.attr == "dedent" and len(node.args) == 1:
                inner = self.string_value(node.args[0], depth + 1)
                return inspect.cleandoc(inner) if inner is not None else None
        if isinstance(node, ast.Call) and _callee_name(node) == "dedent" and len(node.args) == 1:
            inner = self.string_value(node.args[0], depth + 1)
            return inspect.cleandoc(inner) if inner is not None else None
        return None


def _is_tool_decorator(dec: ast.AST, source: _PySource) -> bool:
    target = dec.func if isinstance(dec, ast.Call) else dec
    if isinstance(target, ast.Attribute):
        return target.attr == "tool"
    return isinstance(target, ast.Name) and target.id == "tool" and source.imported_tool


def _keyword(call: ast.Call, name: str) -> Optional[ast.AST]:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _field_description(node: Optional[ast.AST], source: _PySource) -> Optional[tuple[str, ast.AST]]:
    """``Field(description=...)`` / ``Annotated[..., Field(description=...)]`` / ``Annotated[T, "doc"]``."""
    if node is None:
        return None
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and _callee_name(sub) in ("Field", "Param", "Parameter", "Arg"):
            desc = _keyword(sub, "description")
            value = source.string_value(desc)
            if value is not None and desc is not None:
                return value, desc
        if isinstance(sub, ast.Subscript) and _callee_name(sub.value) == "Annotated":
            items = sub.slice.elts if isinstance(sub.slice, ast.Tuple) else []
            for item in items[1:]:
                value = source.string_value(item)
                if value is not None:
                    return value, item
    return None


def _is_context_annotation(node: Optional[ast.AST]) -> bool:
    """The framework-injected request context (``ctx: Context``) is not an input the model fills."""
    return node is not None and _callee_name(node.value if isinstance(node, ast.Subscript) else node) \
        in ("Context", "RequestContext")


def _python_params(fn: Union[ast.FunctionDef, ast.AsyncFunctionDef], source: _PySource) -> list[ToolParam]:
    args = fn.args
    positional = args.posonlyargs + args.args
    defaults: list[Optional[ast.AST]] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    pairs = list(zip(positional, defaults)) + list(zip(args.kwonlyargs, args.kw_defaults))
    params = []
    for arg, default in pairs:
        if arg.arg in _PY_SELF_PARAMS or _is_context_annotation(arg.annotation):
            continue
        found = _field_description(arg.annotation, source) or _field_description(default, source)
        if found:
            params.append(ToolParam(arg.arg, found[0], source.span(found[1])))
        else:
            params.append(ToolParam(arg.arg, "", source.span(arg)))
    return params


def _python_function_tool(fn: Union[ast.FunctionDef, ast.AsyncFunctionDef], source: _PySource) -> Optional[ToolDecl]:
    decorator = next((d for d in fn.decorator_list if _is_tool_decorator(d, source)), None)
    if decorator is None:
        return None
    name = fn.name
    desc_node: Optional[ast.AST] = None
    if isinstance(decorator, ast.Call):
        name_node = _keyword(decorator, "name") or (decorator.args[0] if decorator.args else None)
        name = source.string_value(name_node) or name
        desc_node = _keyword(decorator, "description")
    description = source.string_value(desc_node)
    if description is None:
        desc_node = None
        body0 = fn.body[0] if fn.body else None
        if isinstance(body0, ast.Expr) and isinstance(body0.value, ast.Constant) and isinstance(body0.value.value, str):
            desc_node = body0.value
            description = inspect.cleandoc(body0.value.value)
    params = _python_params(fn, source)
    sig_end = fn.body[0].lineno - 1 if fn.body and fn.body[0].lineno > fn.lineno else fn.lineno
    sig_span = Span(fn.lineno, source.column(fn.lineno, fn.col_offset), sig_end,
                    len(source.lines[sig_end - 1]) + 1 if sig_end <= len(source.lines) else 1)
    args_text = ast.unparse(fn.args)
    schema = args_text + "|" + ";".join(f"{p.name}={p.description}" for p in params)
    return ToolDecl(name=name, description=description,
                    description_span=source.span(desc_node) if desc_node is not None else None,
                    declaration_span=source.span(fn), schema=schema, schema_span=sig_span, params=params)


def _python_tool_object(call: ast.Call, source: _PySource) -> Optional[ToolDecl]:
    if _callee_name(call) not in _PY_TOOL_CLASSES:
        return None
    desc_node = _keyword(call, "description")
    name = source.string_value(_keyword(call, "name"))
    description = source.string_value(desc_node)
    if name is None or description is None or desc_node is None:
        return None
    schema_node = _keyword(call, "inputSchema") or _keyword(call, "input_schema") or _keyword(call, "parameters")
    params: list[ToolParam] = []
    if isinstance(schema_node, ast.Dict):
        params = _python_schema_params(schema_node, source)
    schema = ast.unparse(schema_node) if schema_node is not None else ""
    return ToolDecl(name=name, description=description, description_span=source.span(desc_node),
                    declaration_span=source.span(call), schema=schema,
                    schema_span=source.span(schema_node) if schema_node is not None else None, params=params)


def _python_schema_params(schema: ast.Dict, source: _PySource) -> list[ToolParam]:
    for key, value in zip(schema.keys, schema.values):
        if source.string_value(key) == "properties" and isinstance(value, ast.Dict):
            params = []
            for pkey, pvalue in zip(value.keys, value.values):
                pname = source.string_value(pkey)
                if pname is None:
                    continue
                desc, span = "", source.span(pkey)  # type: ignore[arg-type]
                if isinstance(pvalue, ast.Dict):
                    for dkey, dvalue in zip(pvalue.keys, pvalue.values):
                        if source.string_value(dkey) == "description":
                            desc = source.string_value(dvalue) or ""
                            span = source.span(dvalue)
                params.append(ToolParam(pname, desc, span))
            return params
    return []


def python_tools(text: str, tree: Optional[ast.Module] = None) -> list[ToolDecl]:
    """Decorated tool functions and ``Tool(...)`` objects; ``tree`` is the parsed ``text`` if at hand."""
    if tree is None:
        tree = python_tree.parse(text)
        if tree is None:
            return []
    source = _PySource(text, tree)
    tools = []
    # a Tool(...) call can be anywhere in an expression; decorated functions are statements, and
    # only statements need visiting when the file cannot name Tool (a non-ASCII identifier can
    # normalise to it)
    may_call_tool = "Tool" in text or not text.isascii()
    for node in ast.walk(tree) if may_call_tool else python_tree.walk_statements(tree):
        decl = None
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.decorator_list:
            decl = _python_function_tool(node, source)
        elif isinstance(node, ast.Call):
            decl = _python_tool_object(node, source)
        if decl is not None:
            tools.append(decl)
    return tools


# -- JavaScript / TypeScript / JSON tokens ---------------------------------------------------------

@dataclass
class Token:
    kind: str  # ident, string, template, number, punct, regex
    text: str
    start: int
    end: int
    value: str = ""  # decoded value of string and template literals


_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_REGEX_PRECEDERS = {"return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case",
                    "do", "else", "yield", "await"}
_PUNCT3 = ("===", "!==", "...", "**=", "<<=", ">>=", ">>>", "&&=", "||=", "??=")
_PUNCT2 = ("=>", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "++", "--", "+=", "-=", "*=", "/=", "%=",
           "&=", "|=", "^=", "**", "<<", ">>")


def _decode_escape(text: str, i: int) -> tuple[str, int]:
    """Decode the escape starting at text[i] == '\\'; return (value, index after it)."""
    if i + 1 >= len(text):
        return "", i + 1
    c = text[i + 1]
    if c in _SIMPLE_ESCAPES and not (c == "0" and i + 2 < len(text) and text[i + 2].isdigit()):
        return _SIMPLE_ESCAPES[c], i + 2
    if c == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[i + 2:i + 4]):
        return chr(int(text[i + 2:i + 4], 16)), i + 4
    if c == "u":
        if text[i + 2:i + 3] == "{":
            close = text.find("}", i + 3)
            digits = text[i + 3:close] if close != -1 else ""
            if digits and re.fullmatch(r"[0-9a-fA-F]{1,6}", digits) and int(digits, 16) <= 0x10FFFF:
                return chr(int(digits, 16)), close + 1
        elif re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2:i + 6]):
            code = int(text[i + 2:i + 6], 16)
            if 0xD800 <= code < 0xDC00 and text[i + 6:i + 8] == "\\u" and \
                    re.fullmatch(r"[dD][c-fC-F][0-9a-fA-F]{2}", text[i + 8:i + 12]):
                low = int(text[i + 8:i + 12], 16)
                return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)), i + 12
            return chr(code), i + 6
    if c == "\r":
        return "", i + (3 if text[i + 2:i + 3] == "\n" else 2)
    if c in "\n\u2028\u2029":
        return "", i + 2
    return c, i + 2


def _scan_template(text: str, i: int) -> tuple[str, int]:
    """A `…` literal starting at i; substitutions keep their source text as ${…}."""
    out = []
    j = i + 1
    n = len(text)
    while j < n:
        c = text[j]
        if c == "`":
            return "".join(out), j + 1
        if c == "\\":
            value, j = _decode_escape(text, j)
            out.append(value)
            continue
        if c == "$" and text[j + 1:j + 2] == "{":
            end = _skip_substitution(text, j + 2)
            out.append(text[j:end])
            j = end
            continue
        out.append(c)
        j += 1
    return "".join(out), n


def _skip_substitution(text: str, j: int) -> int:
    depth = 1
    n = len(text)
    while j < n:
        c = text[j]
        if c in "'\"":
            m = _MASTER.match(text, j)
            j = m.end() if m is not None and m.lastgroup == "string" else j + 1
            continue
        if c == "`":
            _, j = _scan_template(text, j)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return n


def _regex_allowed(prev: Optional[Token]) -> bool:
    if prev is None:
        return True
    if prev.kind in ("string", "template", "number", "regex"):
        return False
    if prev.kind == "ident":
        return prev.text in _REGEX_PRECEDERS
    return prev.text not in (")", "]", "}")


def _scan_regex(text: str, i: int) -> Optional[int]:
    j = i + 1
    in_class = False
    n = len(text)
    while j < n:
        c = text[j]
        if c == "\n":
            return None
        if c == "\\":
            j += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            j += 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            return j
        j += 1
    return None


_PUNCT = "|".join(re.escape(p) for p in (*_PUNCT3, *_PUNCT2))
_MASTER = lazy(
    r"(?P<ws>\s+)|(?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))"
    r"|(?P<ident>[A-Za-z_$\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)"
    r"|(?P<number>(?:0[xXoObB][0-9a-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)n?)"
    r"|(?P<string>\"(?:[^\"\\\n]|\\(?:.|\n))*\"?|'(?:[^'\\\n]|\\(?:.|\n))*'?)"
    r"|(?P<template>`)|(?P<slash>/)"
    r"|(?P<punct>" + _PUNCT + r"|.)",
    re.DOTALL,
)
_ESCAPE = lazy(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|0(?!\d)|\r\n|[\s\S])")


def _escape_value(m: re.Match[str]) -> str:
    body = m.group(1)
    if body.startswith("u{"):
        code = int(body[2:-1], 16)
        return chr(code) if code <= 0x10FFFF else body
    if body[0] in "ux" and len(body) > 1:
        return chr(int(body[1:], 16))
    if body in ("\r\n", "\n", "\r", "\u2028", "\u2029"):
        return ""
    return _SIMPLE_ESCAPES.get(body, body)


def decode_string_literal(raw: str) -> str:
    """The value of a quoted JavaScript/JSON string literal (quotes included in ``raw``)."""
    body = raw[1:-1] if len(raw) >= 2 and raw[-1] == raw[0] else raw[1:]
    if "\\" not in body:
        return body
    value = _ESCAPE.sub(_escape_value, body)
    try:  # join \uD83D\uDE00 style surrogate pairs
        return value.encode("utf-16", "surrogatepass").decode("utf-16")
    except UnicodeError:
        return value


def tokenize(text: str) -> list[Token]:
    """Tokens of JavaScript, TypeScript or JSON, without comments; tolerant of what it does not know."""
    tokens: list[Token] = []
    i = 0
    n = len(text)
    prev: Optional[Token] = None
    match = _MASTER.match
    while i < n:
        m = match(text, i)
        kind = m.lastgroup  # type: ignore[union-attr]
        j = m.end()  # type: ignore[union-attr]
        if kind in ("ws", "comment"):
            i = j
            continue
        if kind == "string":
            tok = Token("string", text[i:j], i, j, decode_string_literal(text[i:j]))
        elif kind == "template":
            value, j = _scan_template(text, i)
            tok = Token("template", text[i:j], i, j, value)
        elif kind == "slash":
            end = _scan_regex(text, i) if _regex_allowed(prev) else None
            if end is not None:
                tok = Token("regex", text[i:end], i, end)
            else:
                op = "/=" if text.startswith("/=", i) else "/"
                tok = Token("punct", op, i, i + len(op))
        else:
            tok = Token(kind or "punct", text[i:j], i, j)  # type: ignore[arg-type]
        tokens.append(tok)
        prev = tok
        i = tok.end
    return tokens


# -- values over tokens ----------------------------------------------------------------------------

@dataclass
class Node:
    """A value found in source: an object literal, an array, a string expression, or anything else."""

    kind: str  # object, array, string, other
    start: int  # token index of the first token
    end: int  # token index after the last token
    entries: list[tuple[str, Token, "Node"]] = field(default_factory=list)
    items: list["Node"] = field(default_factory=list)
    value: str = ""

    def get(self, key: str) -> Optional["Node"]:
        for k, _, v in self.entries:
            if k == key:
                return v
        return None

    def key_token(self, key: str) -> Optional[Token]:
        for k, t, _ in self.entries:
            if k == key:
                return t
        return None


_CLOSERS = {")", "]", "}"}
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_STRING_METHODS = {"trim", "trimStart", "trimEnd", "trimLeft", "trimRight", "normalize"}


class ValueParser:
    """Object, array and string-expression values of a token list; memoised per start token."""

    def __init__(self, tokens: list[Token], constants: Optional[dict[str, str]] = None):
        self.tokens = tokens
        self.constants = constants or {}
        self._memo: dict[int, Optional[Node]] = {}
        self._closer: Optional[list[int]] = None

    def tok(self, i: int) -> Optional[Token]:
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def is_punct(self, i: int, text: str) -> bool:
        t = self.tok(i)
        return t is not None and t.kind == "punct" and t.text == text

    def closers(self) -> list[int]:
        """For each opener, the index of the bracket that closes it (len(tokens) when none does),
        computed once so skipping a bracketed group costs one step however deep it nests."""
        if self._closer is None:
            n = len(self.tokens)
            closer = [n] * n
            open_at: list[int] = []
            for k, t in enumerate(self.tokens):
                if t.kind == "punct":
                    if t.text in _OPENERS:
                        open_at.append(k)
                    elif t.text in _CLOSERS and open_at:
                        closer[open_at.pop()] = k
            self._closer = closer
        return self._closer

    def skip_expression(self, i: int) -> int:
        """Index of the `,` or closer that ends the expression starting at i (depth 0)."""
        n = len(self.tokens)
        closer = self.closers()
        while i < n:
            t = self.tokens[i]
            if t.kind == "punct":
                if t.text in _OPENERS:
                    i = closer[i]
                elif t.text in _CLOSERS or t.text in (",", ";"):
                    return i
            i += 1
        return n

    def matching(self, i: int) -> int:
        """Index after the bracket that closes the opener at i."""
        t = self.tok(i)
        if t is not None and t.kind == "punct" and t.text in _OPENERS:
            return min(self.closers()[i] + 1, len(self.tokens))
        depth = 0
        n = len(self.tokens)
        while i < n:
            t = self.tokens[i]
            if t.kind == "punct":
                if t.text in _OPENERS:
                    depth += 1
                elif t.text in _CLOSERS:
                    depth -= 1
                    if depth == 0:
                        return i + 1
            i += 1
        return n

    def value(self, i: int) -> Node:
        t = self.tok(i)
        if t is not None and t.kind == "punct" and t.text == "{":
            obj = self.object(i)
            if obj is not None and self._ends_value(obj.end):
                return obj
        if t is not None and t.kind == "punct" and t.text == "[":
            arr = self.array(i)
            if arr is not None and self._ends_value(arr.end):
                return arr
        string = self.string_expression(i)
        if string is not None:
            return string
        end = self.skip_expression(i)
        return Node("other", i, end)

    def _ends_value(self, i: int) -> bool:
        t = self.tok(i)
        return t is None or (t.kind == "punct" and t.text in (",", ")", "]", "}", ";"))

    def object(self, i: int) -> Optional[Node]:
        if i in self._memo:
            return self._memo[i]
        self._memo[i] = None
        try:
            node = self._object(i)
        except RecursionError:
            node = None
        self._memo[i] = node
        return node

    def _object(self, i: int) -> Optional[Node]:
        node = Node("object", i, i)
        j = i + 1
        while True:
            t = self.tok(j)
            if t is None:
                return None
            if t.kind == "punct" and t.text == "}":
                node.end = j + 1
                return node
            if t.kind == "punct" and t.text == "...":
                j = self.skip_expression(j + 1)
            elif t.kind == "punct" and t.text == "[":
                j = self.matching(j)
                if not self.is_punct(j, ":"):
                    return None
                j = self.value(j + 1).end
            elif t.kind in ("ident", "string", "number"):
                key = t.value if t.kind == "string" else t.text
                nxt = self.tok(j + 1)
                if nxt is not None and nxt.kind == "punct" and nxt.text == ":":
                    val = self.value(j + 2)
                    node.entries.append((key, t, val))
                    j = val.end
                elif nxt is not None and nxt.kind == "punct" and nxt.text in (",", "}") and t.kind == "ident":
                    node.entries.append((key, t, Node("other", j, j + 1, value=t.text)))
                    j += 1
                elif nxt is not None and nxt.kind == "punct" and nxt.text == "(":
                    j = self.matching(j + 1)
                    if self.is_punct(j, ":"):  # return type annotation
                        while j < len(self.tokens) and not self.is_punct(j, "{"):
                            j += 1
                    if not self.is_punct(j, "{"):
                        return None
                    j = self.matching(j)
                elif t.kind == "ident" and t.text in ("get", "set", "async") and nxt is not None and \
                        nxt.kind in ("ident", "string"):
                    j += 1
                    continue
                else:
                    return None
            else:
                return None
            t = self.tok(j)
            if t is None:
                return None
            if t.kind == "punct" and t.text == ",":
                j += 1
            elif not (t.kind == "punct" and t.text == "}"):
                return None

    def array(self, i: int) -> Optional[Node]:
        node = Node("array", i, i)
        j = i + 1
        while True:
            t = self.tok(j)
            if t is None:
                return None
            if t.kind == "punct" and t.text == "]":
                node.end = j + 1
                return node
            item = self.value(j)
            node.items.append(item)
            j = item.end
            t = self.tok(j)
            if t is not None and t.kind == "punct" and t.text == ",":
                j += 1
            elif not (t is not None and t.kind == "punct" and t.text == "]"):
                return None

    def string_expression(self, i: int) -> Optional[Node]:
        """String literals and templates joined by `+`, in parentheses, `[...].join(sep)`, `.trim()`."""
        j = i
        opened = 0
        while self.is_punct(j, "("):
            opened += 1
            j += 1
        parts: list[str] = []
        literal = False
        while True:
            t = self.tok(j)
            if t is None:
                return None
            if t.kind in ("string", "template"):
                parts.append(t.value)
                literal = True
                j += 1
            elif t.kind == "ident" and self.tok(j + 1) is not None and self.tokens[j + 1].kind == "template":
                parts.append(self.tokens[j + 1].value)  # tagged template such as dedent`…`
                literal = True
                j += 2
            elif t.kind == "punct" and t.text == "[":
                joined = self._joined_array(j)
                if joined is None:
                    return None
                parts.append(joined[0])
                literal = True
                j = joined[1]
            elif t.kind == "ident" and t.text in self.constants:
                parts.append(self.constants[t.text])
                literal = True
                j += 1
            elif t.kind == "ident" and literal:
                end = self.skip_expression_operand(j)
                parts.append("${" + " ".join(x.text for x in self.tokens[j:end]) + "}")
                j = end
            else:
                return None
            while self.is_punct(j, ".") and self.tok(j + 1) is not None and \
                    self.tokens[j + 1].text in _STRING_METHODS and self.is_punct(j + 2, "(") and \
                    self.is_punct(j + 3, ")"):
                if self.tokens[j + 1].text.startswith("trim"):
                    parts[-1] = parts[-1].strip()
                j += 4
            if self.is_punct(j, "+"):
                j += 1
                continue
            break
        while opened and self.is_punct(j, ")"):
            opened -= 1
            j += 1
        if opened or not literal or not self._ends_value(j):
            return None
        return Node("string", i, j, value="".join(parts))

    def skip_expression_operand(self, j: int) -> int:
        """An identifier operand of a concatenation: a.b.c, a[b], f(x)."""
        n = len(self.tokens)
        j += 1
        while j < n:
            if self.is_punct(j, ".") and self.tok(j + 1) is not None and self.tokens[j + 1].kind == "ident":
                j += 2
            elif self.is_punct(j, "(") or self.is_punct(j, "["):
                j = self.matching(j)
            else:
                break
        return j

    def _joined_array(self, j: int) -> Optional[tuple[str, int]]:
        arr = self.array(j)
        if arr is None or not all(item.kind == "string" for item in arr.items):
            return None
        k = arr.end
        if not (self.is_punct(k, ".") and self.tok(k + 1) is not None and self.tokens[k + 1].text == "join"
                and self.is_punct(k + 2, "(")):
            return None
        sep_tok = self.tok(k + 3)
        if self.is_punct(k + 3, ")"):
            return ",".join(item.value for item in arr.items), k + 4
        if sep_tok is not None and sep_tok.kind in ("string", "template") and self.is_punct(k + 4, ")"):
            return sep_tok.value.join(item.value for item in arr.items), k + 5
        return None

    def arguments(self, i: int) -> list[Node]:
        """The arguments of a call whose `(` is at i."""
        args = []
        j = i + 1
        while True:
            t = self.tok(j)
            if t is None or (t.kind == "punct" and t.text == ")"):
                return args
            node = self.value(j)
            args.append(node)
            j = node.end
            if self.is_punct(j, ","):
                j += 1
            elif not self.is_punct(j, ")"):
                return args

    def to_python(self, node: Node) -> Any:
        if node.kind == "object":
            return {k: self.to_python(v) for k, _, v in node.entries}
        if node.kind == "array":
            return [self.to_python(v) for v in node.items]
        if node.kind == "string":
            return node.value
        return " ".join(t.text for t in self.tokens[node.start:node.end])


def _js_constants(tokens: list[Token]) -> dict[str, str]:
    """`const NAME = "…"` (string literals and their concatenation) anywhere in the file."""
    out: dict[str, str] = {}
    parser = ValueParser(tokens)
    for i, t in enumerate(tokens):
        if t.kind == "ident" and t.text in ("const", "let", "var"):
            name = parser.tok(i + 1)
            if name is not None and name.kind == "ident" and parser.is_punct(i + 2, "="):
                node = parser.string_expression(i + 3)
                if node is not None:
                    out[name.text] = node.value
    return out


class _JsExtractor:
    def __init__(self, text: str, tokens: list[Token]):
        self.index = LineIndex(text)
        self.parser = ValueParser(tokens, _js_constants(tokens))
        self.tokens = tokens

    def span(self, node: Node) -> Span:
        start = self.tokens[node.start].start
        end = self.tokens[max(node.end - 1, node.start)].end
        return self.index.span(start, end)

    def token_span(self, tok: Token) -> Span:
        return self.index.span(tok.start, tok.end)

    def schema_text(self, node: Optional[Node]) -> str:
        if node is None:
            return ""
        return " ".join(t.text for t in self.tokens[node.start:node.end])

    def params(self, schema: Optional[Node]) -> list[ToolParam]:
        """Parameters of a JSON schema object, a zod shape `{a: z.string().describe(…)}`, or z.object({…})."""
        if schema is None:
            return []
        if schema.kind == "other":
            for k in range(schema.start, schema.end):
                if self.parser.is_punct(k, "{"):
                    inner = self.parser.object(k)
                    if inner is not None:
                        schema = inner
                        break
            else:
                return []
        if schema.kind != "object":
            return []
        props = schema.get("properties")
        if props is not None and props.kind == "object":
            out = []
            for name, key_tok, value in props.entries:
                desc = value.get("description") if value.kind == "object" else None
                if desc is not None and desc.kind == "string":
                    out.append(ToolParam(name, desc.value, self.span(desc)))
                else:
                    out.append(ToolParam(name, "", self.token_span(key_tok)))
            return out
        out = []
        for name, key_tok, value in schema.entries:
            described = self._describe_call(value)
            if described is not None:
                out.append(ToolParam(name, described.value, self.span(described)))
            else:
                out.append(ToolParam(name, "", self.token_span(key_tok)))
        return out

    def _describe_call(self, value: Node) -> Optional[Node]:
        for k in range(value.start, value.end):
            t = self.tokens[k]
            if t.kind == "ident" and t.text == "describe" and self.parser.is_punct(k - 1, ".") and \
                    self.parser.is_punct(k + 1, "("):
                node = self.parser.string_expression(k + 2)
                if node is not None:
                    return node
        return None

    def decl(self, name: str, desc: Optional[Node], declared: Span, schema: Optional[Node]) -> ToolDecl:
        return ToolDecl(name=name, description=desc.value if desc is not None else None,
                        description_span=self.span(desc) if desc is not None else None,
                        declaration_span=declared, schema=self.schema_text(schema),
                        schema_span=self.span(schema) if schema is not None else None,
                        params=self.params(schema))

    def from_calls(self) -> Iterator[ToolDecl]:
        p = self.parser
        for i, t in enumerate(self.tokens):
            if t.kind != "ident" or t.text not in ("tool", "registerTool", "addTool") or \
                    not p.is_punct(i - 1, ".") or not p.is_punct(i + 1, "("):
                continue
            args = p.arguments(i + 1)
            declared = self.token_span(t)
            if t.text == "addTool":
                if args and args[0].kind == "object":
                    decl = self.from_object(args[0], declared)
                    if decl is not None:
                        yield decl
                continue
            if not args or args[0].kind != "string":
                continue
            name = args[0].value
            if t.text == "registerTool":
                config = args[1] if len(args) > 1 and args[1].kind == "object" else None
                if config is None:
                    continue
                desc = config.get("description")
                schema = config.get("inputSchema")
                yield self.decl(name, desc if desc is not None and desc.kind == "string" else None,
                                self.span(args[0]), schema)
                continue
            rest = args[1:]
            desc = rest[0] if rest and rest[0].kind == "string" else None
            if desc is not None:
                rest = rest[1:]
            schema = rest[0] if len(rest) > 1 and rest[0].kind in ("object", "other") and \
                not self._looks_like_function(rest[0]) else None
            yield self.decl(name, desc, self.span(args[0]), schema)

    def _looks_like_function(self, node: Node) -> bool:
        texts = [t.text for t in self.tokens[node.start:node.end]]
        return "=>" in texts or (bool(texts) and texts[0] in ("function", "async"))

    def from_object(self, obj: Node, declared: Optional[Span] = None,
                    in_tools_array: bool = False) -> Optional[ToolDecl]:
        name = obj.get("name")
        desc = obj.get("description")
        if name is None or desc is None or name.kind != "string" or desc.kind != "string":
            return None
        schema = obj.get("inputSchema") or obj.get("input_schema") or obj.get("parameters")
        has_schema_key = obj.get("inputSchema") is not None or obj.get("input_schema") is not None
        is_fastmcp = obj.get("execute") is not None and obj.get("parameters") is not None
        if not (in_tools_array or has_schema_key or is_fastmcp):
            return None
        return self.decl(name.value, desc, declared or self.span(name), schema)

    def from_objects(self) -> Iterator[ToolDecl]:
        p = self.parser
        seen: set[int] = set()
        for i, t in enumerate(self.tokens):
            if t.kind != "punct" or t.text != "{":
                continue
            obj = p.object(i)
            if obj is None:
                continue
            tools = obj.get("tools")
            if tools is not None and tools.kind == "array":
                for item in tools.items:
                    if item.kind == "object" and item.start not in seen:
                        decl = self.from_object(item, in_tools_array=True)
                        if decl is not None:
                            seen.add(item.start)
                            yield decl
            if i not in seen:
                decl = self.from_object(obj)
                if decl is not None:
                    seen.add(i)
                    yield decl


def js_tools(text: str) -> list[ToolDecl]:
    tokens = tokenize(text)
    extractor = _JsExtractor(text, tokens)
    found = list(extractor.from_calls()) + list(extractor.from_objects())
    return _unique(found)


def json_tools(text: str) -> list[ToolDecl]:
    """Tools of a JSON manifest: objects with `name` and `description` in any `tools` array."""
    tokens = tokenize(text)
    extractor = _JsExtractor(text, tokens)
    out: list[ToolDecl] = []
    start = next((k for k, t in enumerate(tokens) if t.kind == "punct" and t.text in "{["), None)
    if start is None:
        return out
    root = extractor.parser.value(start)
    stack = [root]
    while stack:
        node = stack.pop()
        if node.kind == "object":
            tools = node.get("tools")
            if tools is not None and tools.kind == "array":
                for item in tools.items:
                    if item.kind == "object":
                        decl = extractor.from_object(item, in_tools_array=True)
                        if decl is not None:
                            decl.schema = _canonical(extractor.parser, item, ("inputSchema", "input_schema",
                                                                              "parameters", "arguments"))
                            out.append(decl)
            stack.extend(v for _, _, v in node.entries)
        elif node.kind == "array":
            stack.extend(node.items)
    return out


def _canonical(parser: ValueParser, obj: Node, keys: tuple[str, ...]) -> str:
    for key in keys:
        node = obj.get(key)
        if node is not None:
            return json.dumps(parser.to_python(node), sort_keys=True)
    return ""


# -- YAML ------------------------------------------------------------------------------------------

def _yaml_span(node: yaml.Node) -> Span:
    return Span(node.start_mark.line + 1, node.start_mark.column + 1, node.end_mark.line + 1,
                node.end_mark.column + 1)


def _yaml_get(node: yaml.MappingNode, key: str) -> Optional[yaml.Node]:
    import yaml  # only YAML manifests need it: imported when one is scanned
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _yaml_plain(node: yaml.Node) -> Any:
    import yaml  # only YAML manifests need it: imported when one is scanned
    if isinstance(node, yaml.MappingNode):
        return {str(getattr(k, "value", "")): _yaml_plain(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_yaml_plain(v) for v in node.value]
    return getattr(node, "value", None)


def _yaml_tool(item: yaml.MappingNode) -> Optional[ToolDecl]:
    import yaml  # only YAML manifests need it: imported when one is scanned
    name = _yaml_get(item, "name")
    desc = _yaml_get(item, "description")
    if not isinstance(name, yaml.ScalarNode) or not isinstance(desc, yaml.ScalarNode):
        return None
    schema_node = next((n for n in (_yaml_get(item, k) for k in ("inputSchema", "input_schema", "parameters",
                                                                    "arguments")) if n is not None), None)
    params: list[ToolParam] = []
    if isinstance(schema_node, yaml.MappingNode):
        props = _yaml_get(schema_node, "properties")
        if isinstance(props, yaml.MappingNode):
            for pk, pv in props.value:
                pdesc = _yaml_get(pv, "description") if isinstance(pv, yaml.MappingNode) else None
                if isinstance(pdesc, yaml.ScalarNode):
                    params.append(ToolParam(str(pk.value), str(pdesc.value), _yaml_span(pdesc)))
                else:
                    params.append(ToolParam(str(pk.value), "", _yaml_span(pk)))
    schema = json.dumps(_yaml_plain(schema_node), sort_keys=True) if schema_node is not None else ""
    return ToolDecl(name=str(name.value), description=str(desc.value), description_span=_yaml_span(desc),
                    declaration_span=_yaml_span(name), schema=schema,
                    schema_span=_yaml_span(schema_node) if schema_node is not None else None, params=params)


def yaml_tools(text: str) -> list[ToolDecl]:
    import yaml  # only YAML manifests need it: imported when one is scanned
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return []
    out = []
    stack: list[yaml.Node] = [d for d in documents if d is not None]
    seen: set[int] = set()  # aliases share nodes: each is visited once (no alias-bomb blow-up)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            tools = _yaml_get(node, "tools")
            if isinstance(tools, yaml.SequenceNode):
                for item in tools.value:
                    if isinstance(item, yaml.MappingNode):
                        decl = _yaml_tool(item)
                        if decl is not None:
                            out.append(decl)
            stack.extend(v for _, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return out


# -- dispatch --------------------------------------------------------------------------------------

def _unique(tools: list[ToolDecl]) -> list[ToolDecl]:
    seen: set[tuple] = set()
    out = []
    for t in tools:
        key = (t.name, t.report_span)
        if key not in seen:
            seen.add(key)
            out.append(t)
    return sorted(out, key=lambda t: (t.report_span.line, t.report_span.column))


# cheap signs that a file may declare tools, checked before any parsing (from their literals)
_MAY_DECLARE = {
    "python": Gate(lazy(r"@\s*[\w.]*\btool\b|\bTool\s*\("), ("@", "Tool"), anchored=True),
    "javascript": Gate(lazy(r"\.(?:tool|registerTool|addTool)\s*\(|\binput_?[sS]chema\b|\btools['\"]?\s*:"),
                       (".tool", ".registerTool", ".addTool", "input", "tools"), anchored=True),
    "json": Gate(lazy(r"\"tools\"\s*:"), ('"tools"',), anchored=True),
    "yaml": Gate(lazy(r"(?m)^\s*['\"]?tools['\"]?\s*:"), ("tools",), reach=200),
}
_EXTRACTORS = {"python": python_tools, "javascript": js_tools, "json": json_tools, "yaml": yaml_tools}


def extract_tools(path: str, text: str, unit: Optional[TextUnit] = None) -> list[ToolDecl]:
    """The tools declared in a file, by its language; [] for anything else. ``unit``, when ``text``
    is its whole file, lends the file's shared Python tree."""
    lang = language_of(path)
    if lang == "typescript":
        lang = "javascript"
    if lang not in _EXTRACTORS or not text or len(text) > MAX_SOURCE_CHARS or not _MAY_DECLARE[lang].search(text):
        return []
    if lang == "python" and unit is not None:
        tree = python_tree.tree_of(unit)
        return _unique(python_tools(text, tree)) if tree is not None else []
    return _unique(_EXTRACTORS[lang](text))


def unit_tools(unit: TextUnit) -> list[ToolDecl]:
    """Tools of the unit's whole file, extracted once per file."""
    if "tool_metadata" not in unit.memo:
        unit.memo["tool_metadata"] = [] if unit.partial else extract_tools(unit.path, unit.full_text(), unit)
    return unit.memo["tool_metadata"]


# -- what a poisoned description says --------------------------------------------------------------

class DescriptionPattern:
    """A case-insensitive pattern for descriptions, compiled on first use and tried only on text that
    holds one of ``literals``: lower-case strings, at least one of which lies in every match.

    Most descriptions hold none of a pattern's literals, so a hook run compiles few of these. The
    literal test is exact for ASCII text; other text (where case folding can change a letter's
    width or map a non-ASCII letter onto an ASCII one) always goes to the pattern.
    """

    def __init__(self, pattern: str, literals: tuple[str, ...]):
        self.regex = lazy(pattern, re.IGNORECASE | re.DOTALL)
        self.literals = literals

    def may_match(self, text: str) -> bool:
        if not text.isascii():
            return True
        lowered = text.lower()
        return any(literal in lowered for literal in self.literals)

    def search(self, text: str) -> Optional[re.Match[str]]:
        return self.regex.search(text) if self.may_match(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text) if self.may_match(text) else iter(())


def _rx(pattern: str, *literals: str) -> DescriptionPattern:
    return DescriptionPattern(pattern, literals)


_HIDDEN_STRONG = [
    _rx(r"<\s*/?\s*(?:important|system|instructions?|secret|hidden|admin|critical|system[_ -]?prompt|"
        r"assistant[_ -]?instructions?|ai[_ -]?instructions?|note[_ -]?to[_ -]?(?:ai|assistant|model|llm))\s*>", "<"),
    _rx(r"\[/?(?:INST|SYSTEM)\]|<<\s*SYS\s*>>|<\|(?:im_start|system|im_end)\|>", "[", "<"),
    _rx(r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+)?"
        r"(?:previous|prior|above|earlier|preceding|other|original|system)\s+(?:instructions|directions|rules|"
        r"prompts?|guidelines|messages)", "ignore", "disregard", "forget", "override"),
    _rx(r"\b(?:do\s+not|don'?t|never)\s+(?:tell|mention|inform|notify|alert|reveal|disclose)\s+"
        r"(?:this\s+|it\s+|anything\s+|that\s+)?(?:to\s+)?(?:the\s+)?users?\b", "user"),
    _rx(r"\bwithout\s+(?:telling|informing|notifying|alerting|asking)\s+(?:the\s+)?users?\b", "without"),
    _rx(r"\b(?:the\s+)?user\s+(?:must|should|will|need)\s+(?:not|never)\s+(?:know|be\s+told|be\s+informed|"
        r"notice|find\s+out|see\s+this)", "user"),
    _rx(r"\b(?:keep|hide)\s+(?:this|these\s+instructions|it)\s+(?:secret\s+|hidden\s+)?from\s+the\s+user", "user"),
    _rx(r"\bbefore\s+(?:using|calling|invoking|running)\s+this\s+tool\b[^.]{0,80}?\b(?:read|cat|open)\b", "before"),
    _rx(r"\b(?:system|admin|developer)\s+(?:override|instructions?|prompt)\s*:", "system", "admin", "developer"),
]
_HIDDEN_WEAK = [
    _rx(r"\bthis\s+is\s+(?:very|extremely|really|super|critically)\s+important\b", "important"),
]

_SENSITIVE_STRONG = _rx(
    r"~?/?\.ssh\b|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\.aws/(?:credentials|config)\b|\.gnupg\b|\.netrc\b|"
    r"\.git-credentials\b|\.docker/config\.json|\.kube/config\b|/etc/(?:passwd|shadow|sudoers)\b|"
    r"claude_desktop_config\.json|\.cursor/mcp\.json|(?<![\w-])mcp\.json\b|\bkeychains?\b|\.pypirc\b|"
    r"\.npmrc\b|wallet\.dat\b|\.config/gcloud\b|\.bash_history\b|\.zsh_history\b|\.password-store\b",
    ".ssh", "id_", ".aws/", ".gnupg", ".netrc", ".git-credentials", ".docker/", ".kube/", "/etc/",
    "claude_desktop_config.json", "mcp.json", "keychain", ".pypirc", ".npmrc", "wallet.dat", ".config/gcloud",
    "_history", ".password-store")
_SENSITIVE_WEAK = _rx(r"(?<![\w./-])(?:~/|\./)?\.env(?:\.(?:local|production|prod))?(?![\w-])", ".env")
# searched only around a sensitive path that was found: compiled when first needed
_READ_VERB = lazy(r"\b(?:read|reads|reading|cat|open|load|fetch|get|retrieve|include|attach|send|upload|pass|"
                  r"provide|copy|paste|dump|print|extract|contents?\s+of|output)\b", re.IGNORECASE | re.DOTALL)

_OTHER_TOOL = r"[`'\"]?([A-Za-z_][\w.-]*)[`'\"]?"
_SHADOW_NAMED = [
    _rx(r"\bwhen(?:ever)?\s+(?:the|a|any)\s+" + _OTHER_TOOL + r"\s+tool\s+is\s+(?:used|called|invoked|executed|run)",
        "when"),
    _rx(r"\bwhen(?:ever)?\s+(?:you|the\s+assistant|the\s+model|the\s+agent)\s+(?:use|call|invoke|run)s?\s+"
        r"(?:the\s+)?" + _OTHER_TOOL + r"\s+tool\b", "when"),
    _rx(r"\binstead\s+of\s+(?:using\s+|calling\s+)?(?:the\s+)?" + _OTHER_TOOL + r"\s+tool\b", "instead"),
    _rx(r"\bthe\s+" + _OTHER_TOOL + r"\s+tool\s+(?:must|should|has\s+to|needs\s+to)\s+(?:also\s+|always\s+|now\s+)?"
        r"(?:send|forward|include|add|use|bcc|cc|call|be\s+called)", "must", "should", "has", "needs"),
]
_SHADOW_GENERIC = [
    _rx(r"\bside[- ]effects?\s+on\s+(?:the\s+)?(?:also\s+present\s+|other\s+|all\s+)?[\w`'\"-]*\s*tools?\b",
        "side"),
    _rx(r"\bbefore\s+(?:calling|using|invoking)\s+(?:any|every|all)\s+(?:other\s+)?tools?\b", "before"),
    _rx(r"\b(?:all|any|every)\s+(?:outgoing\s+)?(?:e-?mails?|messages)\s+(?:must|should|need\s+to|have\s+to)\s+"
        r"(?:be\s+sent|go|be\s+(?:forwarded|copied|bcc'?d))\s+to\b", "mail", "message"),
    _rx(r"\b(?:bcc|cc|forward|redirect|send)\b[^.]{0,60}?\b(?:all|every|each|a\s+copy\s+of)\b[^.]{0,60}?"
        r"[\w.+-]+@[\w-]+\.[\w.]+", "@"),
    _rx(r"\b(?:change|replace|set)\s+the\s+(?:recipient|to[- ]address|destination\s+address)\b[^.]{0,40}?"
        r"[\w.+-]+@[\w-]+\.[\w.]+", "@"),
]

_EXFIL_PAYLOAD_DATA = (
    r"(?:(?:entire|full|whole|complete|previous|prior|all)\s+)?(?:conversation|chat)(?:\s+history)?\b|"
    r"\bmessage\s+history\b|\bprevious\s+messages\b|\bsystem\s+prompt\b|\b(?:your|the)\s+instructions\b|"
    r"\bcontents?\s+of\s+(?:the\s+)?(?:file|~|/|\.|any|all|every)|\bfile\s+contents?\b|"
    r"\bprivate\s+keys?\b|\benvironment\s+variables\b|\benv\s+vars\b|~/\.|/etc/|\.ssh\b|"
    r"\bits\s+contents?\b|\bthe\s+contents?\b"
)
_EXFIL_PAYLOAD_CREDENTIALS = r"\bcredentials?\b|\bapi[\s_-]?keys?\b|\bsecrets?\b|\bpasswords?\b"
_EXFIL_PAYLOAD = _EXFIL_PAYLOAD_DATA + "|" + _EXFIL_PAYLOAD_CREDENTIALS
# one of these lies in every match of _EXFIL_PAYLOAD
_EXFIL_PAYLOAD_LITERALS = ("conversation", "chat", "message", "system", "instructions", "content", "private", "env",
                           "~/.", "/etc/", ".ssh", "credential", "api", "secret", "password")
_EXFIL_PARAM_DESC = _rx(
    r"\b(?:include|put|pass|provide|add|insert|paste|copy|fill|append|place|send|write|attach|dump|"
    r"enter|supply|store)\b[^.]{0,80}?(?:" + _EXFIL_PAYLOAD + r")", *_EXFIL_PAYLOAD_LITERALS)
_EXFIL_PARAM_DESC_PASSIVE = _rx(
    r"(?:" + _EXFIL_PAYLOAD + r")[^.]{0,60}?\b(?:goes|go|belongs?|should\s+be\s+(?:placed|put|included|passed)|"
    r"must\s+be\s+(?:placed|put|included|passed))\b", *_EXFIL_PAYLOAD_LITERALS)
_CREDENTIAL_PARAM = lazy(r"(?:key|token|secret|password|passwd|pwd|credential|auth)", re.IGNORECASE | re.DOTALL)
_DATA_WORDS = lazy(_EXFIL_PAYLOAD_DATA, re.IGNORECASE | re.DOTALL)
_EXFIL_INTO = (r"\b(?:pass|put|include|send|provide|add|insert|place|append|paste|copy|write)\b([^.]{0,100}?)"
               r"\b(?:as|in|into|inside|via|through|to|using)\s+(?:the\s+)?[`'\"]?(NAMES)[`'\"]?"
               r"(?![\w-])")
# a match of _EXFIL_INTO signals only when its middle holds a payload or a sensitive path
_EXFIL_INTO_LITERALS = _EXFIL_PAYLOAD_LITERALS + _SENSITIVE_STRONG.literals

_BASE64_RUN = lazy(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/]{40,}={0,2}(?![A-Za-z0-9+/_-])")


@dataclass(frozen=True)
class Signal:
    """One reason a description is suspicious."""

    kind: str  # hidden, sensitive-file, shadowing, exfiltration, long, encoded
    phrase: str
    span: Span
    confidence: Confidence
    detail: str = ""
    decoded: str = ""


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1] + "…"


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_TAGS_TO_ASCII = {code: code - 0xE0000 for code in range(0xE0020, 0xE007F)}


def model_view(text: str) -> str:
    """The text as a model reads it: tag characters become the ASCII they encode, zero-width
    characters disappear."""
    if text.isascii():
        return text
    return text.translate(_INVISIBLE).translate(_TAGS_TO_ASCII)


def hidden_instruction_signals(tool: ToolDecl) -> Iterator[Signal]:
    text = model_view(tool.description or "")
    for pattern in _HIDDEN_STRONG:
        m = pattern.search(text)
        if m:
            yield Signal("hidden", m.group(0), tool.report_span, Confidence.HIGH)
            return
    for pattern in _HIDDEN_WEAK:
        m = pattern.search(text)
        if m:
            yield Signal("hidden", m.group(0), tool.report_span, Confidence.MEDIUM)
            return


def _texts(tool: ToolDecl) -> Iterator[tuple[str, Span]]:
    if tool.description:
        yield model_view(tool.description), tool.report_span
    for param in tool.params:
        if param.description and param.span is not None:
            yield model_view(param.description), param.span


def sensitive_file_signals(tool: ToolDecl) -> Iterator[Signal]:
    instructed = any(True for _ in hidden_instruction_signals(tool))
    for text, span in _texts(tool):
        strong = _SENSITIVE_STRONG.search(text)
        match = strong or _SENSITIVE_WEAK.search(text)
        if match is None or is_protective(text, match.start(), match.end()):
            continue
        window = text[max(match.start() - 120, 0):match.end() + 120]
        verb = _READ_VERB.search(window)
        if strong and (verb or instructed):
            confidence = Confidence.HIGH if instructed or _EXFIL_PARAM_DESC.search(window) else Confidence.MEDIUM
        elif strong:
            confidence = Confidence.LOW
        elif verb and instructed:
            confidence = Confidence.HIGH
        else:
            continue
        yield Signal("sensitive-file", match.group(0), span, confidence)
        return


def shadowing_signals(tool: ToolDecl) -> Iterator[Signal]:
    text = model_view(tool.description or "")
    own = {tool.name.lower(), "this", "current", "same"}
    for pattern in _SHADOW_NAMED:
        for m in pattern.finditer(text):
            other = m.group(1).lower().strip("`'\"")
            if other in own:
                continue
            confidence = Confidence.MEDIUM if pattern is _SHADOW_NAMED[2] else Confidence.HIGH
            yield Signal("shadowing", m.group(0), tool.report_span, confidence, detail=f"names tool {m.group(1)}")
            return
    for pattern in _SHADOW_GENERIC:
        m = pattern.search(text)
        if m:
            yield Signal("shadowing", m.group(0), tool.report_span, Confidence.HIGH)
            return


def exfiltration_signals(tool: ToolDecl) -> Iterator[Signal]:
    for param in tool.params:
        if not param.description or param.span is None:
            continue
        described = model_view(param.description)
        m = _EXFIL_PARAM_DESC.search(described) or _EXFIL_PARAM_DESC_PASSIVE.search(described)
        if m is None or is_protective(described, m.start(), m.end()):
            continue
        if _CREDENTIAL_PARAM.search(param.name) and not _DATA_WORDS.search(m.group(0)):
            continue  # a credential parameter that asks for a credential is not exfiltration
        yield Signal("exfiltration", m.group(0), param.span, Confidence.HIGH, detail=f"parameter {param.name}")
        return
    names = [re.escape(p.name) for p in tool.params if len(p.name) > 1]
    if tool.description and names:
        pattern = _rx(_EXFIL_INTO.replace("NAMES", "|".join(sorted(names, key=len, reverse=True))),
                      *_EXFIL_INTO_LITERALS)
        for m in pattern.finditer(model_view(tool.description)):
            if is_protective(model_view(tool.description), m.start(), m.end()):
                continue
            if re.search(_EXFIL_PAYLOAD, m.group(1), re.IGNORECASE) or _SENSITIVE_STRONG.search(m.group(1)):
                yield Signal("exfiltration", m.group(0), tool.report_span, Confidence.HIGH,
                             detail=f"parameter {m.group(2)}")
                return


def long_description_signals(tool: ToolDecl, max_chars: int) -> Iterator[Signal]:
    if tool.description and len(tool.description) > max_chars:
        yield Signal("long", "", tool.report_span, Confidence.LOW,
                     detail=f"{len(tool.description)} characters (limit {max_chars})")


def _decoded_base64(run: str) -> Optional[str]:
    try:
        raw = base64.b64decode(run + "=" * (-len(run) % 4), validate=True)
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    printable = sum(ch.isprintable() or ch in "\n\t" for ch in text)
    return text if text and printable / len(text) > 0.95 else None


def encoded_payload_signals(tool: ToolDecl, min_length: int) -> Iterator[Signal]:
    for text, span in _texts(tool):
        if len(text) < 40:
            continue  # a run is 40 characters or more
        for m in _BASE64_RUN.finditer(text):
            run = m.group(0)
            if len(run) < min_length or "/" in run.strip("/") and run.count("/") > len(run) // 12:
                continue
            classes = sum(bool(re.search(p, run)) for p in (r"[a-z]", r"[A-Z]", r"\d"))
            if classes < 3 or shannon_entropy(run) < 4.0:
                continue
            decoded = _decoded_base64(run.rstrip("="))
            confidence = Confidence.HIGH if decoded else Confidence.MEDIUM
            yield Signal("encoded", run, span, confidence, decoded=_short(decoded, 200) if decoded else "")
            return


# -- detectors -------------------------------------------------------------------------------------

def _hits(unit: TextUnit, signals: Iterable[tuple[ToolDecl, Signal]], what: str) -> Iterator[Hit]:
    for tool, signal in signals:
        span = signal.span
        quoted = f": “{_short(signal.phrase)}”" if signal.phrase and signal.kind != "encoded" else ""
        detail = f" ({signal.detail})" if signal.detail else ""
        extra: dict[str, Any] = {"tool": tool.name}
        if signal.decoded:
            extra["decoded"] = signal.decoded
        yield Hit(span.line, span.column, span.end_line, span.end_column,
                  content=f"{tool.name}:{signal.kind}:{signal.phrase or signal.detail}",
                  message=f"{what} in tool '{tool.name}'{quoted}{detail}",
                  confidence=signal.confidence, extra=extra)


def _each(unit: TextUnit, check) -> Iterator[tuple[ToolDecl, Signal]]:
    for tool in unit_tools(unit):
        for signal in check(tool):
            yield tool, signal


@detector("tool_hidden_instructions")
def detect_hidden_instructions(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    return _hits(unit, _each(unit, hidden_instruction_signals), "Hidden instructions")


@detector("tool_sensitive_file_read")
def detect_sensitive_file_read(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    return _hits(unit, _each(unit, sensitive_file_signals), "Sensitive file named")


@detector("tool_shadowing")
def detect_shadowing(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    return _hits(unit, _each(unit, shadowing_signals), "Instructions about other tools")


@detector("tool_parameter_exfiltration")
def detect_parameter_exfiltration(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    return _hits(unit, _each(unit, exfiltration_signals), "Data requested through a parameter")


@detector("tool_long_description")
def detect_long_description(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    limit = int(rule.options.get("max_chars", 1500))
    return _hits(unit, _each(unit, lambda t: long_description_signals(t, limit)), "Long description")


@detector("tool_encoded_payload")
def detect_encoded_payload(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    min_length = int(rule.options.get("min_length", 40))
    return _hits(unit, _each(unit, lambda t: encoded_payload_signals(t, min_length)), "Encoded text")
