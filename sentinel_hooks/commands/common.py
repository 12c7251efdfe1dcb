"""Argument types and settings shared by the commands."""
from __future__ import annotations

import argparse
from pathlib import Path

from sentinel_hooks.errors import ConfigError
from sentinel_hooks.findings import Severity


class Parser(argparse.ArgumentParser):
    """argparse that raises ConfigError (one line, exit 2) instead of printing usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(f"{self.prog}: {message}")


def csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def flatten(lists: list[list[str]]) -> list[str]:
    return [item for sub in lists for item in sub]


def exit_code(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an exit code: {value!r}") from None
    if not 0 <= n <= 255:
        raise argparse.ArgumentTypeError(f"exit code must be 0-255, got {n}")
    return n


def positive_float(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {value}")
    return n


def severity(value: str) -> str:
    try:
        return Severity.parse(value).name.lower()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_rule_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE",
                        help="configuration file (default: .mcp-sentinel.yaml or [tool.mcp-sentinel] in pyproject.toml)")
    parser.add_argument("--rules", action="append", type=Path, default=[], metavar="PATH",
                        help="extra rule pack file or folder of packs (repeatable)")
    parser.add_argument("--disable-rule", action="append", type=csv, default=[], metavar="ID[,ID]",
                        help="rule ids to turn off (comma-separated or repeated)")
    parser.add_argument("--no-builtin-rules", action="store_true", help="use only the packs given with --rules")


def find_root(start: Path) -> Path:
    from sentinel_hooks.sources.files import git_toplevel

    return git_toplevel(start) or start.resolve()


def settings(args: argparse.Namespace):
    """The repository root, the config file's settings, rule pack paths and disabled ids."""
    from sentinel_hooks import config as config_mod

    root = find_root(Path.cwd())
    cfg, cfg_path = config_mod.discover(root, args.config)
    base = cfg_path.parent if cfg_path is not None else root
    rule_paths = [p if p.is_absolute() else base / p for p in map(Path, cfg.rules)] + list(args.rules)
    disabled = cfg.disabled_rules + flatten(args.disable_rule)
    return root, cfg, rule_paths, disabled


def load_rules(args: argparse.Namespace, cfg, rule_paths, disabled):
    from sentinel_hooks.engine.rules import build_ruleset

    return build_ruleset(rule_paths, disabled, builtin=cfg.builtin_rules and not args.no_builtin_rules)
