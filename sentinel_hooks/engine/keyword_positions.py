"""Where keywords occur in a lowered text, found in one pass for every rule and detector that asks.

The regex rules with a ``keyword_reach`` search only around their keywords, and the secret-assignment
detectors only around their literals; each used to look its literals up again with ``str.find`` over
the whole text (seven scans for the generic secret rule alone). Here one ``literal_automaton`` of every
literal asked about in the process reads a text once, and each asker takes its literals' offsets from
that reading. Literals first asked about while a text is read join the automaton before the next text;
until then they are looked up with ``str.find`` (``text_gate.find_all``), so every answer is complete.
"""
from __future__ import annotations

from typing import Iterable, Optional

from sentinel_hooks.engine.literal_automaton import LiteralAutomaton
from sentinel_hooks.engine.text_gate import find_all, merged_offsets


class Positions:
    """The start offsets of literals in one lowered text."""

    __slots__ = ("text", "_by_literal", "_known")

    def __init__(self, text: str, by_literal: dict[str, list[int]], known: frozenset[str]) -> None:
        self.text, self._by_literal, self._known = text, by_literal, known

    def of(self, literal: str) -> list[int]:
        """Ascending start offsets of ``literal`` (overlapping occurrences included)."""
        found = self._by_literal.get(literal)
        if found is None:
            found = [] if literal in self._known else find_all(self.text, (literal,))
            self._by_literal[literal] = found
        return found

    def starts(self, literals: Iterable[str]) -> list[int]:
        """Ascending start offsets of every occurrence of every literal (as ``find_all``)."""
        return merged_offsets(self.of, literals)


class KeywordPositions:
    def __init__(self) -> None:
        self.known: frozenset[str] = frozenset()
        self._pending: set[str] = set()
        self._automaton = LiteralAutomaton(())
        self._last: Optional[Positions] = None

    def add(self, literals: Iterable[str]) -> None:
        """Literals to find in the texts read from now on (lowercase, as the texts are)."""
        for literal in literals:
            if literal not in self.known:
                self._pending.add(literal)

    def forget(self) -> None:
        """Let go of the last text (the engine calls it when a unit is done: a chunk of a large file
        is not kept alive while the next one is read)."""
        self._last = None

    def of(self, lowered: str) -> Positions:
        """The positions in ``lowered``; the last text's are kept, for the next asker of the same text."""
        last = self._last
        if last is not None and last.text is lowered:
            return last
        if self._pending:
            self._automaton.extend(self._pending)
            self.known = self.known | self._pending
            self._pending = set()
        by_literal = self._automaton.positions(lowered) if self.known else {}
        # without the library (None): each literal by str.find when asked
        positions = Positions(lowered, by_literal or {}, frozenset() if by_literal is None else self.known)
        self._last = positions
        return positions


# one index per process: the engine adds its rules' keywords, detectors their literals
SHARED = KeywordPositions()
