"""Other modules of the scanned repository, read on demand and confined to it.

A tool description may be a constant imported from another module (``from .descriptions import DESC``,
``import { DESC } from './descriptions'``). The engine names the module it wants by its repository-
relative path; a ``ModuleReader`` returns its text at the same state as the file being scanned: the
file under the scan root (directory scans and work-tree comparisons), the blob in the index
(``--staged``) or the blob of the scanned commit (``--baseline`` ranges), through the one git module.

Everything here is attacker input. A path is read only when it stays inside the repository after
normalisation (no absolute path, no ``..`` above the root, no drive or backslash tricks), and, on
disk, when no component below the root is a symlink and the file is regular and at most
``MAX_MODULE_BYTES``; in git, only a blob of at most that size (a symlink's blob is its target's
name, never followed). Nothing is executed or imported. ``reads`` records each path read with a
digest of what was found (None: nothing usable), so a cached result can be checked against it.
"""
from __future__ import annotations

import os
import posixpath
import stat
from pathlib import Path
from typing import Any, Optional

from sentinel_hooks import digests, platform_os, text_lines
from sentinel_hooks.sources.files import BINARY_SNIFF, decode, is_binary

MAX_MODULE_BYTES = 1 << 20


def confined(path: str) -> Optional[str]:
    """``path`` normalised as a repository-relative POSIX path, or None when it leaves the repository
    or is not a plain path (absolute, ``..`` above the root, a drive, a backslash, control characters)."""
    if not path or "\\" in path or ":" in path or any(ord(c) < 32 or c == "\x7f" for c in path):
        return None
    if path.startswith("/"):
        return None
    normal = posixpath.normpath(path)
    if normal in (".", "..") or normal.startswith("../") or normal.startswith("/"):
        return None
    return normal


def digest_of(data: Optional[bytes]) -> Optional[str]:
    return None if data is None else digests.blake2b(data, digest_size=16).hexdigest()


class ModuleReader:
    """Reads modules of one state of the repository; ``base()`` reads the state it is compared with
    (None when there is none). Subclasses supply ``_bytes``."""

    def __init__(self) -> None:
        self.reads: dict[str, Optional[str]] = {}
        self._texts: dict[str, Optional[str]] = {}
        # the files a diff changes: path -> (added lines, None for an added file: every line; new-file
        # lines after which lines were removed)
        self.changes: dict[str, tuple[Optional[frozenset[int]], frozenset[int]]] = {}
        # path -> (the entry of ``changes`` they came from, its added lines and deletion points sorted)
        self._sorted_changes: dict[str, tuple[Any, list[int], list[int]]] = {}

    def changed(self, path: str, first: int, last: int) -> bool:
        """Whether the scanned change added lines to ``path`` within ``first``..``last`` (lines of its
        text) or removed lines between them (False outside diff scans)."""
        change = self.changes.get(path)
        if change is None:
            return False
        if change[0] is None:
            return first <= last
        # the sets as workers receive them, sorted once per path (and again if the entry is replaced)
        held = self._sorted_changes.get(path)
        if held is None or held[0] is not change:
            held = self._sorted_changes[path] = (change, sorted(change[0]), sorted(change[1]))
        return text_lines.change_reaches(held[1], held[2], first, last)

    def read(self, path: str) -> Optional[str]:
        """The text of the module at repository-relative ``path``, or None (outside the repository,
        missing, not a regular file, too large, binary)."""
        rel = confined(path)
        if rel is None:
            return None
        if rel not in self._texts:
            data = self._usable(rel)
            self.reads[rel] = digest_of(data)
            self._texts[rel] = None if data is None else decode(data)
        return self._texts[rel]

    def unchanged(self, reads: dict[str, Optional[str]]) -> bool:
        """Whether every module of ``reads`` (path -> digest, as recorded by an earlier scan) still holds
        the same content (or still is absent)."""
        return all(confined(p) == p and digest_of(self._usable(p)) == d for p, d in reads.items())

    def _usable(self, rel: str) -> Optional[bytes]:
        data = self._bytes(rel)
        return None if data is None or is_binary(data[:BINARY_SNIFF]) else data

    def base(self) -> Optional["ModuleReader"]:
        return None

    def _bytes(self, rel: str) -> Optional[bytes]:
        raise NotImplementedError


class DirectoryModules(ModuleReader):
    """Modules below a folder on disk (the scan root): no symlink below ``root`` is followed."""

    def __init__(self, root: str):
        super().__init__()
        self.root = root

    def __getstate__(self) -> dict:
        return {"root": self.root}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["root"])  # type: ignore[misc]

    def _bytes(self, rel: str) -> Optional[bytes]:
        current = self.root
        parts = rel.split("/")
        try:
            for part in parts[:-1]:
                current = os.path.join(current, part)
                if not stat.S_ISDIR(os.lstat(current).st_mode):  # a symlinked folder is refused too
                    return None
            full = os.path.join(current, parts[-1])
            st = os.lstat(full)
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_MODULE_BYTES:
                return None
            fh = platform_os.open_regular(full)
            if fh is None:
                return None
            with fh:
                data = fh.read(MAX_MODULE_BYTES + 1)
        except (OSError, ValueError):
            return None
        return data if len(data) <= MAX_MODULE_BYTES else None


_BLOB_READERS: dict[tuple, Any] = {}  # this process's readers, by process and repository


def process_blob_reader(git) -> Any:
    """One ``git cat-file --batch`` per process and repository for the readers sent to a worker: a
    diff scan sends one with every batch of files, and each would otherwise start its own."""
    key = (os.getpid(), git.cwd, tuple(git.extra_options), tuple(sorted(git.env.items())) if git.env else None)
    if key not in _BLOB_READERS:
        from sentinel_hooks.sources.git import BlobReader

        _BLOB_READERS[key] = BlobReader(git)
    return _BLOB_READERS[key]


class BlobText:
    """The decoded text of blob ``sha`` (None when git has no such object), read when called: a diff
    scan's base version of a changed file, which few checks read. It is ``portable``: a copy sent to
    a worker process reads through that process's ``git cat-file`` (``process_blob_reader``), so the
    scan does not read every base in advance to send it along."""

    portable = True

    def __init__(self, blobs, sha: str):
        self.blobs = blobs
        self.sha = sha

    def __call__(self) -> Optional[str]:
        data = self.blobs.read(self.sha)
        return None if data is None else decode(data)

    def __getstate__(self) -> dict:
        return {"git": self.blobs.git, "sha": self.sha}

    def __setstate__(self, state: dict) -> None:
        self.__init__(process_blob_reader(state["git"]), state["sha"])  # type: ignore[misc]


class GitModules(ModuleReader):
    """Modules of a git state: ``revision`` '' for the index, else a commit or tree SHA. ``blobs`` is
    the scan's open ``git cat-file --batch`` (a copy sent to another process starts its own);
    ``base_revision`` names the state compared with, for ``base()``."""

    def __init__(self, blobs, revision: str = "", base_revision: Optional[str] = None):
        super().__init__()
        self.blobs = blobs
        self.revision = revision
        self.base_revision = base_revision

    def __getstate__(self) -> dict:
        return {"git": self.blobs.git, "revision": self.revision, "base_revision": self.base_revision,
                "changes": self.changes}

    def __setstate__(self, state: dict) -> None:
        self.__init__(process_blob_reader(state["git"]), state["revision"], state["base_revision"])  # type: ignore[misc]
        self.changes = state["changes"]

    def base(self) -> Optional[ModuleReader]:
        if self.base_revision is None:
            return None
        return GitModules(self.blobs, self.base_revision)

    def _bytes(self, rel: str) -> Optional[bytes]:
        from sentinel_hooks.errors import GitError

        try:
            return self.blobs.read_blob(f"{self.revision}:{rel}", MAX_MODULE_BYTES)
        except GitError:  # cat-file stopped: the next read starts a new one
            self.blobs.close()
            return None


class WorkTreeModules(DirectoryModules):
    """Modules of the work tree of a repository, compared with a commit (``base()`` reads it)."""

    def __init__(self, root: str, blobs=None, base_revision: Optional[str] = None):
        super().__init__(root)
        self.blobs = blobs
        self.base_revision = base_revision

    def __getstate__(self) -> dict:
        return {"root": self.root, "git": self.blobs.git if self.blobs is not None else None,
                "base_revision": self.base_revision, "changes": self.changes}

    def __setstate__(self, state: dict) -> None:
        git = state.get("git")
        self.__init__(state["root"], process_blob_reader(git) if git is not None else None,  # type: ignore[misc]
                      state.get("base_revision"))
        self.changes = state["changes"]

    def base(self) -> Optional[ModuleReader]:
        if self.blobs is None or self.base_revision is None:
            return None
        return GitModules(self.blobs, self.base_revision)


def scan_root(abs_path: str, display_path: str) -> Optional[str]:
    """The folder a full scan's display path is relative to (``abs_path`` minus ``display_path``), or
    None when the display path is not relative to one."""
    shown = display_path.split("/")
    if confined(display_path) != display_path:
        return None
    parts = Path(abs_path).parts
    if len(parts) <= len(shown) or list(parts[-len(shown):]) != shown:
        return None
    return str(Path(*parts[:-len(shown)]))
