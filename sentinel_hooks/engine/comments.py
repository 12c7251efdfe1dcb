"""Where a file's real comments are, by its language: what an inline suppression must sit in.

A marker inside a string literal or a JSON value (``"https://wiki/x#mcp-sentinel:ignore"``) is not a
comment a reviewer sees, so only comments count. Python is tokenized exactly; other languages are
lexed by one regular expression that knows their string literals and comment forms, so a comment
marker inside a string is never taken for a comment. Computed only for files holding a marker.
"""
from __future__ import annotations

import io
import re
from functools import lru_cache
from typing import Optional

_DQ = r'"(?:\\.|[^"\\\n])*"'
_SQ = r"'(?:\\.|[^'\\\n])*'"
_BT = r"`(?:\\.|[^`\\])*`"
_AFTER_SPACE = r"(?:^|(?<=[ \t]))"  # a '#' that starts a word: 'a#b' is no comment in YAML or shell
_HASH = _AFTER_SPACE + r"#[^\n]*"
_SLASHES = r"//[^\n]*"
_BLOCK = r"/\*[\s\S]*?(?:\*/|\Z)"
_MARKUP = r"<!--[\s\S]*?(?:-->|\Z)"

# family -> (string literal patterns, comment patterns)
_FAMILIES: dict[str, tuple[list[str], list[str]]] = {
    "hash": ([_DQ, _SQ], [_HASH]),
    "c": ([_DQ, _SQ, _BT], [_SLASHES, _BLOCK]),
    "c_hash": ([_DQ, _SQ], [_SLASHES, _BLOCK, _HASH]),
    "json": ([_DQ], [_SLASHES, _BLOCK]),
    # quoted attribute values hold no comment (an apostrophe in text may hide one: fail-safe)
    "markup": ([_DQ, _SQ], [_MARKUP]),
    "ini": ([], [r"^[ \t]*[;#][^\n]*"]),
    "sql": ([_DQ, _SQ], [_AFTER_SPACE + r"--[^\n]*", _BLOCK]),
    "other": ([_DQ, _SQ], [_HASH, _SLASHES, _BLOCK, _AFTER_SPACE + r"--[^\n]*",
                           _AFTER_SPACE + r";[^\n]*", _MARKUP]),
}
_LANGUAGE_FAMILY = {
    "python": "hash", "shell": "hash", "yaml": "hash", "toml": "hash", "ruby": "hash", "dotenv": "hash",
    "makefile": "hash", "dockerfile": "hash", "requirements": "hash", "powershell": "hash",
    "javascript": "c", "typescript": "c", "go": "c", "rust": "c", "java": "c", "kotlin": "c", "csharp": "c",
    "swift": "c", "groovy": "c", "php": "c_hash", "terraform": "c_hash", "json": "json",
    "html": "markup", "markdown": "markup", "xml": "markup", "ini": "ini", "sql": "sql",
}


@lru_cache(maxsize=None)
def _lexer(family: str) -> re.Pattern[str]:
    strings, comments = _FAMILIES[family]
    parts = [f"(?:{s})" for s in strings] + [f"(?P<c{i}>{c})" for i, c in enumerate(comments)]
    return re.compile("|".join(parts), re.MULTILINE)


def _python_comments(text: str) -> Optional[dict[int, list[tuple[int, str]]]]:
    import tokenize

    out: dict[int, list[tuple[int, str]]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                out.setdefault(tok.start[0], []).append((tok.start[1], tok.string))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return None  # not valid Python: lexed like other '#' languages
    return out


def comment_family(language: Optional[str]) -> str:
    """The comment family of a language (a key of the families above); "other" when unknown."""
    return _LANGUAGE_FAMILY.get(language or "", "other")


def comments_by_line(text: str, language: Optional[str]) -> dict[int, list[tuple[int, str]]]:
    """Line number (1-based) -> (column, text) of each comment or part of a block comment on it."""
    if language == "python":
        exact = _python_comments(text)
        if exact is not None:
            return exact
    family = comment_family(language)
    out: dict[int, list[tuple[int, str]]] = {}
    line, pos = 1, 0
    for m in _lexer(family).finditer(text):
        if m.lastgroup is None:
            continue  # a string literal: skipped whole, whatever it holds
        start = m.start()
        line += text.count("\n", pos, start)
        pos = start
        column = start - (text.rfind("\n", 0, start) + 1)
        for i, part in enumerate(m.group().split("\n")):
            out.setdefault(line + i, []).append((column if i == 0 else 0, part))
    return out
