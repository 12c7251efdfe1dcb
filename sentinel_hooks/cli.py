"""Command line: one ``main(argv) -> int``; the only place that turns outcomes into exit codes."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Optional, Sequence

from sentinel_hooks import __version__, errors
from sentinel_hooks.errors import ConfigError, SentinelError
from sentinel_hooks.findings import Severity


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConfigError(f"{self.prog}: {message}")


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _exit_code(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an exit code: {value!r}") from None
    if not 0 <= n <= 255:
        raise argparse.ArgumentTypeError(f"exit code must be 0-255, got {n}")
    return n


def _positive_float(value: str) -> float:
    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {value}")
    return n


def _severity(value: str) -> str:
    try:
        return Severity.parse(value).name.lower()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    from sentinel_hooks.report import format_names

    parser = _Parser(prog="mcp-sentinel", description="Security scanner for MCP servers and clients.")
    parser.add_argument("--version", action="version", version=f"mcp-sentinel {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    scan = sub.add_parser("scan", help="scan files, folders, staged changes or a diff against a baseline")
    scan.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to scan (default: .)")
    scan.add_argument("--config", type=Path, metavar="FILE",
                      help="configuration file (default: .mcp-sentinel.yaml or [tool.mcp-sentinel] in pyproject.toml)")
    scan.add_argument("--rules", action="append", type=Path, default=[], metavar="PATH",
                      help="extra rule pack file or folder of packs (repeatable)")
    scan.add_argument("--disable-rule", action="append", type=_csv, default=[], metavar="ID[,ID]",
                      help="rule ids to turn off (comma-separated or repeated)")
    scan.add_argument("--severity-threshold", type=_severity, metavar="LEVEL",
                      help="lowest severity that is reported and fails the scan: critical, high, medium, low, info (default: low)")
    scan.add_argument("--exclude-dir", action="append", type=_csv, default=[], metavar="DIR[,DIR]",
                      help="folder names or paths to skip (gitwildmatch; comma-separated or repeated)")
    scan.add_argument("--exclude-pattern", action="append", type=_csv, default=[], metavar="GLOB[,GLOB]",
                      help="file patterns to skip, e.g. '*.min.js' (gitwildmatch; comma-separated or repeated)")
    scan.add_argument("--output", "-o", action="append", default=[], metavar="FORMAT",
                      help=f"report format: {', '.join(format_names())} (repeatable; default terminal)")
    scan.add_argument("--output-file", action="append", type=Path, default=[], metavar="FILE",
                      help="where the matching --output goes (default stdout; pairs up in order)")
    scan.add_argument("--timeout", type=_positive_float, metavar="SECONDS",
                      help="stop the scan after this many seconds (exit 7)")
    scan.add_argument("--max-file-size", type=int, metavar="BYTES", help="skip files larger than this")
    for sev in ("critical", "high", "medium", "low"):
        scan.add_argument(f"--exit-code-on-{sev}", type=_exit_code, metavar="N",
                          help=f"exit code when the worst finding is {sev.upper()} "
                               f"(default {getattr(errors, 'EXIT_' + sev.upper())})")
    scan.add_argument("--no-redact", action="store_true", help="show secrets in full in every report")
    scan.add_argument("--no-inline-suppressions", action="store_true",
                      help="ignore '# mcp-sentinel: ignore' comments (a strict gate)")
    scan.add_argument("--no-builtin-rules", action="store_true", help="use only the packs given with --rules")
    scan.add_argument("--debug", action="store_true", help="show tracebacks for unexpected errors")

    rules = sub.add_parser("rules", help="list the rules that would run")
    rules.add_argument("--config", type=Path, metavar="FILE")
    rules.add_argument("--rules", action="append", type=Path, default=[], metavar="PATH")
    rules.add_argument("--disable-rule", action="append", type=_csv, default=[], metavar="ID[,ID]")
    rules.add_argument("--no-builtin-rules", action="store_true")
    rules.add_argument("--debug", action="store_true")
    return parser


def _flatten(lists: list[list[str]]) -> list[str]:
    return [item for sub in lists for item in sub]


def find_root(start: Path) -> Path:
    from sentinel_hooks.sources.files import git_toplevel

    return git_toplevel(start) or start.resolve()


def _settings(args: argparse.Namespace):
    """Merge the config file and the flags (flags win)."""
    from sentinel_hooks import config as config_mod

    root = find_root(Path.cwd())
    cfg, cfg_path = config_mod.discover(root, args.config)
    base = cfg_path.parent if cfg_path is not None else root
    rule_paths = [p if p.is_absolute() else base / p for p in map(Path, cfg.rules)] + list(args.rules)
    disabled = cfg.disabled_rules + _flatten(args.disable_rule)
    return root, cfg, rule_paths, disabled


def _load_rules(args: argparse.Namespace, cfg, rule_paths, disabled):
    from sentinel_hooks.engine.rules import build_ruleset

    return build_ruleset(rule_paths, disabled, builtin=cfg.builtin_rules and not args.no_builtin_rules)


def _pair_outputs(args: argparse.Namespace) -> list[tuple[str, Optional[Path]]]:
    from sentinel_hooks.report import format_names

    formats = [f.lower() for f in args.output] or ["terminal"]
    for f in formats:
        if f not in format_names():
            raise ConfigError(f"unknown output format {f!r} (available: {', '.join(format_names())})")
    if len(args.output_file) > len(formats):
        raise ConfigError("more --output-file than --output options: each --output-file pairs with one --output")
    files: list[Optional[Path]] = list(args.output_file) + [None] * (len(formats) - len(args.output_file))
    if sum(1 for f in files if f is None) > 1:
        raise ConfigError("only one report can go to stdout: give --output-file for the others")
    return list(zip(formats, files))


def exit_code_for(result, codes: dict[str, int]) -> int:
    """Errors first (timeouts are raised earlier), then the worst finding that counts."""
    if result.errors:
        return errors.EXIT_FILESYSTEM
    worst = max((f.severity for f in result.active), default=None)
    if worst is None:
        return errors.EXIT_OK
    if worst == Severity.INFO:
        return codes["low"]
    return codes[worst.name.lower()]


def cmd_scan(args: argparse.Namespace) -> int:
    from sentinel_hooks import scan as scan_mod
    from sentinel_hooks.engine.matcher import Engine
    from sentinel_hooks.outputs import write_atomic
    from sentinel_hooks.report import get_reporter
    from sentinel_hooks.sources import files

    outputs = _pair_outputs(args)
    root, cfg, rule_paths, disabled = _settings(args)
    threshold = Severity.parse(args.severity_threshold or cfg.severity_threshold)
    codes = cfg.exit_codes.model_dump()
    for sev in ("critical", "high", "medium", "low"):
        flag = getattr(args, f"exit_code_on_{sev}")
        if flag is not None:
            codes[sev] = flag
    rules = _load_rules(args, cfg, rule_paths, disabled)
    engine = Engine(rules, redact=cfg.redact and not args.no_redact,
                    inline_suppressions=cfg.inline_suppressions and not args.no_inline_suppressions)
    paths = [Path(p) for p in args.paths] or [Path(".")]
    excludes = files.Excludes(
        list(files.DEFAULT_EXCLUDE_DIRS) + cfg.exclude_dirs + _flatten(args.exclude_dir),
        cfg.exclude_patterns + _flatten(args.exclude_pattern),
        files.read_ignore_file(root),
    )
    result = scan_mod.ScanResult(rules=rules, threshold=threshold)
    result.meta = {"mode": "full", "paths": [p.as_posix() for p in paths]}
    deadline = scan_mod.Deadline(args.timeout if args.timeout is not None else cfg.timeout)
    scan_mod.run_full_scan(engine, paths, excludes, max_file_size=args.max_file_size or cfg.max_file_size,
                           deadline=deadline, result=result, root=root if _inside(paths, root) else None)

    for fmt, target in outputs:
        writer = get_reporter(fmt)
        if target is None:
            writer(result, sys.stdout)
            sys.stdout.flush()
        else:
            write_atomic(target, lambda stream, w=writer: w(result, stream))
    for path, reason in result.errors:
        print(f"mcp-sentinel: error: {path}: {reason}", file=sys.stderr)
    return exit_code_for(result, codes)


def _inside(paths: list[Path], root: Path) -> bool:
    from sentinel_hooks.sources.files import git_toplevel

    return all(git_toplevel(Path(os.path.abspath(p))) == root for p in paths) and (root / ".git").exists()


def cmd_rules(args: argparse.Namespace) -> int:
    _, cfg, rule_paths, disabled = _settings(args)
    rules = _load_rules(args, cfg, rule_paths, disabled)
    for r in sorted(rules, key=lambda r: (r.category, r.id)):
        print(f"{r.id:<40} {r.severity.name:<8} {r.confidence.name:<6} {r.cwe:<8} {r.category:<14} {r.title}")
    print(f"{len(rules)} rules")
    return 0


COMMANDS = {"scan": cmd_scan, "rules": cmd_rules}


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            build_parser().print_help(sys.stderr)
            return errors.EXIT_CONFIG
        return COMMANDS[args.command](args)
    except SentinelError as exc:
        if debug:
            import traceback
            traceback.print_exc()
        print(f"mcp-sentinel: {_one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("mcp-sentinel: interrupted", file=sys.stderr)
        return errors.EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return errors.EXIT_OK
    except Exception as exc:  # the one place unexpected errors become exit 1
        if debug:
            raise
        print(f"mcp-sentinel: unexpected error: {exc.__class__.__name__}: {_one_line(str(exc))} "
              f"(rerun with --debug for a traceback)", file=sys.stderr)
        return errors.EXIT_ERROR


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
