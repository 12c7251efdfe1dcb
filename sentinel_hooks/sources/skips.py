"""A record of every path not scanned, and why, so the summary can say it."""
from __future__ import annotations

import stat
from collections import Counter
from typing import Optional

from sentinel_hooks.records import field, record

BINARY = "binary"
EXCLUDED = "excluded"
TOO_LARGE = "too large"
SYMLINK = "symlink"
NOT_REGULAR = "not a regular file"
SUBMODULE = "submodule"
DELETED = "deleted"
UNREADABLE = "unreadable"
LFS_POINTER = "git-lfs pointer"


def stat_reason(st, max_file_size: Optional[int]) -> Optional[str]:
    """Why a path with this ``lstat`` result is not scanned, or None when it is a regular file to read."""
    if stat.S_ISLNK(st.st_mode):
        return SYMLINK
    if not stat.S_ISREG(st.st_mode):
        return NOT_REGULAR
    if max_file_size is not None and st.st_size > max_file_size:
        return TOO_LARGE
    return None


@record
class SkipLog:
    counts: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, reason: str, path: str) -> None:
        self.counts[reason] += 1
        ex = self.examples.setdefault(reason, [])
        if len(ex) < 5:
            ex.append(path)

    def merge(self, other: "SkipLog") -> None:
        for reason, n in other.counts.items():
            self.counts[reason] += n
            ex = self.examples.setdefault(reason, [])
            ex.extend(other.examples.get(reason, [])[: 5 - len(ex)])

    def as_dict(self) -> dict[str, int]:
        return dict(sorted(self.counts.items()))
