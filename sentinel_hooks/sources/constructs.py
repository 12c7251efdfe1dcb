"""Multi-line constructs a diff window must hold whole: private-key blocks and multi-line strings.

A change inside a PEM block or a triple-quoted / template string can sit farther than the context
lines from the block's unchanged first and last lines; the window around it is widened to the whole
construct so rules that match the construct as a unit (a private key from BEGIN to END) still see it.
The pairing is lexical and deliberately simple: a wrong pairing only widens a window.
"""
from __future__ import annotations

import bisect
import re

PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]{1,64}-----")
PEM_END = re.compile(r"-----END [A-Z0-9 ]{1,64}-----")
TRIPLE_QUOTE = re.compile(r"\"\"\"|'''")
BACKTICK = re.compile(r"(?<!\\)`")
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
