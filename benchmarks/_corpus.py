"""Real code nobody here wrote: the ``.py`` files of the running interpreter's standard library,
copied into a plain folder outside any git repository (the standard library may live inside a
git checkout, which would change what git-aware tools scan)."""
from __future__ import annotations

import os
import shutil
import sysconfig
from pathlib import Path
from typing import Optional

SKIP_DIRS = {"site-packages", "dist-packages", "__pycache__"}


def stdlib_dir() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def stdlib_files(limit: Optional[int] = None) -> list[Path]:
    root = stdlib_dir()
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(names):
            path = Path(folder) / name
            if name.endswith(".py") and path.is_file() and not path.is_symlink():
                found.append(path)
    return found[:limit] if limit else found


def copy_stdlib(dest: Path, limit: Optional[int] = None) -> tuple[int, int]:
    """Copy the standard library's .py files below ``dest``; returns (files, bytes)."""
    root = stdlib_dir()
    count = size = 0
    for path in stdlib_files(limit):
        target = dest / path.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        count += 1
        size += target.stat().st_size
    return count, size


def describe(files: int, size: int) -> str:
    return f"{files} .py files, {size / 1e6:.1f} MB, from {stdlib_dir()} (site-packages excluded)"
