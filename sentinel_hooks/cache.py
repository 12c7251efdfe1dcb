"""The cache directory: the validated rule set and per-file scan results.

Writes are atomic (temporary file + rename), so parallel jobs sharing a cache cannot corrupt it, and
every read is checked: a corrupt or foreign entry is ignored and rebuilt, never trusted. The folder
holds a `.gitignore` of `*`, so git never shows it as untracked. Nothing secret is stored: findings are
kept with redacted snippets and content hashes only.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

from sentinel_hooks import __version__, digests

DEFAULT_DIR = ".mcp-sentinel-cache"
RESULT_FORMAT = 1


def prepare(cache_dir: Path) -> bool:
    """Create the folder with its .gitignore; False when it cannot be written (the scan goes on)."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        marker = cache_dir / ".gitignore"
        if not marker.exists():
            marker.write_text("# created by mcp-sentinel\n*\n", encoding="utf-8")
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

    def get(self, key: str) -> Optional[list[dict[str, Any]]]:
        try:
            doc = json.loads(self._file(key).read_text(encoding="utf-8"))
            if doc.get("key") != key or doc.get("scope") != self.scope or not isinstance(doc.get("findings"), list):
                raise ValueError("foreign entry")
            self.hits += 1
            return doc["findings"]
        except (OSError, ValueError, AttributeError):
            self.misses += 1
            return None

    def put(self, key: str, findings: list[dict[str, Any]]) -> None:
        write_json_atomic(self._file(key), {"key": key, "scope": self.scope, "findings": findings}, self.dir)
