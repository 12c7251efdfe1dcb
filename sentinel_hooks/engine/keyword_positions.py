"""Where keywords occur in a lowered text, found in one pass for every rule and detector that asks.

The regex rules with a ``keyword_reach`` search only around their keywords, and the secret-assignment
detectors only around their literals; each used to look its literals up again with ``str.find`` over
the whole text (seven scans for the generic secret rule alone). Here one literal index of every
literal asked about in the process (``text_gate.LiteralIndex``, the kind the gates use) reads a text
once, keeps that reading for the next asker of the same text, and each asker takes its literals'
offsets from it. Literals first asked about while a text is read join the index before the next
text; until then they are looked up with ``str.find``, so every answer is complete.
"""
from __future__ import annotations

from typing import Optional

from sentinel_hooks.engine.text_gate import Found, LiteralIndex


class KeywordPositions(LiteralIndex):
    """The literal index of the keywords, which keeps the last text's reading for its next asker."""

    def __init__(self) -> None:
        super().__init__()
        self._last: Optional[Found] = None

    def forget(self) -> None:
        """Let go of the last text (the engine calls it when a unit is done: a chunk of a large file
        is not kept alive while the next one is read)."""
        self._last = None

    def of(self, lowered: str) -> Found:
        """The offsets in ``lowered``; the last text's are kept, for the next asker of the same text."""
        last = self._last
        if last is None or last.text is not lowered:
            last = self._last = self.found(lowered)
        return last


# one index per process: the engine adds its rules' keywords, detectors their literals
SHARED = KeywordPositions()
