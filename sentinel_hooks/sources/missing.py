"""Named paths that do not exist: deleted ones (git knows them) are skipped, the rest are errors.

CI recipes feed `git diff --name-only BASE...HEAD` to a full scan, and that list names the files a
change deletes. Such a path is tracked at HEAD or in the index but gone from the work tree, or git's
history records its deletion; any other missing path is a typo or a broken script and is reported.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from sentinel_hooks.errors import GitError
from sentinel_hooks.sources.git import Git, pathspecs


def existing_ancestor(path: Path) -> Optional[Path]:
    for candidate in (path, *path.parents):
        if candidate.is_dir():
            return candidate
    return None


def _git_paths(top: Path, args: list[str], rels: list[str]) -> set[str]:
    """Paths git prints (NUL-separated) for a command limited to ``rels``; empty when git fails (an
    unborn HEAD, say)."""
    try:
        out = Git(top).output([*args, "--", *pathspecs(rels)])
    except GitError:
        return set()
    return {os.fsdecode(p) for p in out.split(b"\0") if p.strip()}


def _covers(known: set[str], rel: str) -> bool:
    return rel in known or any(k.startswith(rel + "/") for k in known)


def deleted_in_git(top: Path, rels: list[str]) -> set[str]:
    """Of ``rels`` (relative to the work tree ``top``), those git tracks at HEAD or in the index, or
    whose deletion a commit reachable from HEAD records."""
    known = _git_paths(top, ["ls-files", "-z", "--cached"], rels)
    known |= _git_paths(top, ["ls-tree", "-r", "-z", "--name-only", "HEAD"], rels)
    found = {rel for rel in rels if _covers(known, rel)}
    rest = [rel for rel in rels if rel not in found]
    if rest:
        history = _git_paths(top, ["log", "-z", "--no-renames", "--diff-filter=D", "--name-only", "--format=",
                                   "HEAD"], rest)
        found |= {rel for rel in rest if _covers(history, rel)}
    return found


def deleted_paths(paths: list[Path]) -> set[Path]:
    """The subset of the missing ``paths`` that git records as deleted."""
    from sentinel_hooks.sources.files import git_toplevel

    by_repo: dict[Path, dict[str, Path]] = {}
    for given in paths:
        absolute = Path(os.path.abspath(given))
        anchor = existing_ancestor(absolute.parent)
        top = git_toplevel(anchor) if anchor is not None else None
        if top is None:
            continue
        try:
            rel = absolute.relative_to(top).as_posix()
        except ValueError:
            rel = Path(os.path.relpath(absolute, top)).as_posix()
        if rel and not rel.startswith("../"):
            by_repo.setdefault(top, {})[rel] = given
    deleted: set[Path] = set()
    for top, named in by_repo.items():
        deleted |= {named[rel] for rel in deleted_in_git(top, list(named))}
    return deleted


def unknown_paths(paths: list[str]) -> list[tuple[str, str]]:
    """(path, reason) errors for the named paths that neither exist nor are known to git as deleted;
    diff scans use it, since their git comparison alone says nothing about a mistyped path."""
    missing = [Path(p) for p in paths if p and not os.path.lexists(p)]
    if not missing:
        return []
    deleted = deleted_paths(missing)
    return [(p.as_posix(), "no such file or directory") for p in missing if p not in deleted]
