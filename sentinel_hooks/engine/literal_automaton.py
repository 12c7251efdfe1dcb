"""Every occurrence of a set of literals in a text, in one pass: the Aho-Corasick automaton that the
rules' keyword index (``matcher.KeywordIndex``) and the Python gates' literal index
(``text_gate.LiteralIndex``) both read files with.

The automaton is ``ahocorasick_rs``'s: a small one for the first texts, replaced by its DFA (a few
milliseconds to build, then several times faster a character than the small one) once it has read
``DFA_AFTER_CHARS`` in all, so a hook run on a few files does not pay for the DFA and a full scan
reads most of its text with it.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

DFA_AFTER_CHARS = 1 << 20


class LiteralAutomaton:
    def __init__(self, literals: Iterable[str], dfa_after_chars: int = DFA_AFTER_CHARS) -> None:
        self.dfa_after_chars = dfa_after_chars
        self.dfa = False
        self._read = 0
        self._literals = sorted(set(literals))
        try:
            import ahocorasick_rs
        except ImportError:  # pragma: no cover - the dependency is declared; callers search without it
            self._library: Any = None
            self._automaton: Any = None
            return
        self._library = ahocorasick_rs
        self._automaton = self._build(dfa=False)

    def extend(self, literals: Iterable[str]) -> None:
        """Add literals; the texts read from now on are searched for them too."""
        new = set(literals).difference(self._literals)
        if new:
            self._literals = sorted(new.union(self._literals))
            if self._library is not None:
                self._automaton = self._build(dfa=self.dfa)

    def find(self, text: str) -> Optional[list[str]]:
        """The literals at every occurrence in ``text``, overlapping ones included; None without the
        library, for the caller to search the text itself."""
        if self._library is None:
            return None
        automaton = self._reading(text)
        return [] if automaton is None else automaton.find_matches_as_strings(text, overlapping=True)

    def positions(self, text: str) -> Optional[dict[str, list[int]]]:
        """The ascending start offsets of each literal ``text`` holds, overlapping occurrences included
        (a literal it lacks has no entry); None without the library."""
        if self._library is None:
            return None
        automaton = self._reading(text)
        if automaton is None:
            return {}
        by_index: dict[int, list[int]] = {}
        for index, start, _ in automaton.find_matches_as_indexes(text, overlapping=True):
            starts = by_index.get(index)
            if starts is None:
                by_index[index] = [start]
            else:
                starts.append(start)  # matches come in the order of their ends: one literal's ascend
        literals = self._literals
        return {literals[index]: starts for index, starts in by_index.items()}

    def _reading(self, text: str) -> Any:
        """The automaton to read ``text`` with: the DFA once ``dfa_after_chars`` were read in all."""
        self._read += len(text)
        if not self.dfa and self._read > self.dfa_after_chars:
            self.dfa = True  # tried once: a set past the library's limit for a DFA keeps the small one
            self._automaton = self._build(dfa=True)
        return self._automaton

    def _build(self, dfa: bool) -> Any:
        if not self._literals:
            return None
        library = self._library
        if dfa:
            try:
                return library.AhoCorasick(self._literals, matchkind=library.MatchKind.Standard,
                                           implementation=library.Implementation.DFA)
            except Exception:  # noqa: BLE001 - a literal set past the library's limit for a DFA
                if self._automaton is not None:
                    return self._automaton
        return library.AhoCorasick(self._literals, matchkind=library.MatchKind.Standard)
