"""`mcp-sentinel scan`: full scans of files and folders (and, with the git layer, diff scans)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Optional

from sentinel_hooks import errors
from sentinel_hooks.commands import common
from sentinel_hooks.errors import ConfigError
from sentinel_hooks.findings import Severity
from sentinel_hooks.records import record


def add_parser(sub) -> None:
    from sentinel_hooks.report import format_names

    scan = sub.add_parser("scan", help="scan files, folders, staged changes or a diff against a baseline")
    scan.add_argument("paths", nargs="*", metavar="PATH", help="files or folders to scan (default: .)")
    common.add_rule_options(scan)
    scan.add_argument("--severity-threshold", type=common.severity, metavar="LEVEL",
                      help="lowest severity that is reported and fails the scan: "
                           "critical, high, medium, low, info (default: low)")
    scan.add_argument("--exclude-dir", action="append", type=common.csv, default=[], metavar="DIR[,DIR]",
                      help="folder names or paths to skip (gitwildmatch; comma-separated or repeated)")
    scan.add_argument("--exclude-pattern", action="append", type=common.csv, default=[], metavar="GLOB[,GLOB]",
                      help="file patterns to skip, e.g. '*.min.js' (gitwildmatch; comma-separated or repeated)")
    scan.add_argument("--output", "-o", action="append", default=[], metavar="FORMAT",
                      help=f"report format: {', '.join(format_names())} (repeatable; default terminal)")
    scan.add_argument("--output-file", action="append", type=Path, default=[], metavar="FILE",
                      help="where the matching --output goes (default stdout; pairs up in order)")
    scan.add_argument("--timeout", type=common.seconds, metavar="SECONDS",
                      help="stop the scan after this many seconds (exit 7)")
    scan.add_argument("--max-file-size", type=int, metavar="BYTES", help="skip files larger than this")
    for sev in ("critical", "high", "medium", "low"):
        scan.add_argument(f"--exit-code-on-{sev}", type=common.exit_code, metavar="N",
                          help=f"exit code when the worst finding is {sev.upper()} "
                               f"(default {errors.SEVERITY_EXIT_CODES[sev]})")
    scan.add_argument("--no-redact", action="store_true", help="show secrets in full in every report")
    scan.add_argument("--no-inline-suppressions", action="store_true",
                      help="ignore '# mcp-sentinel: ignore' comments (a strict gate)")
    diff_mode = scan.add_mutually_exclusive_group()
    diff_mode.add_argument("--staged", action="store_true",
                           help="scan what the next commit adds: the index against HEAD (for pre-commit hooks)")
    diff_mode.add_argument("--baseline", metavar="REF",
                           help="scan what the work tree adds since merge-base(REF, HEAD); 'auto' takes the "
                                "base from CI or pre-commit variables")
    scan.add_argument("--policy-from", choices=("range", "base"), default="range",
                      help="with --baseline: 'range' (default) obeys policy changes the compared range makes and "
                           "reports each; 'base' takes configuration, ignore files, rule packs and inline "
                           "suppressions from the base and still reports the changes")
    scan.add_argument("--context-lines", type=common.whole_number(0, 50), metavar="N",
                      help="lines of context around each change in diff scans (default 3)")
    scan.add_argument("--cache-dir", type=Path, metavar="DIR",
                      help="cache folder for the rule set and per-file results (default: .mcp-sentinel-cache at the repository root)")
    scan.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    scan.add_argument("--max-concurrent-files", type=common.positive_int, metavar="N",
                      help="files in flight at once in full scans, over that many processes (default: CPU count)")
    scan.add_argument("--memory-limit", type=common.byte_size, metavar="SIZE",
                      help="keep peak memory under SIZE (e.g. 512MB, 1GiB): large files are read in chunks")
    scan.add_argument("--shard", type=common.shard, metavar="K/N",
                      help="scan only the K-th of N disjoint parts of the file set (parallel CI jobs); 'auto' "
                           "takes K/N from CI_NODE_INDEX/CI_NODE_TOTAL (GitLab parallel:)")
    scan.add_argument("--sarif-category", metavar="CATEGORY",
                      help="SARIF automationDetails.id, one per kind of scan uploaded (default: mcp-sentinel/)")
    scan.add_argument("--report-unused-ignores", action="store_true",
                      help="list .mcp-sentinel-ignore entries that matched no finding (meaningful on full scans)")
    scan.add_argument("--debug", action="store_true", help="show tracebacks for unexpected errors")


def defaults(paths: list[str]) -> argparse.Namespace:
    """The options of `scan PATH...` with every flag at its default (for commands that scan too)."""
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["scan", *paths])


def _diff_source(args: argparse.Namespace, cfg, excludes, max_file_size: Optional[int]):
    """The git comparison --staged or --baseline asks for; None for a full scan."""
    if not args.staged and args.baseline is None:
        return None
    from sentinel_hooks.sources import ci_env, git_range

    context = args.context_lines if args.context_lines is not None else cfg.context_lines
    source = git_range.open_scan(staged_mode=args.staged, baseline_ref=args.baseline, paths=list(args.paths),
                                 context=context, excludes=excludes, max_file_size=max_file_size)
    if source is None:
        print(f"mcp-sentinel: {ci_env.FALLBACK_NOTICE}", file=sys.stderr)
    return source


def pair_outputs(args: argparse.Namespace) -> list[tuple[str, Optional[Path]]]:
    """(format, file or None for stdout) pairs: each --output-file pairs in order with an --output; one
    without its --output takes the format its extension names (`r.json`, `r.sarif`, `r.html`, `r.md`)."""
    from sentinel_hooks.report import format_names, formats_for_file

    formats = [f.lower() for f in args.output]
    for f in formats:
        if f not in format_names():
            raise ConfigError(f"unknown output format {f!r} (available: {', '.join(format_names())})")
    for target in args.output_file[len(formats):]:
        inferred = formats_for_file(target)
        if not inferred:
            raise ConfigError(f"--output-file {target}: no --output names its format and its extension does not "
                              f"(use .json, .sarif, .html or .md, or give --output FORMAT before it)")
        formats.append(inferred[0])
    formats = formats or ["terminal"]
    files: list[Optional[Path]] = list(args.output_file) + [None] * (len(formats) - len(args.output_file))
    for fmt, target in zip(formats, files):
        named = formats_for_file(target) if target is not None else ()
        if named and fmt not in named:
            print(f"mcp-sentinel: warning: the {fmt} report goes to {target}, whose extension says {named[0]} "
                  f"(--output and --output-file pair in order)", file=sys.stderr)
    if sum(1 for f in files if f is None) > 1:
        raise ConfigError("only one report can go to stdout: give --output-file for the others")
    return list(zip(formats, files))


def exit_code_for(result, codes: dict[str, int]) -> int:
    """File-system errors first (timeouts are raised earlier), then the worst finding that counts."""
    if result.errors:
        return errors.EXIT_FILESYSTEM
    worst = max((f.severity for f in result.active), default=None)
    if worst is None:
        return errors.EXIT_OK
    if worst == Severity.INFO:
        return codes["low"]
    return codes[worst.name.lower()]


def _inside(paths: list[Path], root: Path) -> bool:
    """Whether every path lies in the work tree at ``root`` (each folder's work tree looked up once:
    a pre-commit hook passes a thousand files of a few folders)."""
    from sentinel_hooks.sources.files import git_toplevel

    if not (root / ".git").exists():
        return False
    tops: dict[str, Optional[Path]] = {}
    for p in paths:
        target = os.path.abspath(p)
        folder = target if os.path.isdir(target) else os.path.dirname(target)
        if folder not in tops:
            tops[folder] = git_toplevel(Path(folder))
        if tops[folder] != root:
            return False
    return True


def _scan_roots(paths: list[Path], root: Path) -> list[str]:
    """The scanned folders (a file's own folder) relative to the repository root, ``/``-terminated."""
    out = []
    for p in paths:
        target = Path(os.path.abspath(p))
        folder = target if target.is_dir() else target.parent
        try:
            rel = folder.relative_to(root).as_posix()
        except ValueError:
            continue
        out.append("" if rel == "." else rel + "/")
    return out


def apply_ignore_file(result, root: Path, args: argparse.Namespace) -> None:
    """Flag findings listed in .mcp-sentinel-ignore (and name unused entries when asked)."""
    from sentinel_hooks import ignore_file
    from sentinel_hooks.printable import printable

    unused = ignore_file.apply(result.findings, ignore_file.load(root), any_occurrence=result.scope.is_diff)
    if getattr(args, "report_unused_ignores", False):
        for entry in unused:
            print(f"mcp-sentinel: unused ignore entry ({ignore_file.FINDINGS_IGNORE_FILE}:{entry.line_number}): "
                  f"{printable(entry.render())}", file=sys.stderr)


def _ignore_file_lines(args: argparse.Namespace, paths: list[Path], root: Path) -> list[str]:
    """The .mcp-sentinelignore that governs the scanned paths: the repository's for paths inside it
    (and for diff scans); for a folder elsewhere, that folder's (or its work tree's) own file."""
    from sentinel_hooks.sources import files

    if getattr(args, "staged", False) or getattr(args, "baseline", None) or _inside(paths, root):
        return files.read_ignore_file(root)
    if len(paths) != 1:
        return []
    target = Path(os.path.abspath(paths[0]))
    own = files.git_toplevel(target) or (target if target.is_dir() else target.parent)
    return files.read_ignore_file(own)


def write_reports(result, outputs: list[tuple[str, Optional[Path]]]) -> None:
    from sentinel_hooks.outputs import write_atomic, write_to_stdout
    from sentinel_hooks.report import get_reporter

    for fmt, target in outputs:
        writer = get_reporter(fmt)
        if target is None:
            write_to_stdout(lambda stream, w=writer: w(result, stream), document=fmt != "terminal")
        else:
            write_atomic(target, lambda stream, w=writer: w(result, stream))


def _shard(value):
    """--shard as (K, N) or None; `auto` reads the CI job's node index and count."""
    if value != "auto":
        return value
    from sentinel_hooks.sources import ci_env

    found = ci_env.shard()
    if found is None:
        print(f"mcp-sentinel: {ci_env.SHARD_FALLBACK_NOTICE}", file=sys.stderr)
    return found


def settings_digest(cfg) -> str:
    """A digest of the effective configuration, part of every result cache entry's scope."""
    import json

    from sentinel_hooks import digests
    from sentinel_hooks.records import asdict

    return digests.sha256(json.dumps(asdict(cfg), sort_keys=True, default=str).encode()).hexdigest()[:16]


def full_scan_options(args: argparse.Namespace, cfg, root: Path, rules, engine, max_file_size):
    """Workers, result cache, memory limit, shard and progress bar of a full scan."""
    from sentinel_hooks import orchestration, pool

    cache = None
    folder = common.cache_dir(args, cfg, root)
    if folder is not None and engine.redact:  # unredacted findings hold secrets: never cached
        from sentinel_hooks.cache import ResultCache
        from sentinel_hooks.rule_cache import ruleset_fingerprint

        cache = ResultCache(folder, ruleset_fingerprint(rules),
                            f"{engine.redact}/{engine.inline_suppressions}/{settings_digest(cfg)}")
    memory_limit = args.memory_limit
    if memory_limit is None and cfg.memory_limit:
        memory_limit = common.byte_size(cfg.memory_limit)
    return orchestration.FullScanOptions(
        max_file_size=max_file_size,
        workers=args.max_concurrent_files or cfg.max_concurrent_files or pool.default_workers(),
        cache=cache, memory_limit=memory_limit, shard=_shard(args.shard),
        progress=sys.stderr.isatty() and not os.environ.get("CI") and not os.environ.get("NO_COLOR"),
    )


def _note_capped_workers(result, args: argparse.Namespace, cfg) -> None:
    """One line when an explicit --max-concurrent-files (or max-concurrent-files) was cut down."""
    capped = result.figures.workers_capped
    asked_by = "--max-concurrent-files" if args.max_concurrent_files else \
        "max-concurrent-files" if cfg.max_concurrent_files else None
    if capped is None or asked_by is None:
        return
    print(f"mcp-sentinel: note: {asked_by} {capped.asked} capped at {capped.used} worker"
          f"{'s' if capped.used != 1 else ''} ({capped.files} files, {capped.cpus} CPUs)", file=sys.stderr)


@record
class Plan:
    """What one policy (a configuration, its ignore files and rules, with the flags on top) makes of a scan."""

    cfg: Any
    rules: list
    engine: Any
    excludes: Any
    threshold: Severity
    codes: dict[str, int]
    context: int
    max_file_size: Optional[int]


def make_plan(args: argparse.Namespace, cfg, rules, exclude_lines: list[str], excludes=None) -> Plan:
    """The scan's plan under ``cfg``; ``excludes`` are ``plan_excludes(args, cfg, exclude_lines)`` when
    built already."""
    from sentinel_hooks.engine.matcher import Engine

    codes = dict(cfg.exit_codes)
    for sev in ("critical", "high", "medium", "low"):
        flag = getattr(args, f"exit_code_on_{sev}")
        if flag is not None:
            codes[sev] = flag
    engine = Engine(rules, redact=cfg.redact and not args.no_redact,
                    inline_suppressions=cfg.inline_suppressions and not args.no_inline_suppressions)
    if excludes is None:
        excludes = plan_excludes(args, cfg, exclude_lines)
    return Plan(cfg=cfg, rules=rules, engine=engine, excludes=excludes,
                threshold=Severity.parse(args.severity_threshold or cfg.severity_threshold), codes=codes,
                context=args.context_lines if args.context_lines is not None else cfg.context_lines,
                max_file_size=plan_max_file_size(args, cfg))


def plan_excludes(args: argparse.Namespace, cfg, exclude_lines: list[str]):
    """What a scan under ``cfg`` leaves out: the default folders, the config's and the flags' folders and
    patterns, and the lines of the .mcp-sentinelignore that governs the scan."""
    from sentinel_hooks.sources import files

    return files.Excludes(
        list(files.DEFAULT_EXCLUDE_DIRS) + cfg.exclude_dirs + common.flatten(args.exclude_dir),
        cfg.exclude_patterns + common.flatten(args.exclude_pattern),
        exclude_lines,
    )


def plan_max_file_size(args: argparse.Namespace, cfg) -> Optional[int]:
    return args.max_file_size or cfg.max_file_size


def run(args: argparse.Namespace) -> int:
    outputs = pair_outputs(args)
    result, plan = execute(args)
    write_reports(result, outputs)
    for path, reason in result.errors:
        from sentinel_hooks.printable import printable

        print(f"mcp-sentinel: error: {printable(path)}: {printable(reason)}", file=sys.stderr)
    if result.incomplete is not None:
        # every requested report was still written, with what was scanned, marked incomplete (exit 7)
        raise errors.ScanTimeout(result.incomplete)
    return exit_code_for(result, plan.codes)


def execute(args: argparse.Namespace):
    """The scan the flags ask for, judged by the policy: (ScanResult, the Plan whose exit codes apply).
    A timeout leaves the result ``incomplete`` rather than raising."""
    if args.policy_from == "base" and args.baseline is None:
        raise ConfigError("--policy-from base needs --baseline REF (the base to read the policy from)")
    root, cfg, rule_paths, disabled = common.settings(args)
    paths = [Path(p) for p in args.paths] or [Path(".")]
    exclude_lines = _ignore_file_lines(args, paths, root)
    excludes = plan_excludes(args, cfg, exclude_lines)
    diff_source = _diff_source(args, cfg, excludes, plan_max_file_size(args, cfg))
    try:
        return _execute(args, root, cfg, rule_paths, disabled, paths, exclude_lines, excludes, diff_source)
    finally:
        if diff_source is not None:
            diff_source.close()  # what a scan of it left running (an error before the scan)


def _execute(args: argparse.Namespace, root: Path, cfg, rule_paths, disabled, paths: list[Path],
             exclude_lines: list[str], excludes, diff_source):
    from sentinel_hooks import orchestration

    if diff_source is not None:
        diff_source.start()  # git lists the changes and reads a range's added lines and history while the rules load
    rules = common.load_rules(args, cfg, rule_paths, disabled, root)
    plan = make_plan(args, cfg, rules, exclude_lines, excludes)
    deadline = orchestration.time_limit(args.timeout, cfg.timeout,
                                        repository_packs=bool(cfg.rules) and args.config is None)
    if diff_source is not None and diff_source.info is not None and diff_source.info.mode == "baseline":
        from sentinel_hooks.commands import scan_policy

        # a --baseline scan applies the ignore files itself (the range's and the base's)
        plan, result = scan_policy.run_baseline(args, root, plan, rule_paths, diff_source, deadline,
                                                diff_workers(args, cfg))
    elif diff_source is not None:
        result = orchestration.scan_diff(plan.engine, diff_source, threshold=plan.threshold, deadline=deadline,
                                         workers=diff_workers(args, cfg))
    else:
        result = orchestration.scan_paths(
            plan.engine, paths, plan.excludes, threshold=plan.threshold, deadline=deadline,
            root=root if _inside(paths, root) else None,
            options=full_scan_options(args, cfg, root, rules, plan.engine, plan.max_file_size))
    judge(result, args, cfg, root, paths, policy_judged=result.policy is not None)
    if diff_source is not None:
        from sentinel_hooks.sources.missing import unknown_paths

        result.errors[:0] = unknown_paths(list(args.paths))
    return result, plan


def diff_workers(args: argparse.Namespace, cfg) -> int:
    """Worker processes a diff scan of many files may use: as many as a full scan's, one under a
    memory limit (which is planned for full scans only)."""
    from sentinel_hooks import pool

    if args.memory_limit is not None or cfg.memory_limit:
        return 1
    return args.max_concurrent_files or cfg.max_concurrent_files or pool.default_workers()


def judge(result, args: argparse.Namespace, cfg, root: Path, paths: list[Path], *, policy_judged: bool) -> None:
    """The policy after the engine: context severity, the ignore file (unless a --baseline scan judged
    the range's and the base's itself), and the report options the flags set."""
    from sentinel_hooks import context_severity, own_package

    _note_capped_workers(result, args, cfg)
    if not result.scope.is_diff and _inside(paths, root):
        context_severity.judge_below(result.findings, _scan_roots(paths, root))
    context_severity.apply(result.findings, cfg.context_severity)
    own_package.lower(result.findings, root)
    if not policy_judged:
        apply_ignore_file(result, root, args)
    if getattr(args, "sarif_category", None):
        result.sarif_category = args.sarif_category
