"""A snapshot of the files that make a scan's policy, as text: the configuration, the two ignore
files and the rule packs the configuration names, as one state of the repository has them.

They are read from the work tree (what a scan obeys by default) or from a revision's git objects
(the base of a comparison, for ``--policy-from base`` and to see what a change to them hides):
regular files only (a symlink's target is never read), at most ``POLICY_LIMIT`` bytes each. Their
content is never echoed in an error.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, Optional

from sentinel_hooks.config import CONFIG_FILE
from sentinel_hooks.errors import ConfigError
from sentinel_hooks.ignore_file import FINDINGS_IGNORE_FILE
from sentinel_hooks.records import field, record
from sentinel_hooks.sources.files import PATH_IGNORE_FILE

POLICY_LIMIT = 4_000_000  # ignore files of many thousand entries fit; the config loader keeps its own 1 MB bound
PYPROJECT = "pyproject.toml"
FIXED_FILES = (CONFIG_FILE, PYPROJECT, PATH_IGNORE_FILE, FINDINGS_IGNORE_FILE)
REGULAR_MODES = ("100644", "100755", "100664")
PACK_SUFFIXES = (".yaml", ".yml")


@record
class PolicySnapshot:
    """Repository-relative path -> text of the policy files found; ``where`` names their origin."""

    where: str
    texts: dict[str, str] = field(default_factory=dict)
    folders: dict[str, list[str]] = field(default_factory=dict)  # a pack folder -> its pack files

    def text(self, rel: str) -> Optional[str]:
        return self.texts.get(rel)

    def lines(self, rel: str) -> list[str]:
        text = self.texts.get(rel)
        return text.splitlines() if text is not None else []

    def packs(self, rel: str) -> list[str]:
        """The pack files a configured pack path names: the file itself, or a folder's packs."""
        if rel in self.folders:
            return self.folders[rel]
        return [rel] if rel in self.texts else []


def _decode(data: bytes, rel: str, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{rel} ({where}): policy file is not UTF-8 text") from None


# -- from git objects ---------------------------------------------------------------------------
def _ls_tree(git, revision: str, paths: Iterable[str]) -> list[tuple[str, str, str, int, str]]:
    """(mode, type, object, size, path) of the named entries of ``revision``'s tree."""
    out = git.output(["ls-tree", "-z", "-l", "--full-tree", revision, "--", *paths])
    entries = []
    for record_ in out.split(b"\0"):
        if not record_:
            continue
        meta, _, name = record_.partition(b"\t")
        mode, kind, obj, size = meta.decode("ascii").split()
        entries.append((mode, kind, obj, int(size) if size.isdigit() else 0, os.fsdecode(name)))
    return entries


def at_revision(git, blobs, revision: str, extra_paths: Iterable[str] = ()) -> PolicySnapshot:
    """The policy files of ``revision`` (a commit), through git plumbing only."""
    files = PolicySnapshot(where=f"at {revision[:7]}")
    wanted = list(dict.fromkeys([*FIXED_FILES, *(p.rstrip("/") for p in extra_paths if p)]))
    for mode, kind, obj, size, path in _ls_tree(git, revision, wanted):
        if kind == "tree":
            members = [e for e in _ls_tree(git, revision, [path + "/"])
                       if e[1] == "blob" and e[4].endswith(PACK_SUFFIXES)]
            files.folders[path] = sorted(e[4] for e in members if _read_blob(files, blobs, *e))
        elif kind == "blob":
            _read_blob(files, blobs, mode, kind, obj, size, path)
    return files


def _read_blob(files: PolicySnapshot, blobs, mode: str, kind: str, obj: str, size: int, path: str) -> bool:
    if mode not in REGULAR_MODES:
        return False  # a symlink's target, a submodule: never read as policy
    if size > POLICY_LIMIT:
        raise ConfigError(f"{path} ({files.where}): policy file is too large ({size} bytes; limit {POLICY_LIMIT})")
    data = blobs.read(obj)
    if data is None:
        return False
    files.texts[path] = _decode(data, path, files.where)
    return True


# -- from the work tree -------------------------------------------------------------------------
def in_work_tree(root: Path, extra_paths: Iterable[str] = ()) -> PolicySnapshot:
    files = PolicySnapshot(where="in the working tree")
    for rel in dict.fromkeys([*FIXED_FILES, *(p.rstrip("/") for p in extra_paths if p)]):
        full = root / rel
        if full.is_dir() and os.path.realpath(full) == os.path.join(os.path.realpath(root), *rel.split("/")):
            members = sorted(p for p in os.listdir(full) if p.endswith(PACK_SUFFIXES))
            files.folders[rel] = [f"{rel}/{m}" for m in members if _read_file(files, root, f"{rel}/{m}")]
        else:
            _read_file(files, root, rel)
    return files


def _read_file(files: PolicySnapshot, root: Path, rel: str) -> bool:
    """Read one policy file of the work tree through ``policy_files``, the one reader of policy files:
    absent, a symlink (or below one), a folder or a special file is skipped, since the normal loaders
    report what they must; over ``POLICY_LIMIT`` bytes is a ConfigError."""
    from sentinel_hooks.policy_files import read_bytes

    data = read_bytes(root / rel, f"policy file ({files.where})", root=root, limit=POLICY_LIMIT, skip_unusable=True)
    if data is None:
        return False
    files.texts[rel] = _decode(data, rel, files.where)
    return True


def repo_relative(root: Path, path: Path) -> Optional[str]:
    """``path`` relative to the repository root (POSIX), or None when it lies outside it."""
    full = Path(os.path.abspath(path if path.is_absolute() else root / path))
    try:
        rel = full.relative_to(root)
    except ValueError:
        return None
    text = rel.as_posix()
    return None if text in ("", ".") or text.startswith("../") else text
