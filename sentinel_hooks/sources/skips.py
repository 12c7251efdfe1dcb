"""A record of every path not scanned, and why, so the summary can say it."""
from __future__ import annotations

from collections import Counter

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
