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
        self._read += len(text)
        if not self.dfa and self._read > self.dfa_after_chars:
            self.dfa = True  # tried once: a set past the library's limit for a DFA keeps the small one
            self._automaton = self._build(dfa=True)
        if self._automaton is None:
            return []
        return self._automaton.find_matches_as_strings(text, overlapping=True)

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
