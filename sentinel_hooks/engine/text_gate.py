"""Literal-anchored regex search: run a pattern only around the literals every match contains.

CPython's ``re`` scans a whole file at 20-30 MB/s for a pattern that starts with a
case-insensitive alternation or a look-behind, while ``str.find`` of a literal runs at memory
speed. A :class:`Gate` pairs a pattern with literals (at least one of which lies inside every
match) and a reach (how far a match extends around that literal); it finds the literals first and
runs the pattern only on the merged windows around them. Its answer is the pattern's answer for
every match that fits the reach, and a text without the literals costs a few ``find`` calls.
An *anchored* gate promises more: every match starts with one of the literals, so the pattern is
tried once at each occurrence (``pattern.match``) instead of searched in a window.
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator, Optional, Sequence

from sentinel_hooks.engine.literal_automaton import LiteralAutomaton
from sentinel_hooks.records import record


@record(frozen=True)
class Gate:
    pattern: re.Pattern[str]
    literals: tuple[str, ...]
    reach: int = 160  # characters a match may extend before and after its literal
    ignore_case: bool = False  # literals are lowercase and looked up in the lowered text
    anchored: bool = False  # every match starts with one of the literals

    def occurrences(self, text: str, lowered: Optional[str] = None,
                    found: Optional[Found] = None) -> Optional[list[int]]:
        """Ascending offsets of the literals; None when they cannot be mapped to ``text``. ``found``:
        the literals of the text the gate reads (``text``, or ``lowered`` for a case-insensitive gate)
        with their offsets, when the caller has them; another text's are not used."""
        haystack = self._haystack(text, lowered)
        if haystack is None:
            return None
        if found is not None and found.text is haystack:
            return found.offsets_of(self.literals)
        return find_all(haystack, self.literals)

    def windows(self, text: str, lowered: Optional[str] = None,
                found: Optional[Found] = None) -> Iterator[tuple[int, int]]:
        """Merged ``(start, end)`` windows around the literals, in text order."""
        hits = self.occurrences(text, lowered, found)
        if hits is None:
            yield 0, len(text)
            return
        yield from merged_windows(hits, self.reach, len(text))

    def search(self, text: str, lowered: Optional[str] = None, found: Optional[Found] = None) -> bool:
        """True when the pattern matches near one of the literals (``found``: as for ``occurrences``;
        the literals it lacks are not looked for)."""
        if self.anchored:
            haystack = self._haystack(text, lowered)
            if haystack is not None:  # stop at the first occurrence that starts a match
                match, find = self.pattern.match, haystack.find
                known, by_literal = ((found.known, found.by_literal) if found is not None and found.text is haystack
                                     else (frozenset(), {}))
                for literal in self.literals:
                    if literal in known:  # its offsets are known
                        for pos in by_literal.get(literal, ()):
                            if match(text, pos):
                                return True
                        continue
                    pos = find(literal)
                    while pos != -1:
                        if match(text, pos):
                            return True
                        pos = find(literal, pos + 1)
                return False
        search = self.pattern.search
        return any(search(text, start, end) for start, end in self.windows(text, lowered, found))

    def offsets(self, text: str, lowered: Optional[str] = None, found: Optional[Found] = None) -> list[int]:
        """Start offsets of the pattern's matches near the literals, ascending."""
        if self.anchored:
            hits = self.occurrences(text, lowered, found)
            if hits is not None:
                match = self.pattern.match
                return sorted({pos for pos in hits if match(text, pos)})
        finditer = self.pattern.finditer
        out: list[int] = []
        for start, end in self.windows(text, lowered, found):
            for m in finditer(text, start, end):
                if not out or m.start() > out[-1]:
                    out.append(m.start())
        return out

    def _haystack(self, text: str, lowered: Optional[str]) -> Optional[str]:
        """The text the literals are looked up in; None when lowering changed its length."""
        if not self.ignore_case:
            return text
        haystack = lowered if lowered is not None else text.lower()
        return haystack if len(haystack) == len(text) else None


def merged_windows(hits: list[int], reach: int, size: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` windows of ``reach`` characters around the ascending ``hits``, merged."""
    if not hits:
        return
    start, end = max(hits[0] - reach, 0), hits[0] + reach
    for pos in hits[1:]:
        if pos - reach > end:
            yield start, min(end, size)
            start = pos - reach
        end = pos + reach
    yield start, min(end, size)


@record(frozen=True)
class AllOf:
    """Gates that must all pass (each tested only while the ones before it passed); for a check whose
    hits need several things a text shows apart, such as a call's name and its module's."""

    gates: tuple[Gate, ...]

    @property
    def ignore_case(self) -> bool:
        return any(gate.ignore_case for gate in self.gates)

    def search(self, text: str, lowered: Optional[str] = None) -> bool:
        return all(gate.search(text, lowered) for gate in self.gates)


class LiteralIndex:
    """Which of the gates' literals a text holds, and where, found in one pass (``literal_automaton``)
    instead of a ``str.find`` of the whole text per literal and gate.

    Gates join the index when first asked about (``add``); the automaton learns them before the next
    text, so the literals of a text are those known when it was first read (``Found`` looks the others
    up in the text itself).
    """

    def __init__(self) -> None:
        self.known: frozenset[str] = frozenset()
        self._pending: set[str] = set()
        self._automaton = LiteralAutomaton(())

    def add(self, literals: Iterable[str]) -> None:
        for literal in literals:
            if literal not in self.known:
                self._pending.add(literal)

    def found(self, text: str) -> Found:
        if self._pending:
            self._automaton.extend(self._pending)
            self.known = self.known | self._pending
            self._pending = set()
        return Found(self._automaton.positions(text), self.known, text)


class Found:
    """The literals a text holds and their offsets: those the index knew when it read the text from
    its pass; any other (or all, without the automaton's library) from a search of the text, kept
    for the next asker."""

    __slots__ = ("by_literal", "known", "text", "_searched")

    def __init__(self, offsets: Optional[dict[str, list[int]]], known: frozenset[str], text: str) -> None:
        self.by_literal = offsets if offsets is not None else {}  # ascending offsets of the known literals held
        self.known = known if offsets is not None else frozenset()
        self.text = text
        self._searched: dict[str, list[int]] = {}  # the other literals asked about

    def __contains__(self, literal: object) -> bool:
        if literal in self.known:
            return literal in self.by_literal
        return isinstance(literal, str) and literal in self.text

    def offsets(self, literal: str) -> list[int]:
        """Ascending offsets of ``literal`` in the text (overlapping occurrences included)."""
        if literal in self.known:
            return self.by_literal.get(literal, [])
        found = self._searched.get(literal)
        if found is None:
            found = self._searched[literal] = find_all(self.text, (literal,))
        return found

    def offsets_of(self, literals: Iterable[str]) -> list[int]:
        """Ascending offsets of every occurrence of every one of ``literals``."""
        hits: list[int] = []
        for literal in literals:
            hits.extend(self.offsets(literal))
        hits.sort()
        return hits


def find_all(haystack: str, needles: Iterable[str]) -> list[int]:
    """Ascending start offsets of every occurrence of every needle (``str.find``, memory speed)."""
    hits: list[int] = []
    find = haystack.find
    for needle in needles:
        pos = find(needle)
        while pos != -1:
            hits.append(pos)
            pos = find(needle, pos + 1)
    hits.sort()
    return hits


def keyword_windows(text: str, lowered: str, keywords: Sequence[str], reach: int,
                    positions: Optional[Found] = None) -> Optional[list[tuple[int, int]]]:
    """Merged windows of whole lines covering ``reach`` characters before and after every keyword
    occurrence (keywords lowercase, found in ``lowered``, or taken from ``positions`` of it); None when
    lowering changed the length."""
    if len(lowered) != len(text):
        return None
    hits = find_all(lowered, keywords) if positions is None else positions.offsets_of(keywords)
    windows: list[tuple[int, int]] = []
    size = len(text)
    after = reach + max(map(len, keywords), default=0)
    for pos in hits:
        start = text.rfind("\n", 0, max(pos - reach, 0)) + 1
        if windows and start <= windows[-1][1]:
            start = windows[-1][0]
            windows.pop()
        end = text.find("\n", min(pos + after, size))
        windows.append((start, size if end == -1 else end + 1))
    return windows
