"""Configuration: `.mcp-sentinel.yaml` or `[tool.mcp-sentinel]` in pyproject.toml, validated by
pydantic, then overridden by command-line flags."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sentinel_hooks.errors import ConfigError, FileSystemError
from sentinel_hooks.findings import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_FILE = ".mcp-sentinel.yaml"
MAX_CONFIG_BYTES = 1_000_000


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, populate_by_name=True)


class ExitCodes(_Model):
    critical: int = Field(default=3, ge=0, le=255)
    high: int = Field(default=4, ge=0, le=255)
    medium: int = Field(default=5, ge=0, le=255)
    low: int = Field(default=6, ge=0, le=255)


class FileConfig(_Model):
    """Everything the config file may hold. Keys are kebab-case (snake_case is accepted too)."""

    severity_threshold: str = "low"
    exclude_dirs: list[str] = Field(default_factory=list)
    exclude_patterns: list[str] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)
    disabled_rules: list[str] = Field(default_factory=list)
    exit_codes: ExitCodes = Field(default_factory=ExitCodes)
    timeout: Optional[float] = Field(default=None, gt=0)
    max_file_size: Optional[int] = Field(default=None, gt=0)
    context_lines: int = Field(default=3, ge=0, le=50)
    redact: bool = True
    inline_suppressions: bool = True
    builtin_rules: bool = True

    @field_validator("severity_threshold")
    @classmethod
    def _threshold(cls, v: str) -> str:
        Severity.parse(v)
        return v.lower()


def _describe(exc: ValidationError, source: str) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    if err.get("type") == "extra_forbidden":
        return f"{source}: unknown key {loc!r}"
    msg = err.get("msg", "invalid").removeprefix("Value error, ")
    return f"{source}: {loc}: {msg}" if loc else f"{source}: {msg}"


def parse_config(data: Any, source: str) -> FileConfig:
    if data is None:
        return FileConfig()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of settings, got {type(data).__name__}")
    try:
        return FileConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None


def _read(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: configuration file is too large ({size} bytes; limit {MAX_CONFIG_BYTES})")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: configuration file is not UTF-8 text") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: configuration file is a directory") from None
    except OSError as exc:
        raise FileSystemError(f"{path}: cannot be read ({exc.strerror or exc})") from None


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses YAML aliases (defeats 'billion laughs' alias bombs)."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.constructor.ConstructorError(
                None, None, "YAML aliases are not allowed in configuration", event.start_mark)
        return super().compose_node(parent, index)


def load_yaml_config(path: Path) -> FileConfig:
    text = _read(path)
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}: {problem}{where}") from None
    return parse_config(data, str(path))


def load_pyproject_config(path: Path) -> Optional[FileConfig]:
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from None
    section = data.get("tool", {}).get("mcp-sentinel")
    if section is None:
        return None
    return parse_config(section, f"{path} [tool.mcp-sentinel]")


def discover(root: Path, explicit: Optional[Path]) -> tuple[FileConfig, Optional[Path]]:
    """The explicit --config file, else .mcp-sentinel.yaml, else pyproject.toml's section, at ``root``."""
    if explicit is not None:
        if explicit.suffix == ".toml":
            cfg = load_pyproject_config(explicit)
            if cfg is None:
                raise ConfigError(f"{explicit}: no [tool.mcp-sentinel] section")
            return cfg, explicit
        return load_yaml_config(explicit), explicit
    candidate = root / CONFIG_FILE
    if candidate.is_file():
        return load_yaml_config(candidate), candidate
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        cfg = load_pyproject_config(pyproject)
        if cfg is not None:
            return cfg, pyproject
    return FileConfig(), None
