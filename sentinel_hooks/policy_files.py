"""Reading the files that steer a scan (configuration, ignore files, rule packs) as untrusted input.

A file the scanned repository supplies is read only when it is a regular file that is neither a
symlink nor below one inside the repository, up to a size bound; a symlink to ``/proc/self/environ``,
``~/.git-credentials`` or ``/dev/zero`` is refused before anything is read. Errors name the file and
the problem, never its content. Files the user names on the command line may be symlinks (the
user's choice), but must still be regular files within the bound.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Optional

from sentinel_hooks.errors import ConfigError, FileSystemError

MAX_POLICY_BYTES = 10_000_000


def _symlink_below(path: Path, root: Path) -> Optional[Path]:
    """The first symlink among the components of ``path`` below ``root`` (``path`` included)."""
    try:
        rel = Path(os.path.abspath(path)).relative_to(Path(os.path.abspath(root)))
    except ValueError:
        return None
    current = Path(os.path.abspath(root))
    for part in rel.parts:
        current = current / part
        if os.path.islink(current):
            return current
    return None


def _refuse_symlink(path: Path, root: Path, what: str) -> None:
    link = _symlink_below(path, root)
    if link is None:
        return
    where = "is a symlink" if link == Path(os.path.abspath(path)) else f"lies below a symlink ({link.name})"
    raise ConfigError(f"{path}: {what} {where}: files that steer the scan are read only as regular files")


def read_bytes(path: Path, what: str, *, root: Optional[Path] = None, limit: int = MAX_POLICY_BYTES,
               skip_unusable: bool = False) -> Optional[bytes]:
    """The file's bytes, or None when it does not exist.

    With ``root`` (the file comes from the scanned repository) a symlink anywhere from ``root`` down
    to the file is refused; without it a symlink is followed. Anything but a regular file, or a file
    over ``limit`` bytes, is refused (ConfigError, exit 2); an unreadable file is a FileSystemError.
    ``skip_unusable`` turns a refused symlink, a folder, a special file or an unreadable file into None
    as well (for a second look at files whose own loader reports such problems); the size bound holds.
    """
    if root is not None:
        if skip_unusable and _symlink_below(path, root) is not None:
            return None
        _refuse_symlink(path, root, what)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if root is not None:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if skip_unusable:
            return None
        if isinstance(exc, IsADirectoryError) or os.path.isdir(path):  # Windows: PermissionError for a folder
            raise ConfigError(f"{path}: {what} is a directory") from None
        raise FileSystemError(f"{path}: {what} cannot be read ({exc.strerror or exc.__class__.__name__})") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
        os.close(fd)
        if skip_unusable and not stat.S_ISREG(st.st_mode):
            return None
        if stat.S_ISDIR(st.st_mode):
            raise ConfigError(f"{path}: {what} is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise ConfigError(f"{path}: {what} is not a regular file")
        raise ConfigError(f"{path}: {what} is too large ({st.st_size} bytes; limit {limit})")
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise FileSystemError(f"{path}: {what} cannot be read ({exc.strerror or exc.__class__.__name__})") from None
    if len(data) > limit:  # a file that grows, or a pseudo-file whose size says 0
        raise ConfigError(f"{path}: {what} is too large (over {limit} bytes)")
    return data


def read_text(path: Path, what: str, *, root: Optional[Path] = None, limit: int = MAX_POLICY_BYTES) -> Optional[str]:
    """``read_bytes`` decoded as UTF-8 (a file that is not UTF-8 is a ConfigError)."""
    data = read_bytes(path, what, root=root, limit=limit)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: {what} is not UTF-8 text") from None


def check_named_by_repository(path: Path, root: Path, what: str) -> None:
    """A path the repository's own config names (a rule pack or folder of packs) must lie inside the
    repository with no symlink on the way, and a folder's packs must not be symlinks either."""
    absolute = Path(os.path.abspath(path))
    try:
        absolute.relative_to(Path(os.path.abspath(root)))
    except ValueError:
        raise ConfigError(f"{path}: {what} named by the repository's config lies outside the repository") from None
    _refuse_symlink(absolute, root, what)
    if absolute.is_dir():
        for entry in sorted(absolute.iterdir()):
            if entry.suffix in (".yaml", ".yml") and entry.is_symlink():
                _refuse_symlink(entry, root, what)
