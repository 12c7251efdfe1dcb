"""A tokenizer for JavaScript, TypeScript and JSON: enough to find string values and their positions."""
from __future__ import annotations

import re
from sentinel_hooks.records import record
from typing import Optional

from sentinel_hooks.engine.patterns import lazy


# -- JavaScript / TypeScript / JSON tokens ---------------------------------------------------------

@record
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
    # an identifier: ASCII letters, digits (not first), ``_``, ``$`` and any character of U+0080-U+FFFF,
    # written as the complement of the rest: a class naming a range of the whole BMP takes ~10 ms to compile
    r"|(?P<ident>[^\x00-\x23\x25-\x40\x5b-\x5e\x60\x7b-\x7f\U00010000-\U0010ffff]"
    r"[^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f\U00010000-\U0010ffff]*)"
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
