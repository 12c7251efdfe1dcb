"""Gitignore-style (gitwildmatch) pattern sets, through pathspec."""
from __future__ import annotations

from typing import Iterable


def compile_globs(lines: Iterable[str]):
    """A pathspec spec with gitignore semantics (last match wins, `!` negates), or None for no patterns."""
    import pathspec

    lines = [line for line in lines if line and line.strip()]
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None
