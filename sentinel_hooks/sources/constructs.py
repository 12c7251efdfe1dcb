"""Multi-line constructs a diff window must hold whole: private-key blocks, multi-line strings, and
the Python functions (or module-level statements) a change touches.

A change inside a PEM block or a triple-quoted / template string can sit farther than the context
lines from the block's unchanged first and last lines; the window around it is widened to the whole
construct so rules that match the construct as a unit (a private key from BEGIN to END) still see it.
The pairing is lexical and deliberately simple: a wrong pairing only widens a window.

A change inside a Python function can alter a data flow whose sink lies far from it (a deleted guard
at the top of a tool, the call twenty lines below): the window grows to the whole function, found by
indentation, so the structure-aware checks can report the sink. Nested functions count as part of
the outermost function that holds them (closures share its values); a change outside any function
widens to its module-level statement.
"""
from __future__ import annotations

import bisect
import re
from typing import Optional

PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]{1,64}-----")
PEM_END = re.compile(r"-----END [A-Z0-9 ]{1,64}-----")
TRIPLE_QUOTE = re.compile(r"\"\"\"|'''")
BACKTICK = re.compile(r"(?<!\\)`")
PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")
PYTHON_DEF = re.compile(r"[ \t]*(?:async[ \t]+)?def[ \t]")
PYTHON_CLASS = re.compile(r"[ \t]*class[ \t]")
MAX_BLOCK_LINES = 5_000  # a longer function is generated code: its window stays the lines around the change
TEMPLATE_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")


def construct_spans(path: str, text: str, line_starts: list[int]) -> list[tuple[int, int]]:
    """Inclusive (first, last) line ranges of the multi-line constructs in ``text``."""
    offsets: list[tuple[int, int]] = []
    if "-----BEGIN " in text:
        offsets += _pem_blocks(text)
    if '"""' in text or "'''" in text:
        offsets += _paired(TRIPLE_QUOTE, text, same_kind=True)
    if "`" in text and path.lower().endswith(TEMPLATE_SUFFIXES):
        offsets += _paired(BACKTICK, text, same_kind=False)
    spans = []
    for start, end in offsets:
        first = bisect.bisect_right(line_starts, start)
        last = bisect.bisect_right(line_starts, max(end - 1, start))
        if last > first:
            spans.append((first, last))
    return sorted(spans)


def _pem_blocks(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    while True:
        begin = PEM_BEGIN.search(text, pos)
        if begin is None:
            return out
        end = PEM_END.search(text, begin.end())
        if end is None:
            return out
        out.append((begin.start(), end.end()))
        pos = end.end()


def _paired(delimiter: re.Pattern[str], text: str, *, same_kind: bool) -> list[tuple[int, int]]:
    """Spans from an opening delimiter to the next closing one (of the same kind when asked)."""
    out = []
    opening: re.Match[str] | None = None
    for m in delimiter.finditer(text):
        if opening is None:
            opening = m
        elif not same_kind or m.group() == opening.group():
            out.append((opening.start(), m.end()))
            opening = None
    return out


def widen(windows: list[tuple[int, int]], spans: list[tuple[int, int]], added: list[int]) -> list[tuple[int, int]]:
    """``windows`` plus every span holding an added line, merged where they overlap or touch."""
    if not spans:
        return windows
    ordered = sorted(set(added))
    extra = []
    for first, last in spans:
        i = bisect.bisect_left(ordered, first)
        if i < len(ordered) and ordered[i] <= last:
            extra.append((first, last))
    if not extra:
        return windows
    merged: list[tuple[int, int]] = []
    for start, end in sorted(windows + extra):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def python_blocks(path: str, text: str, line_starts: list[int], lines: list[int]) -> list[tuple[int, int]]:
    """Inclusive (first, last) line ranges of the functions (outermost, with decorators) or module-level
    statements of a Python file holding one of ``lines``; nothing for other files."""
    if not lines or not path.lower().endswith(PYTHON_SUFFIXES):
        return []
    layout = _Layout(text, line_starts)
    spans: list[tuple[int, int]] = []
    for n in sorted(set(lines)):
        if spans and spans[-1][0] <= n <= spans[-1][1]:
            continue
        span = layout.block_of(n)
        if span is not None and span[1] - span[0] < MAX_BLOCK_LINES:
            spans.append(span)
    return spans


_UNREAD = -1


class _Layout:
    """Indentation of the file's code lines (None: blank or comment), each read once when first asked
    for: the blocks of a few changed lines look at a small part of a large file."""

    def __init__(self, text: str, line_starts: list[int]):
        self.text = text
        self.starts = line_starts
        self.count = len(line_starts)
        self._indents: list[int | None] = [_UNREAD] * self.count

    def indent(self, n: int) -> int | None:
        """The indentation of line ``n`` (1-based), None for a blank or comment line."""
        level = self._indents[n - 1]
        if level == _UNREAD:
            line = self.line(n)
            stripped = line.lstrip(" \t")
            code = stripped.strip()
            level = self._indents[n - 1] = None if not code or code.startswith("#") else len(line) - len(stripped)
        return level

    def line(self, n: int) -> str:
        stop = self.starts[n] if n < self.count else len(self.text)
        return self.text[self.starts[n - 1]:stop]

    def code_line_at_or_above(self, n: int) -> int | None:
        while n >= 1 and self.indent(n) is None:
            n -= 1
        return n if n >= 1 else None

    def block_of(self, n: int) -> tuple[int, int] | None:
        n = min(max(n, 1), self.count)
        here = self.code_line_at_or_above(n)
        if here is None:
            return None
        outermost = None
        indent = self.indent(here)
        limit = max(0, here - MAX_BLOCK_LINES)
        probe = here
        if PYTHON_DEF.match(self.line(here)):
            outermost, indent = here, self.indent(here)
        while probe > limit and indent:
            probe -= 1
            level = self.indent(probe)
            if level is None or level >= indent:
                continue
            indent = level
            text = self.line(probe)
            if PYTHON_DEF.match(text):
                outermost = probe
            elif PYTHON_CLASS.match(text):
                break  # a method's block is the method, not its whole class
        if outermost is None:
            first = here
            while first > 1 and self.indent(first) != 0:
                first -= 1
            return self._extent(first, 0)
        return self._extent(outermost, self.indent(outermost) or 0)

    def _extent(self, first: int, indent: int) -> tuple[int, int]:
        """From ``first`` (moved up over its decorators) to the line before the next code line
        indented ``indent`` or less (closing brackets aside)."""
        while first > 1 and self.indent(first - 1) == indent and self.line(first - 1).lstrip().startswith("@"):
            first -= 1
        in_header = self.line(first).lstrip().startswith("@")  # decorators, then their def or class
        last = first
        n = first + 1
        while n <= self.count and n - first < MAX_BLOCK_LINES:
            level = self.indent(n)
            if level is not None:
                code = self.line(n).lstrip()
                if level <= indent and not code.startswith((")", "]", "}")):
                    if not in_header:
                        break
                    in_header = code.startswith("@")
                last = n
            n += 1
        return first, last


MODULE_ASSIGNMENT = re.compile(r"(?:export[ \t]+)?(?:(?:const|let|var)[ \t]+)?[A-Za-z_$][\w$]*[ \t]*(?::[^=\n]*)?=(?![=>])")
_NOT_A_STATEMENT_START = " \t)]}\"'`#/*"
MAX_STATEMENT_LINES = 2_000


def touches_module_constant(path: str, text: str, line_starts: list[int], lines: list[int],
                            spans: Optional[list[tuple[int, int]]] = None) -> bool:
    """Whether one of ``lines`` lies in a module-level assignment that holds a string (``NAME = "..."``,
    ``export const NAME = `...```) of a Python, JavaScript or TypeScript file: a constant other files
    may import as a tool description. Lexical and generous: a wrong answer only costs a search.
    ``spans`` are the text's ``construct_spans`` when known."""
    if not lines or not path.lower().endswith(PYTHON_SUFFIXES + TEMPLATE_SUFFIXES):
        return False
    # multi-line strings: their lines start no statement
    strings = construct_spans(path, text, line_starts) if spans is None else spans
    starts = [first for first, _ in strings]
    count = len(line_starts)

    def line(n: int) -> str:
        return text[line_starts[n - 1]:line_starts[n] if n < count else len(text)]

    def inside_string(n: int) -> int | None:
        i = bisect.bisect_right(starts, n) - 1
        return strings[i][0] if i >= 0 and strings[i][0] < n <= strings[i][1] else None

    # the lines from a statement's start to the last line looked at belong to that statement: a later
    # line walking up into them has found its start too (lines are taken in ascending order)
    known_first, known_last = 0, 0
    for n in sorted(set(lines)):
        k = min(max(n, 1), count)
        for _ in range(MAX_STATEMENT_LINES):
            if k < 1:
                break
            if known_first <= k <= known_last:
                k = known_first
            else:
                opener = inside_string(k)
                if opener is not None:
                    k = opener
                    continue
            here = line(k)
            if here.strip() and here[0] not in _NOT_A_STATEMENT_START:
                known_first, known_last = k, max(n, k)
                if MODULE_ASSIGNMENT.match(here):
                    stop = line_starts[n] if n < count else len(text)
                    if any(q in text[line_starts[k - 1]:stop] for q in "\"'`"):
                        return True
                break
            k -= 1
    return False
