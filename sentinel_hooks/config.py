"""Configuration: `.mcp-sentinel.yaml` or `[tool.mcp-sentinel]` in pyproject.toml, validated by
pydantic, then overridden by command-line flags."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Optional

from sentinel_hooks import __version__, digests
from sentinel_hooks.errors import SEVERITY_EXIT_CODES, ConfigError
from sentinel_hooks.records import field, fields, record

CONFIG_FILE = ".mcp-sentinel.yaml"
MAX_CONFIG_BYTES = 1_000_000
CACHE_FORMAT = 2
MAX_TIMEOUT = 10_000_000  # seconds (about 115 days): beyond it the timer cannot be set


@record
class Settings:
    """The validated settings as plain data (what the commands use). Its fields are also the keys the
    configuration file may hold: ``config_model`` builds the validating model from them."""

    severity_threshold: str = "low"
    exclude_dirs: list[str] = field(default_factory=list)
    exclude_patterns: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    disabled_rules: list[str] = field(default_factory=list)
    exit_codes: dict[str, int] = field(default_factory=lambda: dict(SEVERITY_EXIT_CODES))
    timeout: Optional[float] = None
    max_file_size: Optional[int] = None
    context_lines: int = 3
    redact: bool = True
    inline_suppressions: bool = True
    builtin_rules: bool = True
    cache: bool = True
    cache_dir: Optional[str] = None
    max_concurrent_files: Optional[int] = None
    memory_limit: Optional[str] = None
    context_severity: dict[str, int] = field(default_factory=lambda: {"test": 1, "example": 1, "docs": 1,
                                                                      "build": 2, "generated": 1})

    @classmethod
    def from_model(cls, model: "FileConfig") -> "Settings":
        return cls(**model.model_dump())


def parse_config(data: Any, source: str) -> Settings:
    """Validate a parsed config document (pydantic) into Settings."""
    from sentinel_hooks.config_model import validate

    return Settings.from_model(validate(data, source))


def _read(path: Path, root: Optional[Path] = None) -> str:
    """The configuration file's text: a regular file of at most MAX_CONFIG_BYTES; with ``root`` (the
    repository's own file) not a symlink either."""
    from sentinel_hooks.policy_files import read_bytes

    data = read_bytes(path, "configuration file", root=root, limit=MAX_CONFIG_BYTES)
    if data is None:
        raise ConfigError(f"{path}: configuration file not found")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: configuration file is not UTF-8 text") from None


def _yaml_document(text: str, path: Path) -> Any:
    import yaml

    from sentinel_hooks.yaml_documents import load_without_aliases

    try:
        return load_without_aliases(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}: {problem}{where}") from None


def _pyproject_section(text: str, path: Path) -> Any:
    if sys.version_info >= (3, 11):  # imported here: most runs find no pyproject.toml to read
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    tool = data.get("tool")
    return tool.get("mcp-sentinel") if isinstance(tool, dict) else None


def load_yaml_config(path: Path, text: Optional[str] = None) -> Settings:
    return parse_config(_yaml_document(_read(path) if text is None else text, path), str(path))


def load_pyproject_config(path: Path, text: Optional[str] = None) -> Optional[Settings]:
    section = _pyproject_section(_read(path) if text is None else text, path)
    if section is None:
        return None
    return parse_config(section, f"{path} [tool.mcp-sentinel]")


def _cached(path: Path, text: str, cache_dir: Optional[Path], load) -> Optional[Settings]:
    """Validated settings for this exact file content, from the cache when possible."""
    if cache_dir is None:
        return load()
    from sentinel_hooks.cache import read_json, write_json_atomic

    key = digests.sha256(f"{CACHE_FORMAT}\0{__version__}\0{path.resolve()}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()[:40]
    entry = cache_dir / "config" / f"{key}.json"
    doc = read_json(entry)
    if isinstance(doc, dict) and doc.get("key") == key and "settings" in doc:
        if doc["settings"] is None:
            return None
        cached = _settings_from_cache(doc["settings"])
        if cached is not None:
            return cached
    settings = load()
    from sentinel_hooks.records import asdict

    write_json_atomic(entry, {"key": key, "settings": asdict(settings) if settings else None}, cache_dir)
    return settings


_NONE = type(None)
_SETTING_TYPES: dict[str, Any] = {
    "severity_threshold": str, "exclude_dirs": list, "exclude_patterns": list, "rules": list,
    "disabled_rules": list, "exit_codes": dict, "timeout": (int, float, _NONE), "max_file_size": (int, _NONE),
    "context_lines": int, "redact": bool, "inline_suppressions": bool, "builtin_rules": bool, "cache": bool,
    "cache_dir": (str, _NONE), "max_concurrent_files": (int, _NONE), "memory_limit": (str, _NONE),
}


def _settings_from_cache(data: Any) -> Optional[Settings]:
    """Settings from a cache entry, or None when it is not exactly the shape validation gives."""
    import math

    if not isinstance(data, dict) or set(data) != {f.name for f in fields(Settings)}:
        return None
    if not all(isinstance(data[k], t) for k, t in _SETTING_TYPES.items()):
        return None
    if any(not isinstance(v, str) for k in ("exclude_dirs", "exclude_patterns", "rules", "disabled_rules")
           for v in data[k]):
        return None
    codes = data["exit_codes"]
    if set(codes) != {"critical", "high", "medium", "low"} or \
            not all(type(v) is int and 0 <= v <= 255 for v in codes.values()):
        return None
    timeout = data["timeout"]
    if timeout is not None and (isinstance(timeout, bool) or not math.isfinite(timeout) or timeout <= 0):
        return None
    return Settings(**data)


def discover(root: Path, explicit: Optional[Path],
             cache_dir: Optional[Path] = None) -> tuple[Settings, Optional[Path]]:
    """The explicit --config file, else .mcp-sentinel.yaml, else pyproject.toml's section, at ``root``.

    With ``cache_dir``, a file validated before (same content) is not parsed or validated again.
    """
    if explicit is not None:
        text = _read(explicit)
        if explicit.suffix == ".toml":
            cfg = _cached(explicit, text, cache_dir, lambda: load_pyproject_config(explicit, text))
            if cfg is None:
                raise ConfigError(f"{explicit}: no [tool.mcp-sentinel] section")
            return cfg, explicit
        return _cached(explicit, text, cache_dir, lambda: load_yaml_config(explicit, text)), explicit
    candidate = root / CONFIG_FILE
    if os.path.lexists(candidate):  # a symlink is refused, not skipped
        text = _read(candidate, root)
        return _cached(candidate, text, cache_dir, lambda: load_yaml_config(candidate, text)), candidate
    pyproject = root / "pyproject.toml"
    if pyproject.is_symlink():
        print("mcp-sentinel: warning: pyproject.toml is a symlink: its [tool.mcp-sentinel] section is not read",
              file=sys.stderr)
    elif pyproject.is_file():
        text = _read(pyproject, root)
        if "mcp-sentinel" in text:
            cfg = _cached(pyproject, text, cache_dir, lambda: load_pyproject_config(pyproject, text))
            if cfg is not None:
                return cfg, pyproject
    return Settings(), None


def has_pyproject_section(text: str, origin: str) -> bool:
    """True when a pyproject.toml text holds a ``[tool.mcp-sentinel]`` section (TOML parsed, not validated)."""
    return "mcp-sentinel" in text and _pyproject_section(text, Path(f"pyproject.toml ({origin})")) is not None


def settings_from_text(name: str, text: str, origin: str) -> Optional[Settings]:
    """The settings a configuration file's text holds (``origin`` says where it was read, e.g. a
    revision); None for a pyproject.toml without a ``[tool.mcp-sentinel]`` section."""
    label = Path(f"{name} ({origin})")
    if name.endswith(".toml"):
        section = _pyproject_section(text, label)
        return None if section is None else parse_config(section, f"{label} [tool.mcp-sentinel]")
    return parse_config(_yaml_document(text, label), str(label))
