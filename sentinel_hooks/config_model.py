"""The pydantic model of the configuration file (imported only when a file must be validated)."""
from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sentinel_hooks.errors import ConfigError
from sentinel_hooks.findings import Severity


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
    cache: bool = True
    cache_dir: Optional[str] = None
    max_concurrent_files: Optional[int] = Field(default=None, ge=1)
    memory_limit: Optional[str] = None

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


def validate(data: Any, source: str) -> FileConfig:
    if data is None:
        return FileConfig()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of settings, got {type(data).__name__}")
    try:
        return FileConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
