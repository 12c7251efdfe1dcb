"""The Python tree of a changed file as it was at the baseline, built without parsing again what the
change left alone.

The current file's tree is parsed already (and shared). Its top-level statements whose lines the change
did not touch (``segments``: a statement with its decorators, statements sharing a line together) are
found, text for text, in the baseline, in order; the baseline between two of them (a ``gap``) is parsed
alone. A gap that parses alone ends where a top-level statement may start, so the baseline parses as its
gaps and segments one after the other, and the tree is the gaps' statements and the segments' reused
(never modified) statements in that order.

Reused statements keep the current file's line numbers. The tree is therefore that of a ``text`` which
is the baseline with blank lines added before segments: each gap's statements are moved down to the
lines its range of the current file held (the lines between the two segments), and blank lines fill
the rest of the range. Blank lines between top-level statements change nothing but line numbers, so
the tools read from ``text`` and the tree are those of the whole baseline parsed, their positions moved
down in the same order. A gap longer than its range has no room: the segments that would need it are
parsed with the gaps (the largest set of segments that leaves every gap room is kept).

``None`` (parse the baseline whole) whenever the result could differ from that parse: a gap that does
not parse alone (newer syntax to lower, a statement a segment continues, text that is not Python), a
current tree parsed from lowered text, and characters that number lines or read indentation otherwise
(``\\r``, form feeds and the other line breaks of ``str.splitlines``, null bytes).
"""
from __future__ import annotations

import ast
import bisect
import re
import warnings
from typing import NamedTuple, Optional

from sentinel_hooks import text_lines
from sentinel_hooks.engine import python_tree

# \r ends lines for the parser, and these for str.splitlines (which numbers the lines columns are read
# from); a form feed resets the indentation the parser counts; null bytes do not parse; the one
# ``__future__`` import that changes what parses
_DOUBTFUL = re.compile("[\r\x00\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
_LINE_FEATURE = "barry_as_FLUFL"
_CODE_LINE = re.compile(r"^[ \t]*[^\s#]", re.M)  # a line holding more than blanks and a comment
# searches for segments in the baseline, per segment, before the rest is left to the gaps (an attacker's
# file can repeat a statement's text everywhere but at a line start)
_FINDS_PER_SEGMENT = 4


class BaselineTree(NamedTuple):
    text: str  # the baseline, with blank lines added between top-level statements
    tree: ast.Module  # the tree of ``text``: reused statements of the current tree and the gaps parsed
    # where blank lines were added: (first baseline line after them, how many were added up to there)
    added_lines: list[tuple[int, int]]

    def moved_lines(self, lines: list[int]) -> list[int]:
        """Baseline line numbers (ascending) as ``text`` numbers them."""
        if not self.added_lines:
            return lines
        firsts = [first for first, _ in self.added_lines]
        out = []
        for line in lines:
            k = bisect.bisect_right(firsts, line)
            out.append(line + self.added_lines[k - 1][1] if k else line)
        return out


class Segment(NamedTuple):
    """Top-level statements of the current file on lines ``first``..``last``, found in the baseline at
    ``start``..``end`` (offsets), whose first line there is ``base_line``."""
    statements: list[ast.stmt]
    first: int
    last: int
    start: int
    end: int
    base_line: int


def statement_lines(tree: ast.Module) -> list[tuple[int, int, list[ast.stmt]]]:
    """The top-level statements of ``tree`` grouped by lines: (first line with decorators, last line,
    statements), statements that share a line in one group."""
    groups: list[tuple[int, int, list[ast.stmt]]] = []
    for stmt in tree.body:
        first = python_tree.first_line(stmt)
        last = stmt.end_lineno or stmt.lineno
        if groups and first <= groups[-1][1]:
            before = groups[-1]
            groups[-1] = (before[0], max(before[1], last), [*before[2], stmt])
        else:
            groups.append((first, last, [stmt]))
    return groups


def _untouched(first: int, last: int, changed: Optional[list[int]], deletions: list[int]) -> bool:
    """No changed line on ``first``..``last`` and no lines removed between two of them."""
    return changed is None or not text_lines.change_reaches(changed, deletions, first, last)


def found_segments(current: str, tree: ast.Module, base: str, changed_lines: Optional[frozenset[int]],
                   deletion_points: frozenset[int]) -> list[Segment]:
    """The current file's untouched statement groups found in the baseline, in order, each at a line
    start after the one before and ending at a line end."""
    starts = text_lines.line_starts(current)
    changed = sorted(changed_lines) if changed_lines is not None else None
    deletions = sorted(deletion_points)
    groups = statement_lines(tree)
    finds_left = _FINDS_PER_SEGMENT * len(groups)
    found: list[Segment] = []
    cursor, cursor_line = 0, 1
    for first, last, statements in groups:
        if not _untouched(first, last, changed, deletions):
            continue
        start, end = starts[first - 1], (starts[last] if last < len(starts) else len(current))
        text = current[start:end]
        ends_line = text.endswith("\n")
        if text.rstrip("\n").endswith("\\"):  # a backslash joins the next line of the baseline to it
            continue
        pos = base.find(text, cursor)
        finds_left -= 1
        while pos >= 0 and not ((pos == 0 or base[pos - 1] == "\n") and (ends_line or pos + len(text) == len(base))):
            pos = base.find(text, pos + 1) if finds_left > 0 else -1
            finds_left -= 1
        if pos < 0:
            if finds_left <= 0:
                break  # the rest is left to the gaps
            continue
        line = cursor_line + base.count("\n", cursor, pos)
        found.append(Segment(statements, first, last, pos, pos + len(text), line))
        cursor, cursor_line = pos + len(text), line + (last - first) + (1 if ends_line else 0)
    return found


def roomy_segments(found: list[Segment]) -> list[Segment]:
    """The segments to reuse: most lines of ``found`` such that the baseline before each (after the one
    before) fits the current lines before it, i.e. ``first - base_line`` never negative nor falling."""
    keys = [s.first - s.base_line for s in found]
    if all(k >= 0 for k in keys) and all(a <= b for a, b in zip(keys, keys[1:])):
        return found
    ranks = {k: i + 1 for i, k in enumerate(sorted({k for k in keys if k >= 0}))}
    size = len(ranks)
    tree_best, tree_at = [0] * (size + 1), [-1] * (size + 1)  # prefix maxima over ranks (Fenwick tree)
    best, previous = [0] * len(found), [-1] * len(found)
    for i, segment in enumerate(found):
        if keys[i] < 0:
            continue
        rank = ranks[keys[i]]
        top, at, j = 0, -1, rank
        while j > 0:
            if tree_best[j] > top:
                top, at = tree_best[j], tree_at[j]
            j -= j & -j
        best[i], previous[i] = top + segment.last - segment.first + 1, at
        j = rank
        while j <= size:
            if best[i] > tree_best[j]:
                tree_best[j], tree_at[j] = best[i], i
            j += j & -j
    if not any(best):
        return []
    i = max(range(len(found)), key=best.__getitem__)
    kept = []
    while i >= 0:
        kept.append(found[i])
        i = previous[i]
    kept.reverse()
    return kept


def parse_gap(text: str, first_line: int) -> Optional[list[ast.stmt]]:
    """The statements of ``text`` parsed alone, numbered from ``first_line``; None when it does not
    parse as it is."""
    if not _CODE_LINE.search(text):  # blank lines and comments
        return []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings of scanned code are not ours to print
            # blank lines before the gap number its lines (cheaper than renumbering the tree's nodes)
            return ast.parse("\n" * (first_line - 1) + text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def baseline_tree(current: str, tree: ast.Module, base: str, changed_lines: Optional[frozenset[int]] = None,
                  deletion_points: frozenset[int] = frozenset()) -> Optional[BaselineTree]:
    """The baseline ``base`` and its tree, from the tree of ``current`` (not modified) and the parts of
    ``base`` the change touched; None when only parsing ``base`` whole gives its exact tree."""
    if "\r" in current or _DOUBTFUL.search(base) or _LINE_FEATURE in base:
        return None
    body: list[ast.stmt] = []
    pieces: list[str] = []
    added_lines: list[tuple[int, int]] = []
    offset, line = 0, 1  # in the baseline; the current (and the text's) line a gap goes to
    for segment in roomy_segments(found_segments(current, tree, base, changed_lines, deletion_points)):
        gap = base[offset:segment.start]
        room = segment.first - line - gap.count("\n")
        statements = parse_gap(gap, line)
        if statements is None or room < 0:
            return None
        body.extend(statements)
        body.extend(segment.statements)
        pieces += (gap, "\n" * room, base[segment.start:segment.end])
        if room:
            added_lines.append((segment.base_line, segment.first - segment.base_line))
        offset, line = segment.end, segment.last + 1
    statements = parse_gap(base[offset:], line)
    if statements is None:
        return None
    body.extend(statements)
    pieces.append(base[offset:])
    return BaselineTree("".join(pieces), ast.Module(body=body, type_ignores=[]), added_lines)
