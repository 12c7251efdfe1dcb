"""The unit of text the engine scans: a whole file, or a window of a file around changed lines.

Every window of one file shares one :class:`FileAnalysis`: the whole text, its lower-cased copy, the
text at the baseline and what detectors derive from the whole file (a parsed tree, the tool model,
the hits of a whole-file detector) are computed once per file, however many windows a diff cuts.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from sentinel_hooks import text_lines
from sentinel_hooks.records import field, record

if TYPE_CHECKING:
    from sentinel_hooks.sources.fragment import Fragment

class _NotLoaded:
    """The mark of a base text not read yet; pickled by name, it is the same mark in a worker."""

    def __reduce__(self) -> str:
        return "_NOT_LOADED"


_NOT_LOADED: Any = _NotLoaded()
NOT_ANALYSED = "not analysed"  # memo key: why a structure-aware check could not analyse the file
# memo key: the detectors of the rules a whole file's keywords selected (set by the engine, absent for windows)
SELECTED_DETECTORS = "selected detectors"


class FileAnalysis:
    """Whole-file work, shared by every unit of one file. ``memo`` holds what detectors derive;
    ``changed_lines`` are the file's changed lines across all its units (None: every line counts);
    ``deletion_points`` the new-file lines after which the change removed lines (0: at the start)."""

    __slots__ = ("_load_text", "_load_base", "_text", "_lowered", "_base", "memo", "changed_lines",
                 "deletion_points", "modules", "windows", "_sorted_changes")

    def __init__(self, load_text: Callable[[], str], load_base: Optional[Callable[[], Optional[str]]] = None,
                 changed_lines: Optional[frozenset[int]] = None, deletion_points: frozenset[int] = frozenset(),
                 modules: Optional[Any] = None):
        self.modules = modules  # the source's reader of other modules of the repository (sources.modules), or None
        self.windows: Optional[tuple[tuple[int, int], ...]] = None  # the line ranges of a diff's windows
        self.changed_lines = changed_lines
        self.deletion_points = deletion_points
        self._load_text = load_text
        self._load_base = load_base
        self._text: Optional[str] = None
        self._lowered: Optional[str] = None
        self._base: Any = _NOT_LOADED
        self.memo: dict[Any, Any] = {}
        self._sorted_changes: Optional[tuple[list[int], list[int]]] = None

    def text(self) -> str:
        if self._text is None:
            self._text = self._load_text()
        return self._text

    def lowered(self) -> str:
        if self._lowered is None:
            self._lowered = self.text().lower()
        return self._lowered

    def flow_touched(self, flow: tuple[int, int]) -> bool:
        """Whether the change reaches a data flow spanning file lines ``flow`` (its source's first line,
        its sink's last line): a line added on it, or lines removed between its first and last line."""
        if self.changed_lines is None:
            return True
        if self._sorted_changes is None:
            self._sorted_changes = (sorted(self.changed_lines), sorted(self.deletion_points))
        return text_lines.change_reaches(*self._sorted_changes, *flow)

    def text_changed(self, where: tuple[str, int, int]) -> bool:
        """Whether the change also changed lines ``where`` (path, first, last) of another module of the
        repository (the source's reader knows the other files of a diff)."""
        return self.changed_lines is not None and self.modules is not None and self.modules.changed(*where)

    def adopts(self, unit_first_line: int, line: int, end_line: int) -> bool:
        """Whether the window starting at ``unit_first_line`` reports a hit outside every window of the
        file: the first window does."""
        windows = self.windows
        return bool(windows) and unit_first_line == windows[0][0] and \
            not any(first <= end_line and line <= last for first, last in windows)  # type: ignore[union-attr]

    def may_adopt(self, unit_first_line: int) -> bool:
        """Whether the window starting at ``unit_first_line`` is the first of a diff that changed other
        files too, and so may report hits outside every window (see ``adopts``)."""
        return bool(self.windows) and unit_first_line == self.windows[0][0] and self.modules is not None \
            and len(self.modules.changes) > 1  # type: ignore[index]

    def base_text(self) -> Optional[str]:
        if self._base is _NOT_LOADED:
            self._base = None if self._load_base is None else self._load_base()
        return self._base

    def portable_base_loader(self) -> Optional[Callable[[], Optional[str]]]:
        """The base text's loader when it has not run yet and is ``portable``: it can cross to another
        process and read there, so a base no check asks for is never read; else None."""
        if self._base is _NOT_LOADED and getattr(self._load_base, "portable", False):
            return self._load_base
        return None


@record
class TextUnit:
    """Text to scan.

    ``path`` is the display path (relative to the repository root, POSIX separators).
    ``first_line`` is the file line number of the first line of ``text`` (1 for a whole file).
    ``changed_lines`` holds the file line numbers that count; ``None`` means every line counts.
    ``full_text_loader`` returns the whole file when ``text`` is only a window (structure-aware
    detectors need it); ``base_text_loader`` returns the file as it was at the baseline, or None.
    ``analysis`` is the whole-file work this unit shares with the other windows of its file (made
    from the loaders when not given); ``memo`` is its detectors' cache.
    ``categories`` limits the rules run to those categories (None: every rule); ``commit`` names the
    commit that added the text (history inside a pushed range), passed on to the findings.
    """

    path: str
    text: str
    first_line: int = 1
    first_column: int = 1  # a chunk of a very long line starts mid-line
    partial: bool = False  # a chunk of a file too large to read whole: no whole-file structure to parse
    changed_lines: Optional[frozenset[int]] = None
    full_text_loader: Optional[Callable[[], str]] = None
    base_text_loader: Optional[Callable[[], Optional[str]]] = None
    analysis: Optional[FileAnalysis] = field(default=None, repr=False)
    categories: Optional[frozenset[str]] = None
    commit: Optional[str] = None
    modules: Optional[Any] = field(default=None, repr=False)  # reader of the repository's other modules
    _line_starts: Optional[list[int]] = field(default=None, repr=False)
    _lowered: Optional[str] = field(default=None, repr=False)

    @property
    def is_window(self) -> bool:
        return self.full_text_loader is not None

    def file(self) -> FileAnalysis:
        """The whole-file analysis this unit belongs to."""
        if self.analysis is None:
            # the loader holds the text, not the unit: a unit and its file's memo free each other without a cycle
            load = self.full_text_loader if self.full_text_loader is not None else (lambda text=self.text: text)
            self.analysis = FileAnalysis(load, self.base_text_loader, self.changed_lines, modules=self.modules)
        return self.analysis

    @property
    def memo(self) -> dict[Any, Any]:
        """Detectors' cache of whole-file work, shared by every window of the file."""
        return self.file().memo

    def full_text(self) -> str:
        return self.text if self.full_text_loader is None else self.file().text()

    def lowered(self) -> str:
        """``text`` lower-cased, computed once per unit (keywords and case-insensitive prechecks)."""
        if self._lowered is None:
            self._lowered = self.text.lower()
        return self._lowered

    def full_lowered(self) -> str:
        """The whole file lower-cased: ``lowered()`` unless the unit is a window of it."""
        return self.lowered() if self.full_text_loader is None else self.file().lowered()

    def base_text(self) -> Optional[str]:
        return self.file().base_text()

    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            self._line_starts = text_lines.line_starts(self.text)
        return self._line_starts

    def position(self, offset: int) -> tuple[int, int]:
        """File (line, column) of a character offset in ``text``; both 1-based."""
        line, column = text_lines.position(self.line_starts(), offset)
        if line == 1:
            column += self.first_column - 1
        return self.first_line + line - 1, column

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


def units_of(fragment: Fragment) -> list[TextUnit]:
    """The units the engine scans for a source's fragment: the fragment whole, or one unit per window
    (each holding the changed lines inside it), all windows sharing one analysis of the whole file."""
    if fragment.windows is None:
        return [TextUnit(path=fragment.path, text=fragment.text, first_line=fragment.first_line,
                         first_column=fragment.first_column, partial=fragment.partial,
                         changed_lines=fragment.changed_lines, base_text_loader=fragment.load_base,
                         categories=fragment.categories, commit=fragment.commit, modules=fragment.modules)]
    text = fragment.text
    changed = fragment.changed_lines or frozenset()
    starts = fragment.line_starts
    if starts is None:
        starts = text_lines.counted_line_starts(text) if text else []
    # one analysis for all its windows
    shared = FileAnalysis(lambda: text, fragment.load_base, changed, frozenset(fragment.deleted_at),
                          fragment.modules)
    shared.windows = fragment.windows
    units = []
    for first, last in fragment.windows:
        stop = starts[last] if last < len(starts) else len(text)
        units.append(TextUnit(
            path=fragment.path, text=text[starts[first - 1]:stop], first_line=first,
            changed_lines=frozenset(n for n in changed if first <= n <= last),
            full_text_loader=lambda: text, base_text_loader=fragment.load_base, analysis=shared,
            categories=fragment.categories, commit=fragment.commit,
        ))
    return units
