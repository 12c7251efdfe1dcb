"""Tell a library helper's parameter from tool input by its TypeScript type.

A tool call's arguments and a request's body arrive as JSON. A function whose parameter is typed to accept
what JSON cannot carry (a ``Buffer``, ``Uint8Array``, ``ArrayBuffer``, ``Blob`` or a stream), inline or
through a ``type``/``interface`` of the same file, is called by its developer with values of the program,
not by the model or a client: e.g. ``imageContent(input: { buffer: Buffer } | { path: string })``. Its
``input.path`` is what the developer passes; a finding belongs where a caller hands it tool input.
"""
from __future__ import annotations

import re
from typing import Optional

from sentinel_hooks.engine.js_constants import inside, string_spans
from sentinel_hooks.engine.patterns import lazy

# values a JSON tool call or request body cannot carry
_NON_JSON_TYPE = lazy(r"\b(?:Buffer|Uint8Array|ArrayBuffer|Blob|ReadableStream|Readable|NodeJS\.ReadableStream)\b")
_NAMED_TYPE = lazy(r"([A-Za-z_$][\w$]*)(?:\s*<[^<>]*>)?\s*\{?")
MAX_TYPE_CHARS = 4000


def developer_parameter(text: str, offset: int, name: str, spans: Optional[list[tuple[int, int]]] = None) -> bool:
    """True when the nearest parameter ``name`` declared before ``offset`` is typed to accept a value no tool
    call or request can carry."""
    spans = string_spans(text) if spans is None else spans
    declared = None
    for m in re.finditer(r"[(,]\s*%s\s*\??\s*:\s*([^,()=]{1,200})" % re.escape(name), text[:offset]):
        if not inside(spans, m.start()):
            declared = m
    if declared is None:
        return False
    annotation = declared.group(1).strip()
    if _NON_JSON_TYPE.search(annotation):
        return True
    named = _NAMED_TYPE.fullmatch(annotation)
    return named is not None and _NON_JSON_TYPE.search(type_text(text, named.group(1), spans)) is not None


def type_text(text: str, type_name: str, spans: Optional[list[tuple[int, int]]] = None) -> str:
    """The body of the file's ``type NAME = …`` (up to its ``;`` or the line end where it is complete) or
    ``interface NAME {…}``; '' when the file declares no such type."""
    spans = string_spans(text) if spans is None else spans
    name = re.escape(type_name)
    for m in re.finditer(r"\btype\s+%s\s*(?:<[^<>]*>)?\s*=|\binterface\s+%s\b[^{;]*(?=\{)" % (name, name), text):
        if inside(spans, m.start()):
            continue
        if m.group(0).startswith("interface"):
            return _braced(text, m.end())
        return _alias(text, m.end())
    return ""


def _braced(text: str, start: int) -> str:
    """The ``{…}`` group starting at ``text[start]``."""
    depth, end = 0, min(len(text), start + MAX_TYPE_CHARS)
    for i in range(start, end):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
    return text[start:end]


def _alias(text: str, start: int) -> str:
    """A type alias's right-hand side: up to a ``;`` outside brackets, or a line end where it is complete
    (the line does not end with ``|``, ``&`` or ``=`` and the next does not start with ``|`` or ``&``)."""
    depth, i, end = 0, start, min(len(text), start + MAX_TYPE_CHARS)
    while i < end:
        c = text[i]
        if c in "{([<":
            depth += 1
        elif c in "})]" or (c == ">" and text[i - 1] != "="):
            depth -= 1
        elif depth <= 0 and (c == ";" or (c == "\n" and _complete(text, start, i))):
            break
        i += 1
    return text[start:i]


def _complete(text: str, start: int, newline: int) -> bool:
    before = text[start:newline].strip()
    after = text[newline + 1:newline + 80].lstrip()
    return bool(before) and not before.endswith(("|", "&", "=")) and not after.startswith(("|", "&"))
