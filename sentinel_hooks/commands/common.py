"""Argument types and settings shared by the commands."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable, Optional

from sentinel_hooks.errors import ConfigError
from sentinel_hooks.findings import Severity


class Parser(argparse.ArgumentParser):
    """argparse that raises ConfigError (one line, exit 2) instead of printing usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # cli.main prefixes every error with "mcp-sentinel: "; only the sub-command is added here
        command = self.prog.split(" ", 1)[1] if " " in self.prog else ""
        raise ConfigError(f"{command}: {message}" if command else message)


def csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def flatten(lists: list[list[str]]) -> list[str]:
    return [item for sub in lists for item in sub]


def whole_number(low: int, high: Optional[int] = None) -> Callable[[str], int]:
    """An argument type: a whole number from ``low`` to ``high`` (no upper bound when None)."""

    def parse(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
        if n < low or (high is not None and n > high):
            bounds = f"at least {low}" if high is None else f"{low}-{high}"
            raise argparse.ArgumentTypeError(f"must be {bounds}, got {n}")
        return n

    return parse


exit_code = whole_number(0, 255)
positive_int = whole_number(1)


def seconds(value: str) -> float:
    """A time limit: a finite number of seconds above 0 and at most MAX_TIMEOUT."""
    import math

    from sentinel_hooks.config import MAX_TIMEOUT

    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not math.isfinite(n) or not 0 < n <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0 and at most {MAX_TIMEOUT}, got {value}")
    return n


_SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": 1024**2,
               "g": 1000**3, "gb": 1000**3, "gib": 1024**3}


def byte_size(value: str) -> int:
    """`512MB`, `1GiB`, `800000` -> bytes."""
    import re

    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", value)
    if not m or m.group(2).lower() not in _SIZE_UNITS:
        raise argparse.ArgumentTypeError(f"not a size: {value!r} (examples: 512MB, 1GiB)")
    n = int(float(m.group(1)) * _SIZE_UNITS[m.group(2).lower()])
    if n < 16 * 1024**2:
        raise argparse.ArgumentTypeError(f"too small: {value!r} (at least 16MB)")
    return n


def shard(value: str) -> tuple[int, int] | str:
    """`K/N` with 1 <= K <= N, or `auto` (K and N from the CI job's environment at run time)."""
    if value.strip().lower() == "auto":
        return "auto"
    try:
        k, n = (int(part) for part in value.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a shard: {value!r} (expected K/N, e.g. 2/4)") from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"shard {value!r}: K must be between 1 and N")
    return k, n


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

    from sentinel_hooks.cache import user_dir

    root = find_root(Path.cwd())
    cfg, cfg_path = config_mod.discover(root, args.config, None if getattr(args, "no_cache", False) else user_dir())
    base = cfg_path.parent if cfg_path is not None else root
    named = [p if p.is_absolute() else base / p for p in map(Path, cfg.rules)]
    if cfg_path is not None and args.config is None:  # the repository's own config names these packs
        from sentinel_hooks.policy_files import check_named_by_repository

        for pack in named:
            check_named_by_repository(pack, root, "rule pack")
    rule_paths = named + list(args.rules)
    disabled = cfg.disabled_rules + flatten(args.disable_rule)
    return root, cfg, rule_paths, disabled


def cache_dir(args: argparse.Namespace, cfg, root: Path) -> Optional[Path]:
    """The result cache folder, or None with --no-cache (or `cache: false` in the config file) or when
    the folder is refused (a warning says why): the scanned repository must not decide where the
    scanner writes, nor hand it a cache of its own making."""
    import sys

    from sentinel_hooks.cache import DEFAULT_DIR, results_dir

    if getattr(args, "no_cache", False) or not cfg.cache:
        return None
    flag = getattr(args, "cache_dir", None)
    if flag is not None:
        folder, refused = results_dir(flag if flag.is_absolute() else Path.cwd() / flag, root, from_repository=False)
    elif cfg.cache_dir is not None:
        folder, refused = results_dir(Path(cfg.cache_dir), root, from_repository=True)
    else:
        folder, refused = results_dir(Path(DEFAULT_DIR), root, from_repository=False)
    if refused is not None:
        from sentinel_hooks.printable import printable

        print(f"mcp-sentinel: warning: {printable(refused)}; results are not cached", file=sys.stderr)
    return folder


def load_rules(args: argparse.Namespace, cfg, rule_paths, disabled, root: Optional[Path] = None):
    """The rule set, from the cache when the packs are unchanged (no YAML parsing, no pydantic)."""
    from sentinel_hooks.cache import user_dir
    from sentinel_hooks.rule_cache import load_rules as load

    folder = None if getattr(args, "no_cache", False) or not cfg.cache else user_dir()
    return load(rule_paths, disabled, builtin=cfg.builtin_rules and not args.no_builtin_rules, cache_dir=folder)
