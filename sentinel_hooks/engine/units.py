"""The unit of text the engine scans: a whole file, or a window of a file around changed lines."""
from __future__ import annotations

import bisect
from typing import Any, Callable, Optional

from sentinel_hooks.records import field, record


@record
class TextUnit:
    """Text to scan.

    ``path`` is the display path (relative to the repository root, POSIX separators).
    ``first_line`` is the file line number of the first line of ``text`` (1 for a whole file).
    ``changed_lines`` holds the file line numbers that count; ``None`` means every line counts.
    ``full_text_loader`` returns the whole file when ``text`` is only a window (structure-aware
    detectors need it); ``base_text_loader`` returns the file as it was at the baseline, or None.
    ``memo`` lets detectors cache per-unit work (a parsed tree, say).
    """

    path: str
    text: str
    first_line: int = 1
    first_column: int = 1  # a chunk of a very long line starts mid-line
    partial: bool = False  # a chunk of a file too large to read whole: no whole-file structure to parse
    changed_lines: Optional[frozenset[int]] = None
    full_text_loader: Optional[Callable[[], str]] = None
    base_text_loader: Optional[Callable[[], Optional[str]]] = None
    memo: dict[str, Any] = field(default_factory=dict)
    _line_starts: Optional[list[int]] = field(default=None, repr=False)

    @property
    def is_window(self) -> bool:
        return self.full_text_loader is not None

    def full_text(self) -> str:
        if self.full_text_loader is None:
            return self.text
        if "full_text" not in self.memo:
            self.memo["full_text"] = self.full_text_loader()
        return self.memo["full_text"]

    def lowered(self) -> str:
        """``text`` lower-cased, computed once per unit (keywords and case-insensitive prechecks)."""
        if "lowered" not in self.memo:
            self.memo["lowered"] = self.text.lower()
        return self.memo["lowered"]

    def full_lowered(self) -> str:
        """The whole file lower-cased: ``lowered()`` unless the unit is a window of it."""
        if self.full_text_loader is None:
            return self.lowered()
        if "full_lowered" not in self.memo:
            self.memo["full_lowered"] = self.full_text().lower()
        return self.memo["full_lowered"]

    def base_text(self) -> Optional[str]:
        if self.base_text_loader is None:
            return None
        if "base_text" not in self.memo:
            self.memo["base_text"] = self.base_text_loader()
        return self.memo["base_text"]

    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        return self._line_starts

    def position(self, offset: int) -> tuple[int, int]:
        """File (line, column) of a character offset in ``text``; both 1-based."""
        starts = self.line_starts()
        idx = bisect.bisect_right(starts, offset) - 1
        column = offset - starts[idx] + 1
        if idx == 0:
            column += self.first_column - 1
        return self.first_line + idx, column

    def line_text(self, line: int) -> str:
        """The text of file line ``line`` if it lies in this unit, else ''."""
        starts = self.line_starts()
        idx = line - self.first_line
        if idx < 0 or idx >= len(starts):
            return ""
        end = starts[idx + 1] - 1 if idx + 1 < len(starts) else len(self.text)
        return self.text[starts[idx]:end].rstrip("\r")

    @property
    def last_line(self) -> int:
        return self.first_line + len(self.line_starts()) - 1

    def covers(self, line: int, end_line: int) -> bool:
        """True when [line, end_line] overlaps the lines of this unit's text."""
        return line <= self.last_line and end_line >= self.first_line

    def touches_change(self, line: int, end_line: int) -> bool:
        if self.changed_lines is None:
            return True
        return any(n in self.changed_lines for n in range(line, end_line + 1))
