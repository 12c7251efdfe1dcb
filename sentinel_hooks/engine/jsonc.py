"""A tolerant, position-aware JSON parser for configuration files.

Accepts JSON with comments (``//``, ``/* */``), trailing commas, single-quoted strings and bare
keys, and records where every key and value starts and ends (1-based line and column, end column
exclusive), so a finding can point at the exact value in a file. The one reader of JSON found in
scanned files: configuration files and manifests (``parse``), single JSON string literals such as a
notebook's source lines (``string_literal``) and strict JSON objects such as a token's decoded
header (``strict_object``).
"""
from __future__ import annotations

import json
import re
from sentinel_hooks.records import field, record
from typing import Any, Iterator, Optional, Union

from sentinel_hooks import text_lines
from sentinel_hooks.engine.patterns import lazy

MAX_DEPTH = 256

_SKIP = lazy(r"(?:\s+|//[^\n]*|/\*.*?(?:\*/|\Z)|#[^\n]*)+", re.S)
_DOUBLE = lazy(r'"(?:[^"\\\n]|\\.)*"')
_SINGLE = lazy(r"'(?:[^'\\\n]|\\.)*'")
_NUMBER = lazy(r"[-+]?(?:0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|Infinity|NaN)")
_WORD = lazy(r"[A-Za-z_$][A-Za-z0-9_$]*")
_LITERALS = {"true": True, "false": False, "null": None}


class JsoncError(ValueError):
    """The text is not JSON even by the tolerant reading."""


@record
class Node:
    """A parsed value and the span of its text.

    ``kind`` is one of object, array, string, number, literal. ``value`` holds a list of Member for
    an object, a list of Node for an array, the decoded text for a string, the source text for a
    number and True/False/None for a literal.
    """

    kind: str
    value: Any
    line: int
    column: int
    end_line: int
    end_column: int
    raw: str = ""
    members_by_key: dict[str, "Member"] = field(default_factory=dict, repr=False)

    def get(self, key: str) -> Optional["Node"]:
        """The value of ``key`` in an object (the last one when a key repeats), else None."""
        if self.kind != "object":
            return None
        member = self.members_by_key.get(key)
        return member.value if member is not None else None

    def members(self) -> list["Member"]:
        return self.value if self.kind == "object" else []

    def items(self) -> list["Node"]:
        return self.value if self.kind == "array" else []

    @property
    def text(self) -> Optional[str]:
        """The decoded string of a string node, else None."""
        return self.value if self.kind == "string" else None

    def walk(self) -> Iterator["Node"]:
        yield self
        if self.kind == "object":
            for m in self.value:
                yield from m.value.walk()
        elif self.kind == "array":
            for item in self.value:
                yield from item.walk()


@record
class Member:
    key: Node
    value: Node

    @property
    def name(self) -> str:
        return self.key.value


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.starts = text_lines.line_starts(text)

    def where(self, offset: int) -> tuple[int, int]:
        return text_lines.position(self.starts, offset)

    def fail(self, what: str) -> JsoncError:
        line, col = self.where(self.pos)
        return JsoncError(f"{what} at line {line}, column {col}")

    def skip(self) -> None:
        m = _SKIP.match(self.text, self.pos)
        if m:
            self.pos = m.end()

    def node(self, kind: str, value: Any, start: int, end: int) -> Node:
        line, col = self.where(start)
        end_line, end_col = self.where(end)
        return Node(kind, value, line, col, end_line, end_col, self.text[start:end] if kind != "object"
                    and kind != "array" else "")

    def parse(self) -> Node:
        self.skip()
        root = self.value(0)
        self.skip()
        if self.pos < len(self.text):
            raise self.fail("unexpected text after the value")
        return root

    def value(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise self.fail("nesting too deep")
        if self.pos >= len(self.text):
            raise self.fail("unexpected end of text")
        ch = self.text[self.pos]
        if ch == "{":
            return self.obj(depth)
        if ch == "[":
            return self.array(depth)
        if ch in "\"'":
            return self.string()
        start = self.pos
        m = _NUMBER.match(self.text, self.pos)
        if m and m.end() > start:
            self.pos = m.end()
            return self.node("number", m.group(0), start, self.pos)
        m = _WORD.match(self.text, self.pos)
        if m and m.group(0) in _LITERALS:
            self.pos = m.end()
            return self.node("literal", _LITERALS[m.group(0)], start, self.pos)
        raise self.fail("unexpected character")

    def string(self) -> Node:
        start = self.pos
        quote = self.text[start]
        m = (_DOUBLE if quote == '"' else _SINGLE).match(self.text, start)
        if m is None:
            raise self.fail("unterminated string")
        self.pos = m.end()
        return self.node("string", _decode(m.group(0)), start, self.pos)

    def key(self) -> Node:
        if self.text[self.pos] in "\"'":
            return self.string()
        m = _WORD.match(self.text, self.pos)
        if m is None:
            raise self.fail("expected a key")
        self.pos = m.end()
        return self.node("string", m.group(0), m.start(), m.end())

    def obj(self, depth: int) -> Node:
        start = self.pos
        self.pos += 1
        members: list[Member] = []
        by_key: dict[str, Member] = {}
        while True:
            self.skip()
            if self.pos >= len(self.text):
                raise self.fail("unterminated object")
            if self.text[self.pos] == "}":
                self.pos += 1
                break
            key = self.key()
            self.skip()
            if self.pos >= len(self.text) or self.text[self.pos] != ":":
                raise self.fail("expected ':'")
            self.pos += 1
            self.skip()
            member = Member(key, self.value(depth + 1))
            members.append(member)
            by_key[key.value] = member
            self.skip()
            if self.pos < len(self.text) and self.text[self.pos] == ",":
                self.pos += 1
            elif self.pos < len(self.text) and self.text[self.pos] != "}":
                raise self.fail("expected ',' or '}'")
        node = self.node("object", members, start, self.pos)
        node.members_by_key = by_key
        return node

    def array(self, depth: int) -> Node:
        start = self.pos
        self.pos += 1
        items: list[Node] = []
        while True:
            self.skip()
            if self.pos >= len(self.text):
                raise self.fail("unterminated array")
            if self.text[self.pos] == "]":
                self.pos += 1
                break
            items.append(self.value(depth + 1))
            self.skip()
            if self.pos < len(self.text) and self.text[self.pos] == ",":
                self.pos += 1
            elif self.pos < len(self.text) and self.text[self.pos] != "]":
                raise self.fail("expected ',' or ']'")
        return self.node("array", items, start, self.pos)


def _decode(token: str) -> str:
    body = token[1:-1]
    if "\\" not in body:
        return body
    if token[0] == "'":
        body = body.replace("\\'", "'").replace('"', '\\"')
    try:
        return json.loads('"' + body + '"')
    except ValueError:
        return body


def parse(text: str) -> Node:
    """Parse ``text``; raises JsoncError when it is not (tolerant) JSON."""
    return _Parser(text).parse()


def try_parse(text: str) -> Union[Node, None]:
    try:
        return parse(text)
    except (JsoncError, RecursionError):
        return None


def string_literal(token: str) -> Optional[str]:
    """The value of one double-quoted JSON string literal (quotes included), None when it is not one."""
    try:
        value = json.loads(token)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def strict_object(text: str) -> Optional[dict]:
    """``text`` as a strict JSON object (no comments or other leniency), None when it is not one."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None
