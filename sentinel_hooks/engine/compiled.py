"""A validated rule set in plain objects, cached on disk so the hot path skips YAML and pydantic.

``load_rules`` hashes the pack files (built-in and user) with the tool version and options; when the
cache holds a rule set for that hash it is loaded from JSON, otherwise the packs are parsed and
validated (``rules.build_ruleset``) and the result is stored. Regexes compile on first use, so a scan
compiles only the rules whose keywords occur in the text.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Optional

from sentinel_hooks import __version__, digests
from sentinel_hooks.engine.patterns import flag_value
from sentinel_hooks.findings import Confidence, Severity

CACHE_FORMAT = 2


def _enum(kind, value):
    return kind(value) if isinstance(value, int) else kind[str(value).upper()]


class CompiledRule:
    """The engine's view of a rule: the same attribute names as ``rules.Rule``, without pydantic."""

    def __init__(self, data: dict[str, Any]):
        self.__dict__.update(data)
        self.severity = _enum(Severity, data["severity"])
        self.confidence = _enum(Confidence, data["confidence"])
        self._compiled: Optional[re.Pattern[str]] = None
        self._allow: Optional[list[re.Pattern[str]]] = None
        self._allow_line: Optional[list[re.Pattern[str]]] = None

    @property
    def compiled(self) -> Optional[re.Pattern[str]]:
        if self.regex is None:
            return None
        if self._compiled is None:
            self._compiled = re.compile(self.regex, flag_value(self.flags))
        return self._compiled

    @property
    def compiled_allow(self) -> list[re.Pattern[str]]:
        if self._allow is None:
            self._allow = [re.compile(p) for p in self.allow]
        return self._allow

    @property
    def compiled_allow_line(self) -> list[re.Pattern[str]]:
        if self._allow_line is None:
            self._allow_line = [re.compile(p) for p in self.allow_line]
        return self._allow_line

    @property
    def cwe_number(self) -> int:
        return int(self.cwe.split("-", 1)[1])

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_compiled"] = state["_allow"] = state["_allow_line"] = None
        return state

    def __repr__(self) -> str:
        return f"CompiledRule({self.id!r})"


def _pack_files(user_packs: list[Path]) -> list[tuple[str, bytes]]:
    folder = Path(__file__).resolve().parents[1] / "rules"  # importlib.resources costs 9 ms to import
    if not folder.is_dir():  # pragma: no cover - installed inside an archive
        from importlib import resources

        folder = resources.files("sentinel_hooks") / "rules"  # type: ignore[assignment]
    out = [(f"builtin:{p.name}", p.read_bytes()) for p in sorted(folder.iterdir(), key=lambda p: p.name)
           if p.name.endswith((".yaml", ".yml"))]
    for given in user_packs:
        paths = sorted(given.iterdir()) if given.is_dir() else [given]
        for p in paths:
            try:
                out.append((str(p), p.read_bytes()))
            except OSError:
                out.append((str(p), b"<unreadable>"))  # the full load reports the error
    return out


def ruleset_key(user_packs: list[Path], disabled: list[str], builtin: bool) -> str:
    digest = digests.sha256(f"{CACHE_FORMAT}\0{__version__}\0{builtin}\0{sorted(disabled)}".encode())
    for name, data in _pack_files(user_packs):
        if not builtin and name.startswith("builtin:"):
            continue
        digest.update(name.encode() + b"\0" + digests.sha256(data).digest())
    return digest.hexdigest()[:40]


def to_data(rule: Any) -> dict[str, Any]:
    data = rule.model_dump(mode="json")
    data["source"] = rule.source
    return data


def load_rules(user_packs: list[Path], disabled: list[str], builtin: bool = True,
               cache_dir: Optional[Path] = None) -> list[CompiledRule]:
    key = ruleset_key(user_packs, disabled, builtin) if cache_dir is not None else ""
    if cache_dir is not None:
        cached = _read_cached(cache_dir / "rules" / f"{key}.json", key)
        if cached is not None:
            return cached
    from sentinel_hooks.engine.rules import build_ruleset

    data = [to_data(r) for r in build_ruleset(user_packs, disabled, builtin=builtin)]
    if cache_dir is not None:
        from sentinel_hooks.cache import write_json_atomic

        write_json_atomic(cache_dir / "rules" / f"{key}.json", {"key": key, "rules": data}, cache_dir)
    return [CompiledRule(d) for d in data]


def _read_cached(path: Path, key: str) -> Optional[list[CompiledRule]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("key") != key:
            return None
        return [CompiledRule(d) for d in doc["rules"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # absent, corrupt or foreign: rebuilt from the packs


def ruleset_fingerprint(rules: list[Any]) -> str:
    """A hash of everything the rules say (ids, patterns, options), for keying cached results."""
    digest = digests.sha256()
    for rule in sorted(rules, key=lambda r: r.id):
        data = {k: v for k, v in vars(rule).items() if not k.startswith("_")} if isinstance(rule, CompiledRule) \
            else to_data(rule)
        digest.update(json.dumps(data, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:40]
