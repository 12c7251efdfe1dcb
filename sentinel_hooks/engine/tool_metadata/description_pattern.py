"""Case-insensitive patterns for descriptions, compiled on first use and tried only on text that holds
one of their literals."""
from __future__ import annotations

import re
from typing import Iterator, Optional

from sentinel_hooks.engine.patterns import lazy


class DescriptionPattern:
    """A case-insensitive pattern for descriptions, compiled on first use and tried only on text that
    holds one of ``literals``: lower-case strings, at least one of which lies in every match.

    Most descriptions hold none of a pattern's literals, so a hook run compiles few of these. The
    literal test is exact for ASCII text; other text (where case folding can change a letter's
    width or map a non-ASCII letter onto an ASCII one) always goes to the pattern.
    """

    def __init__(self, pattern: str, literals: tuple[str, ...], flags: int = re.IGNORECASE | re.DOTALL):
        self.regex = lazy(pattern, flags)
        self.literals = literals

    def may_match(self, text: str, lowered: Optional[str] = None) -> bool:
        if not text.isascii():
            return True
        lowered = text.lower() if lowered is None else lowered
        return any(literal in lowered for literal in self.literals)

    def search(self, text: str) -> Optional[re.Match[str]]:
        return self.regex.search(text) if self.may_match(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text) if self.may_match(text) else iter(())


def rx(pattern: str, *literals: str) -> DescriptionPattern:
    return DescriptionPattern(pattern, literals)
