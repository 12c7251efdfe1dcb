"""Regular expressions as the engine holds them: compiled on first use, and the one map of the flag
names rule packs may give.

Compiling a pattern costs far more than most hook runs spend matching it, and a detector module holds
dozens that a given file never reaches. A :class:`LazyPattern` is written where ``re.compile`` would
be, at module level, and compiles when first used; from then on its methods are the compiled
pattern's own bound methods, so using it costs no more than using the compiled pattern.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

# rule packs name their regex flags; this is the only place the names are mapped to ``re`` flags
FLAG_NAMES: dict[str, re.RegexFlag] = {"ignorecase": re.IGNORECASE, "multiline": re.MULTILINE,
                                       "dotall": re.DOTALL, "verbose": re.VERBOSE}
_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


def flag_value(names: Iterable[str]) -> int:
    """The ``re`` flags of a rule's flag names (all of them known: the rule model validates them)."""
    value = 0
    for name in names:
        value |= FLAG_NAMES[name]
    return value


class LazyPattern:
    """``re.compile(pattern, flags)``, deferred until the first attribute of the pattern is used."""

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern = pattern
        self.flags = flags

    def compiled(self) -> re.Pattern[str]:
        compiled = re.compile(self.pattern, self.flags)
        for name in _METHODS:  # instance attributes: later calls skip __getattr__
            setattr(self, name, getattr(compiled, name))
        self.groups, self.groupindex, self.flags = compiled.groups, compiled.groupindex, compiled.flags
        self.compiled = lambda: compiled  # type: ignore[method-assign]
        return compiled

    def __getattr__(self, name: str) -> Any:  # only called for attributes not yet set
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.compiled(), name)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags!r})"


def lazy(pattern: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(pattern, flags)
