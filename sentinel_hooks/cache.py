"""The caches: the validated rule set and configuration in a per-user folder, per-file scan results
in the repository's cache folder.

Nothing the scanned change can write decides a result. The rule set and configuration are cached
outside the repository (``user_dir``); the result cache in the repository is used only when it is
the scanner's own folder: not tracked by git, not a symlink (nor below one), inside the repository
when the repository's config names it, and never the repository itself. Every entry is bound to
what it was computed from (format, tool version, rule-set digest, options digest, path and content
hash), and every read is checked: a corrupt, foreign or wrong-shape entry is ignored and rebuilt.

Writes are atomic (temporary file + rename), so parallel jobs sharing a cache cannot corrupt it. The
repository folder holds a `.gitignore` of `*`, so git never shows it as untracked. Nothing secret is
stored: findings are kept with redacted snippets and content hashes only.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable, Optional

from sentinel_hooks import __version__, digests

DEFAULT_DIR = ".mcp-sentinel-cache"
RESULT_FORMAT = 2
MARKER = "# created by mcp-sentinel\n*\n"
APP = "mcp-sentinel"


def user_dir() -> Optional[Path]:
    """The per-user cache folder (``$XDG_CACHE_HOME/mcp-sentinel``, else the platform's cache folder),
    or None when there is no home to put it in."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / APP
    from sentinel_hooks.platform_os import user_cache_folder

    return user_cache_folder(APP)


def prepare(cache_dir: Path) -> bool:
    """Create the folder with its .gitignore; False when it cannot be written (the scan goes on) or
    when it is a folder with other content that is not the scanner's own (a `*` .gitignore dropped
    there would hide that content from git)."""
    try:
        marker = cache_dir / ".gitignore"
        if marker.is_file():
            return True
        cache_dir.mkdir(parents=True, exist_ok=True)
        if any(os.scandir(cache_dir)):
            return False
        marker.write_text(MARKER, encoding="utf-8")
        return True
    except OSError:
        return False


def write_json_atomic(path: Path, doc: Any, cache_dir: Path) -> None:
    """Best effort: a cache that cannot be written is simply not used."""
    from sentinel_hooks.errors import FileSystemError
    from sentinel_hooks.outputs import write_atomic

    if not prepare(cache_dir):
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, lambda fh: json.dump(doc, fh, separators=(",", ":")))
    except (OSError, FileSystemError):
        pass


def read_json(path: Path) -> Any:
    """An entry's JSON, or None when it is absent, unreadable or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# -- choosing the result cache folder --------------------------------------------------------------
def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _symlink_on_the_way(folder: Path, root: Path) -> Optional[Path]:
    """The first symlink from ``root`` (exclusive) down to ``folder`` (inclusive), if any."""
    current = root
    for part in folder.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            return current
        if not current.exists():
            return None
    return None


def _tracked(folder: Path, root: Path) -> bool:
    """True when git tracks anything in ``folder`` (a committed cache is the change's content)."""
    if not (root / ".git").exists() or not folder.is_dir():
        return False
    from sentinel_hooks.errors import GitError
    from sentinel_hooks.sources.git import Git, pathspecs

    rel = folder.relative_to(root).as_posix()
    try:
        out = Git(root).output(["ls-files", "-z", "--cached", "--", *pathspecs([rel])])
    except GitError:
        return True  # cannot tell: do not trust it
    return bool(out)


def results_dir(chosen: Path, root: Path, from_repository: bool) -> tuple[Optional[Path], Optional[str]]:
    """The result cache folder to use, or None with the reason it is refused.

    ``chosen`` is relative to ``root`` (or absolute). ``from_repository`` marks a ``cache-dir`` taken
    from the scanned repository's own config: it must stay inside the repository. Whatever chose it, a folder inside the repository must not be the
    repository itself (or above it), a symlink or below one, or tracked by git.
    """
    root = Path(os.path.abspath(root))
    folder = Path(os.path.abspath(root / chosen))
    if from_repository and (chosen.is_absolute() or not _inside(folder, root)):
        return None, f"cache-dir {chosen.as_posix()!r} from the repository's config is outside the repository"
    shown = folder.relative_to(root).as_posix() if _inside(folder, root) else folder.as_posix()
    if not _inside(folder, root):
        return folder, None  # the user's own choice on the command line
    if folder == root:
        return None, f"cache folder {chosen.as_posix()!r} is the repository itself: the cache needs a folder of its own"
    link = _symlink_on_the_way(folder, root)
    if link is not None:
        return None, f"cache folder {link.relative_to(root).as_posix()!r} is a symlink"
    if _tracked(folder, root):
        return None, f"cache folder {shown!r} is tracked by git"
    return folder, None


# -- per-file results ------------------------------------------------------------------------------
_STR_FIELDS = ("rule_id", "title", "cwe", "path", "snippet", "remediation")
_OPTIONAL_STR_FIELDS = ("description", "category", "message", "fingerprint", "content_hash")
_INT_FIELDS = ("line", "column", "end_line", "end_column")


def findings_from_entry(docs: Any) -> Optional[list]:
    """Findings from a cached list, or None when any item has the wrong shape."""
    from sentinel_hooks.findings import Confidence, Severity, from_dict

    if not isinstance(docs, list):
        return None
    out = []
    for d in docs:
        if not isinstance(d, dict) \
                or not all(isinstance(d.get(k), str) for k in _STR_FIELDS) \
                or not all(isinstance(d.get(k, ""), str) for k in _OPTIONAL_STR_FIELDS) \
                or not all(type(d.get(k)) is int and d[k] >= 0 for k in _INT_FIELDS) \
                or d.get("severity") not in Severity.__members__ or d.get("confidence") not in Confidence.__members__ \
                or not isinstance(d.get("extra", {}) or {}, dict) \
                or not isinstance(d.get("suppressed_by"), (str, type(None))) \
                or not isinstance(d.get("secret"), type(None)):
            return None
        try:
            out.append(from_dict(d))
        except (KeyError, TypeError, ValueError):
            return None
    return out


def _is_module_digests(doc: Any) -> bool:
    return isinstance(doc, dict) and all(isinstance(k, str) and isinstance(v, (str, type(None)))
                                         for k, v in doc.items())


class ResultCache:
    """Findings per (path, content) for one rule set and engine configuration."""

    def __init__(self, cache_dir: Path, ruleset_key: str, options: str):
        self.dir = cache_dir
        self.scope = digests.sha256(f"{RESULT_FORMAT}\0{__version__}\0{ruleset_key}\0{options}".encode()).hexdigest()[:16]
        self.hits = 0
        self.misses = 0

    def key(self, path: str, data: bytes) -> str:
        h = digests.blake2b(digest_size=20)
        h.update(path.encode("utf-8", "surrogateescape") + b"\0")
        h.update(data)
        return h.hexdigest()

    def _file(self, key: str) -> Path:
        return self.dir / "results" / self.scope / key[:2] / f"{key}.json"

    def get(self, key: str) -> Optional[list]:
        """The cached findings (Finding objects) for ``key``, or None."""
        entry = self.get_entry(key)
        return None if entry is None else entry[0]

    def get_entry(self, key: str, unchanged: Optional[Callable[[dict[str, Optional[str]]], bool]] = None
                  ) -> Optional[tuple[list, Optional[str]]]:
        """The cached findings for ``key`` and why a check could not analyse the file (or None), or None.
        An entry that recorded other modules the file's results depend on (path -> content digest) is
        used only when ``unchanged`` confirms that they still hold that content."""
        doc = read_json(self._file(key))
        findings, note = None, None
        if isinstance(doc, dict) and doc.get("key") == key and doc.get("scope") == self.scope:
            findings = findings_from_entry(doc.get("findings"))
            note = doc.get("not_analysed")
            if note is not None and not isinstance(note, str):
                findings = None
            modules = doc.get("modules")
            if modules is not None and not (_is_module_digests(modules) and unchanged is not None
                                            and unchanged(modules)):
                findings = None
        if findings is None:
            self.misses += 1
            return None
        self.hits += 1
        return findings, note

    def put(self, key: str, findings: list[dict[str, Any]], not_analysed: Optional[str] = None,
            modules: Optional[dict[str, Optional[str]]] = None) -> None:
        """``modules``: the other modules of the repository the results depend on (path -> digest of
        their content, None when absent)."""
        doc: dict[str, Any] = {"key": key, "scope": self.scope, "findings": findings}
        if not_analysed is not None:
            doc["not_analysed"] = not_analysed
        if modules:
            doc["modules"] = modules
        write_json_atomic(self._file(key), doc, self.dir)
