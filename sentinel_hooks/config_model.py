"""The pydantic model of the configuration file (imported only when a file must be validated).

Its keys, types and defaults are those of ``config.Settings``, read from that record; only the limits
a value must respect are written here.
"""
from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator

from sentinel_hooks.config import MAX_TIMEOUT, Settings
from sentinel_hooks.errors import SEVERITY_EXIT_CODES, ConfigError
from sentinel_hooks.findings import Severity
from sentinel_hooks.records import fields


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", alias_generator=_kebab, populate_by_name=True)

    @field_validator("severity_threshold", check_fields=False)
    @classmethod
    def _threshold(cls, v: str) -> str:
        Severity.parse(v)
        return v.lower()

    @field_validator("memory_limit", check_fields=False)
    @classmethod
    def _memory_limit(cls, v: Any) -> Any:
        if v is not None:
            import argparse

            from sentinel_hooks.commands.common import byte_size

            try:
                byte_size(v)
            except argparse.ArgumentTypeError as exc:
                raise ValueError(str(exc)) from None
        return v

    @field_validator("context_severity", check_fields=False)
    @classmethod
    def _context_severity(cls, v: dict[str, int]) -> dict[str, int]:
        from sentinel_hooks.context_severity import DEFAULT_LOWERING, LOWERABLE

        for key, steps in v.items():
            if key not in LOWERABLE:
                raise ValueError(f"unknown context {key!r} (expected one of: {', '.join(LOWERABLE)})")
            if not 0 <= steps <= 4:
                raise ValueError(f"{key}: levels to lower must be 0 to 4, got {steps}")
        return {**DEFAULT_LOWERING, **v}


ExitCodes = create_model("ExitCodes", __base__=_Model, **{
    severity: (int, Field(default=code, ge=0, le=255)) for severity, code in SEVERITY_EXIT_CODES.items()})

# what a setting's value must respect, beyond its type
LIMITS: dict[str, dict[str, Any]] = {
    "timeout": {"gt": 0, "le": MAX_TIMEOUT, "allow_inf_nan": False}, "max_file_size": {"gt": 0}, "context_lines": {"ge": 0, "le": 50},
    "max_concurrent_files": {"ge": 1},
}
TYPES: dict[str, Any] = {"exit_codes": ExitCodes}  # settings whose file form is a model of its own


def _file_config() -> type[BaseModel]:
    hints = typing.get_type_hints(Settings)
    spec: dict[str, Any] = {}
    for f in fields(Settings):
        default = {"default_factory": f.default_factory} if f.default_factory is not None else {"default": f.default}
        if f.name in TYPES:
            default = {"default_factory": TYPES[f.name]}
        spec[f.name] = (TYPES.get(f.name, hints[f.name]), Field(**default, **LIMITS.get(f.name, {})))
    return create_model("FileConfig", __base__=_Model, **spec)


FileConfig = _file_config()
"""Everything the config file may hold. Keys are kebab-case (snake_case is accepted too)."""


def _describe(exc: ValidationError, source: str) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))
    if err.get("type") == "extra_forbidden":
        return f"{source}: unknown key {loc!r}"
    msg = err.get("msg", "invalid").removeprefix("Value error, ")
    return f"{source}: {loc}: {msg}" if loc else f"{source}: {msg}"


def validate(data: Any, source: str) -> BaseModel:
    if data is None:
        return FileConfig()
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of settings, got {type(data).__name__}")
    try:
        return FileConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
