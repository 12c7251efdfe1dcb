"""What a source hands on: a file, or the part of it a scan judges, with where it changed.

Sources (the file walk, git diffs, the history of a pushed range) yield fragments and know nothing
of the engine; the engine turns a fragment into the units it scans (``engine.units.units_of``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from sentinel_hooks.records import field, record

if TYPE_CHECKING:
    from sentinel_hooks.sources.modules import ModuleReader

LineRange = tuple[int, int]  # inclusive (first, last) file line numbers


@record(frozen=True)
class Fragment:
    """Text of one file to scan, in file coordinates.

    ``text`` is the whole file, or (``partial``) a chunk of a file too large to read whole, or a
    block of lines one commit added (``commit``), starting at ``first_line``/``first_column``.
    ``changed_lines`` are the file lines that count (None: every line counts); ``windows`` the line
    ranges of ``text`` to scan around them (None: all of it). ``deleted_at`` holds the new-file line
    numbers after which lines were deleted (0: before the first line). ``load_base`` reads the file
    as it was at the base of a comparison; ``old_blob``/``new_blob`` name the two git blobs when the
    text came from git. ``categories`` limits the rules run (None: every rule). ``modules`` reads other
    modules of the repository at the same state (constants a tool description imports), or is None.
    ``line_starts`` are the text's ``text_lines.counted_line_starts`` when the source counted them.
    """

    path: str
    text: str
    first_line: int = 1
    first_column: int = 1
    partial: bool = False
    changed_lines: Optional[frozenset[int]] = None
    windows: Optional[tuple[LineRange, ...]] = None
    deleted_at: tuple[int, ...] = ()
    load_base: Optional[Callable[[], Optional[str]]] = None
    old_blob: Optional[str] = None
    new_blob: Optional[str] = None
    categories: Optional[frozenset[str]] = None
    commit: Optional[str] = None
    modules: Optional[ModuleReader] = None
    line_starts: Optional[list[int]] = field(default=None, repr=False)
