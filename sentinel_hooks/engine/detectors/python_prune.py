"""Blank the functions of a Python source that hold no candidate sink, so parsing costs less.

Parsing is the dearest part of the Python checks (about 2.5 MB/s), and in most files only a few
functions hold a line that could be reported. :func:`prune` replaces every function and every class
(with its decorators) that contains none of the candidate offsets by a ``pass`` at the same
indentation and as many empty lines, so the remaining code keeps its line and column numbers. A
class holding a candidate is kept and its methods pruned one by one; the module body is kept whole
(imports and module-level values stay visible to the analysis).

Blocks are found from indentation: a ``def`` at indent *k* runs until the next code line indented
*k* or less, not counting blank and comment lines, lines that start with a closing bracket or a
quote, and lines inside triple-quoted strings. Whenever this reading of the text is wrong the
pruned source fails to parse and the caller parses the original instead, so pruning changes the
cost of the analysis, never its result.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Optional

from sentinel_hooks.engine.patterns import lazy

HEADER = lazy(r"^([ \t]*)(?:(@)|(?:async[ \t]+)?def[ \t]+(\w+)|class[ \t]+(\w+))", re.M)
DEF_OR_CLASS = lazy(r"^([ \t]*)(?:(?:async[ \t]+)?def[ \t]+(\w+)|class[ \t]+(\w+))", re.M)
TRIPLE_QUOTE = lazy(r"\"\"\"|'''")


@lru_cache(maxsize=64)
def _block_end_pattern(indent: int) -> re.Pattern[str]:
    """A line starting code at ``indent`` columns or fewer."""
    return re.compile(r"\n[ \t\f]{0,%d}(?=[^ \t\f\r\n#)\]}\"'\\])" % indent)


@lru_cache(maxsize=64)
def _not_decorator_pattern(indent: int) -> re.Pattern[str]:
    """A line at ``indent`` columns or fewer that is neither a decorator nor inside one's brackets."""
    return re.compile(r"\n[ \t\f]{0,%d}(?=[^ \t\f\r\n#)\]}\"'\\@])" % indent)


def string_spans(source: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the triple-quoted strings, pairing each opening with the next same quote."""
    spans: list[tuple[int, int]] = []
    pos = 0
    search = TRIPLE_QUOTE.search
    while True:
        m = search(source, pos)
        if m is None:
            return spans
        close = source.find(m.group(), m.end())
        if close == -1:
            spans.append((m.start(), len(source)))
            return spans
        spans.append((m.start(), close + 3))
        pos = close + 3


def prune(source: str, candidates: list[int]) -> tuple[str, set[str]]:
    """The source with candidate-free functions and classes blanked, and the names of those."""
    spans = string_spans(source)
    span_starts = [s for s, _ in spans]

    def inside_string(pos: int) -> Optional[int]:
        i = bisect.bisect_right(span_starts, pos) - 1
        if i >= 0 and spans[i][0] < pos < spans[i][1]:
            return spans[i][1]
        return None

    def block_end(header_end: int, indent: int, limit: int) -> int:
        pattern = _block_end_pattern(indent)
        pos = header_end
        while True:
            m = pattern.search(source, pos, limit)
            if m is None:
                return limit
            skip = inside_string(m.start() + 1)
            if skip is None:
                return m.start() + 1
            pos = skip

    def holds_candidate(start: int, end: int) -> bool:
        i = bisect.bisect_left(candidates, start)
        return i < len(candidates) and candidates[i] < end

    blanked: list[tuple[int, int, str]] = []
    names: set[str] = set()

    def visit(lo: int, hi: int) -> None:
        pos = lo
        while pos < hi:
            m = HEADER.search(source, pos, hi)
            if m is None:
                return
            skip = inside_string(m.start())
            if skip is not None:
                pos = skip
                continue
            indent = m.group(1)
            head = m
            if m.group(2):  # a decorator: its function or class follows at the same indent
                head = DEF_OR_CLASS.search(source, m.end(), hi)
                if head is None or head.group(1) != indent or inside_string(head.start()) is not None \
                        or _not_decorator_pattern(len(indent)).search(source, m.end(), head.start()):
                    pos = source.find("\n", m.end(), hi) + 1 or hi
                    continue
            line_end = source.find("\n", head.end(), hi)
            end = hi if line_end == -1 else block_end(line_end, len(indent), hi)
            name = (head.group(3) or head.group(4)) if head is m else (head.group(2) or head.group(3))
            if name is not None and not holds_candidate(m.start(), end):
                blanked.append((m.start(), end, indent))
                names.add(name)
            elif line_end != -1:
                visit(line_end + 1, end)
            pos = end

    visit(0, len(source))
    if not blanked:
        return source, names
    pieces: list[str] = []
    last = 0
    for start, end, indent in blanked:
        pieces.append(source[last:start])
        pieces.append(indent + "pass" + "\n" * source.count("\n", start, end))
        last = end
    pieces.append(source[last:])
    return "".join(pieces), names
