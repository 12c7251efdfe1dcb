"""The validated rule set, cached on disk, so that a hook run skips YAML and pydantic.

``load_rules`` hashes the pack files (built-in and user) with the tool version and options; when the
cache holds a rule set for that hash it is read from JSON as ``engine.rule.Rule`` objects, otherwise
the packs are parsed and validated (``engine.rules.build_ruleset``) and the result is stored.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Optional

from sentinel_hooks import __version__, digests
from sentinel_hooks.engine.rule import Rule
from sentinel_hooks.packs import builtin_pack_files

CACHE_FORMAT = 3


def _pack_files(user_packs: list[Path]) -> list[tuple[str, bytes]]:
    out = [(f"builtin:{p.name}", p.read_bytes()) for p in builtin_pack_files()]
    from sentinel_hooks.errors import SentinelError
    from sentinel_hooks.policy_files import read_bytes

    for given in user_packs:
        paths = sorted(given.iterdir()) if given.is_dir() else [given]
        for p in paths:
            try:
                data = read_bytes(p, "rule pack")  # a regular file within the size bound, or an error
            except (OSError, SentinelError):
                data = None
            out.append((str(p), b"<unreadable>" if data is None else data))  # the full load reports errors
    return out


def ruleset_key(user_packs: list[Path], disabled: list[str], builtin: bool) -> str:
    digest = digests.sha256(f"{CACHE_FORMAT}\0{__version__}\0{builtin}\0{sorted(disabled)}".encode())
    for name, data in _pack_files(user_packs):
        if not builtin and name.startswith("builtin:"):
            continue
        digest.update(name.encode() + b"\0" + digests.sha256(data).digest())
    return digest.hexdigest()[:40]


def load_rules(user_packs: list[Path], disabled: list[str], builtin: bool = True,
               cache_dir: Optional[Path] = None) -> list[Rule]:
    key = ruleset_key(user_packs, disabled, builtin) if cache_dir is not None else ""
    if cache_dir is not None:
        cached = _read_cached(cache_dir / "rules" / f"{key}.json", key)
        if cached is not None:
            return cached
    from sentinel_hooks.engine.rules import build_ruleset

    rules = build_ruleset(user_packs, disabled, builtin=builtin)
    if cache_dir is not None:
        from sentinel_hooks.cache import write_json_atomic

        write_json_atomic(cache_dir / "rules" / f"{key}.json", {"key": key, "rules": [r.to_data() for r in rules]},
                          cache_dir)
    return rules


_NONE = type(None)
_RULE_SHAPE: dict[str, Any] = {
    "id": str, "title": str, "severity": str, "confidence": str, "cwe": str, "category": str,
    "description": str, "remediation": str, "languages": list, "paths": list, "exclude_paths": list,
    "keywords": list, "keyword_reach": (int, _NONE), "regex": (str, _NONE), "flags": list,
    "report_group": (int, str, _NONE), "secret": bool, "secret_group": (int, _NONE), "entropy": (int, float, _NONE),
    "allow": list, "allow_line": list, "placeholder_filter": bool, "validator": (str, _NONE),
    "detector": (str, _NONE), "options": dict, "tags": list, "examples": dict, "source": str,
}
_STRING_LISTS = ("languages", "paths", "exclude_paths", "keywords", "allow", "allow_line", "tags")


def _well_formed(d: Any) -> bool:
    """True when a cached rule has every field the engine reads, of the right type."""
    from sentinel_hooks.engine.patterns import FLAG_NAMES

    return isinstance(d, dict) and all(k in d and isinstance(d[k], t) for k, t in _RULE_SHAPE.items()) \
        and all(isinstance(v, str) for k in _STRING_LISTS for v in d[k]) \
        and all(f in FLAG_NAMES for f in d["flags"]) and re.fullmatch(r"CWE-\d+", d["cwe"]) is not None


def _read_cached(path: Path, key: str) -> Optional[list[Rule]]:
    from sentinel_hooks.cache import read_json

    doc = read_json(path)
    if not isinstance(doc, dict) or doc.get("key") != key or not isinstance(doc.get("rules"), list) \
            or not all(_well_formed(d) for d in doc["rules"]):
        return None  # absent, corrupt, foreign or of the wrong shape: rebuilt from the packs
    try:
        return [Rule.from_data(d) for d in doc["rules"]]
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def ruleset_fingerprint(rules: list[Rule]) -> str:
    """A hash of everything the rules say (ids, patterns, options), for keying cached results."""
    digest = digests.sha256()
    for rule in sorted(rules, key=lambda r: r.id):
        digest.update(json.dumps(rule.to_data(), sort_keys=True, default=str).encode())
    return digest.hexdigest()[:40]
