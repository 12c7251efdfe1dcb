"""Full scans: walk the given files and folders, honour .gitignore inside a git work tree,
apply exclude patterns, skip binary and special files, and read text into units."""
from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path
from typing import Iterator, Optional

from sentinel_hooks import platform_os
from sentinel_hooks.errors import FileSystemError
from sentinel_hooks.globs import compile_globs
from sentinel_hooks.records import record
from sentinel_hooks.sources import git, skips
from sentinel_hooks.sources.skips import SkipLog

BINARY_SNIFF = 8192
DEFAULT_EXCLUDE_DIRS = (
    ".git", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".nox", ".mypy_cache",
    ".pytest_cache", ".ruff_cache", ".hypothesis", ".mcp-sentinel-cache",
)
PATH_IGNORE_FILE = ".mcp-sentinelignore"  # paths a scan skips (gitignore syntax); accepted findings: ignore_file.py


@record(frozen=True)
class FileEntry:
    abs_path: str
    display_path: str
    size: int


class Excludes:
    """Exclude-dir names, exclude patterns and .mcp-sentinelignore, in gitwildmatch semantics."""

    def __init__(self, dirs: list[str], patterns: list[str], ignore_file_lines: list[str] = ()):
        dirs = [d.strip().rstrip("/") for d in dirs if d.strip()]
        # plain folder names (the usual case) are a set lookup; anything else goes to the glob engine
        self.names = {d for d in dirs if not any(c in d for c in "/*?[]!\\")}
        lines = [d + "/" for d in dirs if d not in self.names]
        lines += [p.strip() for p in patterns if p.strip()]
        lines += [line for line in ignore_file_lines if line.strip() and not line.lstrip().startswith("#")]
        self.spec = compile_globs(lines) if lines else None
        self.active = bool(self.names) or self.spec is not None

    def match(self, rel_path: str, is_dir: bool = False) -> bool:
        if is_dir and self.names and rel_path.rsplit("/", 1)[-1] in self.names:
            return True
        if self.spec is None:
            return False
        return self.spec.match_file(rel_path + "/" if is_dir else rel_path)

    def match_under(self, rel_path: str, memo: dict[str, bool]) -> bool:
        """True when the file, or any folder above it, is excluded (folder answers memoised)."""
        if not self.active:
            return False
        parts = rel_path.split("/")
        for i in range(1, len(parts)):
            prefix = "/".join(parts[:i])
            hit = memo.get(prefix)
            if hit is None:
                hit = memo[prefix] = self.match(prefix, is_dir=True)
            if hit:
                return True
        return self.match(rel_path)


MAX_IGNORE_FILE_BYTES = 1_000_000


def read_ignore_file(root: Path) -> list[str]:
    """The lines of ``root``'s .mcp-sentinelignore (a regular file, not a symlink, at most 1 MB)."""
    from sentinel_hooks.policy_files import read_bytes

    data = read_bytes(root / PATH_IGNORE_FILE, "ignore file", root=root, limit=MAX_IGNORE_FILE_BYTES)
    return [] if data is None else data.decode("utf-8", errors="replace").splitlines()


def git_toplevel(path: Path) -> Optional[Path]:
    """The work-tree root containing ``path``, found without starting git."""
    p = path if path.is_dir() else path.parent
    p = p.resolve()
    for candidate in (p, *p.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def utf16_without_bom(head: bytes) -> Optional[str]:
    """'utf-16-le' or 'utf-16-be' when ``head`` reads as mostly-ASCII UTF-16 text without a byte-order
    mark (a NUL in every other byte), else None."""
    even, odd = head[0::2], head[1::2]
    if len(odd) < 2:
        return None
    for codec, zeros, chars in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) * 4 >= len(zeros) * 3 and chars.count(0) * 20 <= len(chars):
            try:
                head[:len(head) - len(head) % 2].decode(codec)
            except UnicodeDecodeError as exc:
                if exc.start < len(head) - 4:  # only a surrogate pair cut at the end is allowed
                    continue
            return codec
    return None


_CONTROL = bytes(sorted(set(range(32)) - {8, 9, 10, 11, 12, 13, 27})) + b"\x7f"
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL)


def is_binary(head: bytes) -> bool:
    """Decided from content only: bytes holding a NUL are binary unless they are UTF-16 text (with or
    without a byte-order mark) or mostly text: at most one byte in ten a control character or invalid
    UTF-8 (node runs a script holding ``/*\0*/``, so a stray NUL must not hide a file)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8)):
        return False
    if b"\0" not in head or utf16_without_bom(head) is not None:
        return False
    odd = len(head.translate(None, _NOT_CONTROL)) + head.decode("utf-8", "replace").count("\ufffd")
    return odd * 10 > len(head)


_LONE_CR = re.compile(r"\r(?!\n)")


def unify_line_ends(text: str) -> str:
    """Lone carriage returns (old Mac line ends, which Python and node accept) become newlines, so
    that ``\n``, ``\r\n`` and ``\r`` files give the same lines; lengths and offsets are unchanged."""
    if "\r" not in text:
        return text
    return _LONE_CR.sub("\n", text)


def has_lone_cr(data: bytes) -> bool:
    return b"\r" in data and re.search(rb"\r(?!\n)", data) is not None


def decode(data: bytes) -> str:
    """UTF-8 with replacement; UTF-16/UTF-8 with a BOM decoded as such; line ends unified."""
    if data.startswith(codecs.BOM_UTF8):
        text = data[3:].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        codec = utf16_without_bom(data[:BINARY_SNIFF]) if b"\0" in data[:BINARY_SNIFF] else None
        text = data.decode(codec or "utf-8", errors="replace")
    return unify_line_ends(text)


class FileWalker:
    """Enumerates files to scan for the given paths; records skips and unreadable paths."""

    def __init__(self, paths: list[Path], excludes: Excludes, max_file_size: Optional[int] = None,
                 root: Optional[Path] = None):
        self.paths = paths
        self.excludes = excludes
        self.max_file_size = max_file_size
        self.skipped = SkipLog()
        self.errors: list[tuple[str, str]] = []
        self.root = root

    def display(self, abs_path: Path, base: Path) -> str:
        try:
            return abs_path.relative_to(base).as_posix()
        except ValueError:
            return abs_path.as_posix()

    def __iter__(self) -> Iterator[FileEntry]:
        missing = []
        for given in self.paths:
            if not os.path.lexists(given):
                missing.append(given)
                continue
            yield from self._walk_given(given)
        if missing:
            self._record_missing(missing)

    def _record_missing(self, missing: list[Path]) -> None:
        """A named path git records as deleted is skipped; any other missing path is an error, and
        the other paths are still scanned."""
        from sentinel_hooks.sources.missing import deleted_paths

        deleted = deleted_paths(missing)
        for given in missing:
            shown = Path(given).as_posix()
            if given in deleted:
                self.skipped.add(skips.DELETED, shown)
            else:
                self.errors.append((shown, "no such file or directory"))

    def _walk_given(self, given: Path) -> Iterator[FileEntry]:
        try:
            st = os.lstat(given)
        except FileNotFoundError:
            raise FileSystemError(f"{given}: no such file or directory") from None
        except OSError as exc:
            raise FileSystemError(f"{given}: cannot be accessed ({exc.strerror or exc})") from None
        absolute = Path(os.path.abspath(given))
        top = self.root or git_toplevel(absolute)
        base = top if top is not None else (absolute if stat.S_ISDIR(st.st_mode) else absolute.parent)
        if not stat.S_ISDIR(st.st_mode):
            # an explicitly named file is scanned even if ignored, but excludes still apply
            rel = self.display(absolute, base)
            if self.excludes.match(rel):
                self.skipped.add(skips.EXCLUDED, rel)
                return
            entry = self._entry(absolute, rel, st)
            if entry:
                yield entry
            return
        listed = None
        if top is not None and (top / ".git").exists():
            rel_dir = self.display(absolute, top) if absolute != top else ""
            if rel_dir and git.is_ignored(top, rel_dir):
                # a folder the user named explicitly but git ignores (a virtualenv, a vendored tree):
                # scan it as a plain folder rather than silently scanning nothing
                yield from self._walk_dir(absolute, absolute)
                return
            listed = git.listed_files(top, rel_dir)
        if listed is not None:
            memo: dict[str, bool] = {}
            for rel in sorted(listed):
                if self.excludes.match_under(rel, memo):
                    self.skipped.add(skips.EXCLUDED, rel)
                    continue
                path = top / rel
                try:
                    fst = os.lstat(path)
                except FileNotFoundError:
                    continue  # tracked but deleted in the work tree
                except OSError as exc:
                    self._error(rel, exc)
                    continue
                entry = self._entry(path, rel, fst)
                if entry:
                    yield entry
            return
        yield from self._walk_dir(absolute, base)

    def _walk_dir(self, folder: Path, base: Path) -> Iterator[FileEntry]:
        stack = [folder]
        while stack:
            current = stack.pop()
            try:
                with os.scandir(current) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                self._error(self.display(current, base), exc)
                continue
            subdirs = []
            for e in entries:
                path = Path(e.path)
                rel = self.display(path, base)
                try:
                    est = e.stat(follow_symlinks=False)
                except OSError as exc:
                    self._error(rel, exc)
                    continue
                if stat.S_ISDIR(est.st_mode):
                    if self.excludes.match(rel, is_dir=True):
                        self.skipped.add(skips.EXCLUDED, rel + "/")
                    else:
                        subdirs.append(path)
                    continue
                if self.excludes.match(rel):
                    self.skipped.add(skips.EXCLUDED, rel)
                    continue
                entry = self._entry(path, rel, est)
                if entry:
                    yield entry
            stack.extend(reversed(subdirs))

    def _entry(self, path: Path, rel: str, st: os.stat_result) -> Optional[FileEntry]:
        reason = skips.stat_reason(st, self.max_file_size)
        if reason is not None:
            self.skipped.add(reason, rel)
            return None
        return FileEntry(str(path), rel, st.st_size)

    def _error(self, rel: str, exc: OSError) -> None:
        self.errors.append((rel, exc.strerror or str(exc)))
        self.skipped.add(skips.UNREADABLE, rel)


def open_regular(abs_path: str):
    """The file opened for binary reading without following a symlink or blocking on a FIFO, or None
    when it is not a regular file (how, per system: ``platform_os.open_regular``). OSError propagates."""
    return platform_os.open_regular(abs_path)


def read_text(entry: FileEntry, skipped: SkipLog, errors: list[tuple[str, str]]) -> Optional[str]:
    """The file's text, or None when it is binary or unreadable (recorded)."""
    try:
        fh = open_regular(entry.abs_path)
        if fh is None:
            skipped.add(skips.NOT_REGULAR, entry.display_path)
            return None
        with fh:
            head = fh.read(BINARY_SNIFF)
            if is_binary(head):
                skipped.add(skips.BINARY, entry.display_path)
                return None
            data = head + fh.read()
    except OSError as exc:
        errors.append((entry.display_path, exc.strerror or str(exc)))
        skipped.add(skips.UNREADABLE, entry.display_path)
        return None
    return decode(data)
